// Organizations: the tenant boundary. Org ids appear in URLs, NATS subjects and JWT claims.

export const ORG_ID_PATTERN = /^[a-z0-9][a-z0-9_-]{1,62}$/;

export function isOrgId(value: unknown): value is string {
  return typeof value === 'string' && ORG_ID_PATTERN.test(value);
}

export const DEFAULT_ORG_TIME_ZONE = 'UTC';
