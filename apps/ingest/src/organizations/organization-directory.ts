// Org lookups for every webhook, cached briefly so a burst of deliveries costs one query, not one each.
import { Injectable } from '@nestjs/common';
import { OrganizationStore, OrganizationWithSecrets } from '@mai/persistence';
import { PostgresConnection } from '@mai/platform';

const FOUND_TTL_MS = 5_000;
const MISSING_TTL_MS = 1_000;

@Injectable()
export class OrganizationDirectory {
  private readonly store: OrganizationStore;
  private readonly cache = new Map<string, { value: OrganizationWithSecrets | undefined; expiresAt: number }>();

  constructor(postgres: PostgresConnection) {
    this.store = new OrganizationStore(postgres.pool);
  }

  async find(orgId: string): Promise<OrganizationWithSecrets | undefined> {
    const cached = this.cache.get(orgId);
    if (cached && cached.expiresAt > Date.now()) return cached.value;
    const value = await this.store.findWithSecrets(orgId);
    if (this.cache.size > 100_000) this.cache.clear();
    this.cache.set(orgId, { value, expiresAt: Date.now() + (value ? FOUND_TTL_MS : MISSING_TTL_MS) });
    return value;
  }
}
