// Ingest tokens: the bearer credential OpenRouter Broadcast sends to the OTLP receiver (contract §3b).
// Only a SHA-256 of each token is kept; that is enough for 256-bit random tokens (no salt or slow hash needed,
// as nobody can guess a preimage), and comparisons run in constant time.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { Pool } from 'pg';
import { OrganizationError } from './organizations';

const TOKEN_PREFIX = 'mai_it_';

/** `mai_it_` + base64url of 32 random bytes: header-safe, and recognisable in a leaked config. */
export function generateIngestToken(): string {
  return `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
}

export function hashIngestToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/** Does `presented` hash to `storedHash`? Constant time in the token's content. */
export function ingestTokenMatches(presented: string, storedHash: Buffer): boolean {
  const presentedHash = hashIngestToken(presented);
  return presentedHash.length === storedHash.length && timingSafeEqual(presentedHash, storedHash);
}

export class IngestTokenStore {
  constructor(private readonly pool: Pool) {}

  /**
   * Issues the org's ingest token and returns it; it is shown once, as only its hash is stored. An org that
   * already has one keeps it unless `rotate` is set, and then the old token stops working at once.
   */
  async issue(orgId: string, options: { rotate?: boolean } = {}): Promise<string> {
    const token = generateIngestToken();
    const { rowCount } = await this.pool.query(
      `INSERT INTO org_ingest_tokens (org_id, token_sha256)
       SELECT org_id, $2 FROM organizations WHERE org_id = $1
       ON CONFLICT (org_id) DO UPDATE SET token_sha256 = excluded.token_sha256, created_at = now()
        WHERE $3::boolean`,
      [orgId, hashIngestToken(token), options.rotate === true],
    );
    if (rowCount === 1) return token;
    if (!(await this.organizationExists(orgId))) throw new OrganizationError(`organization "${orgId}" does not exist`);
    throw new OrganizationError(`organization "${orgId}" already has an ingest token; it is stored hashed and cannot be shown again; use --rotate to replace it`);
  }

  /** The SHA-256 of the org's current token; undefined when the org has none (or does not exist). */
  async currentHash(orgId: string): Promise<Buffer | undefined> {
    const { rows } = await this.pool.query<{ token_sha256: Buffer }>('SELECT token_sha256 FROM org_ingest_tokens WHERE org_id = $1', [orgId]);
    return rows[0]?.token_sha256;
  }

  private async organizationExists(orgId: string): Promise<boolean> {
    const { rowCount } = await this.pool.query('SELECT 1 FROM organizations WHERE org_id = $1', [orgId]);
    return rowCount === 1;
  }
}
