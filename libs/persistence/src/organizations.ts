// Organizations and their webhook signing secrets.
import { randomBytes } from 'node:crypto';
import { Pool } from 'pg';
import { withTransaction } from './database';
import { DEFAULT_ORG_TIME_ZONE, isOrgId, isValidTimeZone } from '@mai/domain';

export interface Organization {
  readonly orgId: string;
  readonly name: string;
  readonly timeZone: string;
  readonly createdAt: Date;
}

export interface OrganizationWithSecrets extends Organization {
  /** Secrets that verify signatures now: the current one, plus a rotated one within its 24 h grace. */
  readonly secrets: readonly string[];
}

/** How long a rotated-out secret keeps verifying signatures, so senders can switch without losing deliveries. */
export const ROTATED_SECRET_GRACE_HOURS = 24;

/** `whsec_` + base64 of 32 random bytes, as Standard Webhooks tooling expects. */
export function generateWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

export class OrganizationError extends Error {}

export class OrganizationStore {
  constructor(private readonly pool: Pool) {}

  async create(input: { orgId: string; name?: string; timeZone?: string }): Promise<{ organization: Organization; secret: string }> {
    if (!isOrgId(input.orgId)) throw new OrganizationError(`org id "${input.orgId}" must match ^[a-z0-9][a-z0-9_-]{1,62}$`);
    const timeZone = input.timeZone ?? DEFAULT_ORG_TIME_ZONE;
    if (!isValidTimeZone(timeZone)) throw new OrganizationError(`"${timeZone}" is not an IANA time zone`);
    const secret = generateWebhookSecret();
    return withTransaction(this.pool, async (client) => {
      const { rows } = await client.query(
        `INSERT INTO organizations (org_id, name, time_zone) VALUES ($1, $2, $3)
         ON CONFLICT (org_id) DO NOTHING RETURNING org_id, name, time_zone, created_at`,
        [input.orgId, input.name ?? input.orgId, timeZone],
      );
      if (rows.length === 0) throw new OrganizationError(`organization "${input.orgId}" already exists`);
      await client.query('INSERT INTO org_webhook_secrets (org_id, secret) VALUES ($1, $2)', [input.orgId, secret]);
      return { organization: toOrganization(rows[0]), secret };
    });
  }

  async list(): Promise<Organization[]> {
    const { rows } = await this.pool.query('SELECT org_id, name, time_zone, created_at FROM organizations ORDER BY org_id');
    return rows.map(toOrganization);
  }

  async find(orgId: string): Promise<Organization | undefined> {
    if (!isOrgId(orgId)) return undefined;
    const { rows } = await this.pool.query('SELECT org_id, name, time_zone, created_at FROM organizations WHERE org_id = $1', [orgId]);
    return rows[0] ? toOrganization(rows[0]) : undefined;
  }

  /** The org with the secrets that may sign its webhooks now; undefined for an unknown org. */
  async findWithSecrets(orgId: string): Promise<OrganizationWithSecrets | undefined> {
    if (!isOrgId(orgId)) return undefined;
    const { rows } = await this.pool.query(
      `SELECT o.org_id, o.name, o.time_zone, o.created_at,
              coalesce(array_agg(s.secret ORDER BY s.created_at DESC) FILTER (WHERE s.secret IS NOT NULL), '{}') AS secrets
         FROM organizations o
         LEFT JOIN org_webhook_secrets s ON s.org_id = o.org_id AND (s.expires_at IS NULL OR s.expires_at > now())
        WHERE o.org_id = $1
        GROUP BY o.org_id`,
      [orgId],
    );
    return rows[0] ? { ...toOrganization(rows[0]), secrets: rows[0].secrets } : undefined;
  }

  /** Issues a new current secret; the old one keeps working for 24 h. */
  async rotateSecret(orgId: string): Promise<string> {
    const secret = generateWebhookSecret();
    return withTransaction(this.pool, async (client) => {
      const { rowCount } = await client.query('SELECT 1 FROM organizations WHERE org_id = $1 FOR UPDATE', [orgId]);
      if (rowCount === 0) throw new OrganizationError(`organization "${orgId}" does not exist`);
      await client.query(
        `UPDATE org_webhook_secrets SET expires_at = now() + make_interval(hours => $2)
          WHERE org_id = $1 AND expires_at IS NULL`,
        [orgId, ROTATED_SECRET_GRACE_HOURS],
      );
      await client.query('INSERT INTO org_webhook_secrets (org_id, secret) VALUES ($1, $2)', [orgId, secret]);
      return secret;
    });
  }
}

function toOrganization(row: { org_id: string; name: string; time_zone: string; created_at: Date }): Organization {
  return { orgId: row.org_id, name: row.name, timeZone: row.time_zone, createdAt: row.created_at };
}
