// Checks `Authorization: Bearer <ingest token>` against the org's stored token hash. Hashes are cached
// briefly, so a burst of Broadcast requests costs one query; a rotated token stops working within the TTL.
import { Injectable } from '@nestjs/common';
import { IngestTokenStore, ingestTokenMatches } from '@mai/persistence';
import { PostgresConnection } from '@mai/platform';
import { LookupCache } from '../lookup-cache';

export type TokenCheck = { ok: true } | { ok: false; reason: string };

@Injectable()
export class IngestTokenCheck {
  private readonly store: IngestTokenStore;
  private readonly hashes = new LookupCache<Buffer>({ hitTtlMs: 5_000, missTtlMs: 1_000 });

  constructor(postgres: PostgresConnection) {
    this.store = new IngestTokenStore(postgres.pool);
  }

  /** Throws only when the token store cannot be read (the caller answers 503). */
  async verify(orgId: string, authorization: string | undefined): Promise<TokenCheck> {
    const token = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1];
    if (!token) return { ok: false, reason: 'send the organization\'s ingest token as "Authorization: Bearer <token>"' };
    const hash = await this.hashes.get(orgId, () => this.store.currentHash(orgId));
    // One answer for "no token configured" and "wrong token": callers learn nothing about the org's setup.
    if (!hash || !ingestTokenMatches(token, hash)) return { ok: false, reason: 'the ingest token is not valid for this organization' };
    return { ok: true };
  }
}
