// npm run cli -- catalog list|add|retire and markup list|set: the catalog and the markup are data owned by
// pricing-fx, changed here and never by editing code. Ingest picks changes up within a couple of minutes.
import { parseArgs } from 'node:util';
import { MARKUP_CHANGE_LEAD_MS, catalogModelIssue, markupChange } from '@mai/domain';
import { PricingStore } from '@mai/persistence';
import { CliContext, Command, UsageError } from '../cli-context';

const CATALOG_USAGE = 'usage: catalog list | catalog add <modelId> --name NAME --provider PROVIDER | catalog retire <modelId>';
const MARKUP_USAGE = 'usage: markup list | markup set <rate> --from <YYYY-MM-DD (00:00 UTC) or ISO instant>';

/** The pricing store, seeded with the defaults first: a change made before pricing-fx ever ran must not skip them. */
async function pricingStore(context: CliContext): Promise<PricingStore> {
  const store = new PricingStore(await context.database());
  await store.seedDefaults(context.config.markupRate);
  return store;
}

export const catalogCommand: Command = async (args, context) => {
  const [action, ...rest] = args;
  const store = await pricingStore(context);
  switch (action) {
    case 'list': {
      context.print(['MODEL ID', 'NAME', 'PROVIDER', 'ADDED', 'RETIRED'].join('\t'));
      for (const entry of await store.catalogHistory()) {
        context.print([entry.id, entry.displayName, entry.provider, entry.addedAt.toISOString(), entry.retiredAt?.toISOString() ?? '-'].join('\t'));
      }
      return;
    }
    case 'add': {
      const { positionals, values } = parseArgs({ args: rest, allowPositionals: true, options: { name: { type: 'string' }, provider: { type: 'string' } } });
      if (positionals.length !== 1 || values.name === undefined || values.provider === undefined) throw new UsageError(CATALOG_USAGE);
      const model = { id: positionals[0], displayName: values.name.trim(), provider: values.provider.trim() };
      const issue = catalogModelIssue(model);
      if (issue) throw new UsageError(issue);
      const outcome = await store.addModel(model);
      if (!outcome.ok) throw new UsageError(outcome.reason);
      context.print(`${outcome.value} ${model.id} (${model.displayName}, ${model.provider}); ingest accepts its usage within 2 minutes`);
      return;
    }
    case 'retire': {
      const { positionals } = parseArgs({ args: rest, allowPositionals: true, options: {} });
      if (positionals.length !== 1) throw new UsageError(CATALOG_USAGE);
      const outcome = await store.retireModel(positionals[0]);
      if (!outcome.ok) throw new UsageError(outcome.reason);
      context.print(`retired ${positionals[0]} at ${outcome.value.toISOString()}; usage already recorded stays, new usage is refused within 2 minutes`);
      return;
    }
    default:
      throw new UsageError(CATALOG_USAGE);
  }
};

export const markupCommand: Command = async (args, context) => {
  const [action, ...rest] = args;
  const store = await pricingStore(context);
  switch (action) {
    case 'list': {
      const now = Date.now();
      const history = await store.markupHistory();
      const inForce = history.filter((period) => period.effectiveFrom.getTime() <= now).at(-1);
      context.print(['FROM', 'RATE', 'STATUS', 'SCHEDULED AT'].join('\t'));
      for (const period of history) {
        const status = period === inForce ? 'in force' : period.effectiveFrom.getTime() > now ? 'scheduled' : 'past';
        context.print([period.effectiveFrom.toISOString(), period.rate, status, period.createdAt.toISOString()].join('\t'));
      }
      return;
    }
    case 'set': {
      const { positionals, values } = parseArgs({ args: rest, allowPositionals: true, options: { from: { type: 'string' } } });
      if (positionals.length !== 1 || values.from === undefined) throw new UsageError(MARKUP_USAGE);
      const change = markupChange(positionals[0], values.from, new Date());
      if (!change.ok) throw new UsageError(change.reason);
      const outcome = await store.scheduleMarkup(change.rate, change.effectiveFrom);
      if (!outcome.ok) throw new UsageError(outcome.reason);
      context.print(`markup ${change.rate.toString()} from ${change.effectiveFrom.toISOString()} on; usage before then keeps the markup in force when it happened`);
      return;
    }
    default:
      throw new UsageError(`${MARKUP_USAGE}\n(a change must start at least ${MARKUP_CHANGE_LEAD_MS / 60_000} minutes ahead)`);
  }
};
