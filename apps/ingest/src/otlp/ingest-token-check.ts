// Checks `Authorization: Bearer <ingest token>` against the org's stored token hash. Hashes are cached
// briefly, so a burst of Broadcast requests costs one query; a rotated token stops working within the TTL.
import { Injectable } from '@nestjs/common';
import { IngestTokenStore, ingestTokenMatches } from '@mai/persistence';
import { PostgresConnection } from '@mai/platform';

const FOUND_TTL_MS = 5_000;
const MISSING_TTL_MS = 1_000;

export type TokenCheck = { ok: true } | { ok: false; reason: string };

@Injectable()
export class IngestTokenCheck {
  private readonly store: IngestTokenStore;
  private readonly cache = new Map<string, { hash: Buffer | undefined; expiresAt: number }>();

  constructor(postgres: PostgresConnection) {
    this.store = new IngestTokenStore(postgres.pool);
  }

  /** Throws only when the token store cannot be read (the caller answers 503). */
  async verify(orgId: string, authorization: string | undefined): Promise<TokenCheck> {
    const token = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1];
    if (!token) return { ok: false, reason: 'send the organization\'s ingest token as "Authorization: Bearer <token>"' };
    const hash = await this.currentHash(orgId);
    // One answer for "no token configured" and "wrong token": callers learn nothing about the org's setup.
    if (!hash || !ingestTokenMatches(token, hash)) return { ok: false, reason: 'the ingest token is not valid for this organization' };
    return { ok: true };
  }

  private async currentHash(orgId: string): Promise<Buffer | undefined> {
    const cached = this.cache.get(orgId);
    if (cached && cached.expiresAt > Date.now()) return cached.hash;
    const hash = await this.store.currentHash(orgId);
    if (this.cache.size > 100_000) this.cache.clear();
    this.cache.set(orgId, { hash, expiresAt: Date.now() + (hash ? FOUND_TTL_MS : MISSING_TTL_MS) });
    return hash;
  }
}
