// npm run cli -- token <orgId> --user USER [--role admin|member] [--ttl 1h]: a development JWT (contract §2).
import { parseArgs } from 'node:util';
import { SignJWT } from 'jose';
import { isOrgId } from '@mai/domain';
import { Command, UsageError } from '../cli-context';

const TTL = /^(\d{1,6})(s|m|h|d)$/;

export function parseTtlSeconds(ttl: string): number {
  const match = TTL.exec(ttl);
  if (!match) throw new UsageError(`--ttl must look like 90s, 30m, 1h or 7d, got "${ttl}"`);
  const seconds = Number(match[1]) * { s: 1, m: 60, h: 3600, d: 86_400 }[match[2] as 's' | 'm' | 'h' | 'd'];
  if (seconds <= 0 || seconds > 366 * 86_400) throw new UsageError('--ttl must be between 1 second and 366 days');
  return seconds;
}

export const tokenCommand: Command = async (args, context) => {
  const { positionals, values } = parseArgs({
    args,
    allowPositionals: true,
    options: { user: { type: 'string' }, role: { type: 'string', default: 'admin' }, ttl: { type: 'string', default: '1h' } },
  });
  if (positionals.length !== 1 || !values.user) throw new UsageError('usage: token <orgId> --user USER [--role admin|member] [--ttl 1h]');
  const [orgId] = positionals;
  if (!isOrgId(orgId)) throw new UsageError(`org id "${orgId}" is not valid`);
  if (values.role !== 'admin' && values.role !== 'member') throw new UsageError('--role must be admin or member');
  const secret = context.config.jwt.secret;
  if (!secret) throw new UsageError('JWT_SECRET is not set (npm start writes one to .env)');
  const now = Math.floor(Date.now() / 1000);
  const token = await new SignJWT({ org: orgId, role: values.role })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(values.user)
    .setIssuer(context.config.jwt.issuer)
    .setAudience(context.config.jwt.audience)
    .setIssuedAt(now)
    .setExpirationTime(now + parseTtlSeconds(values.ttl!))
    .sign(new TextEncoder().encode(secret));
  context.print(token);
};
