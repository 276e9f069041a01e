// npm run cli -- org create|list|rotate-secret (contract §2) | ingest-token (contract §3b)
import { parseArgs } from 'node:util';
import { IngestTokenStore, OrganizationStore } from '@mai/persistence';
import { Command, UsageError } from '../cli-context';
import { deleteOrgData } from './org-delete-data';

export const orgCommand: Command = async (args, context) => {
  const [action, ...rest] = args;
  const store = new OrganizationStore(await context.database());
  switch (action) {
    case 'create': {
      const { positionals, values } = parseArgs({ args: rest, allowPositionals: true, options: { name: { type: 'string' }, timezone: { type: 'string' } } });
      if (positionals.length !== 1) throw new UsageError('usage: org create <orgId> [--name NAME] [--timezone IANA_TZ]');
      const { organization, secret } = await store.create({ orgId: positionals[0], name: values.name, timeZone: values.timezone });
      context.print(`created organization ${organization.orgId} (${organization.name}, time zone ${organization.timeZone})`);
      context.print('webhook signing secret (shown once):');
      context.print(secret);
      return;
    }
    case 'list': {
      const organizations = await store.list();
      context.print(['ORG ID', 'NAME', 'TIME ZONE', 'CREATED'].join('\t'));
      for (const org of organizations) context.print([org.orgId, org.name, org.timeZone, org.createdAt.toISOString()].join('\t'));
      return;
    }
    case 'rotate-secret': {
      const { positionals } = parseArgs({ args: rest, allowPositionals: true, options: {} });
      if (positionals.length !== 1) throw new UsageError('usage: org rotate-secret <orgId>');
      const secret = await store.rotateSecret(positionals[0]);
      context.print(`rotated the webhook secret of ${positionals[0]}; the previous secret stays valid for 24 h`);
      context.print(secret);
      return;
    }
    case 'ingest-token': {
      const { positionals, values } = parseArgs({ args: rest, allowPositionals: true, options: { rotate: { type: 'boolean' } } });
      if (positionals.length !== 1) throw new UsageError('usage: org ingest-token <orgId> [--rotate]');
      const token = await new IngestTokenStore(await context.database()).issue(positionals[0], { rotate: values.rotate });
      context.print(`new ingest token of ${positionals[0]}${values.rotate ? '; the previous one no longer works' : ''} (shown once; send it as "Authorization: Bearer <token>"):`);
      context.print(token);
      return;
    }
    case 'delete-data':
      return deleteOrgData(rest, context);
    default:
      throw new UsageError('usage: org create|list|rotate-secret|ingest-token|delete-data ...');
  }
};
