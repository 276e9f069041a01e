// Org lookups for every webhook, cached briefly so a burst of deliveries costs one query, not one each.
import { Injectable } from '@nestjs/common';
import { OrganizationStore, OrganizationWithSecrets } from '@mai/persistence';
import { PostgresConnection } from '@mai/platform';
import { LookupCache } from '../lookup-cache';

@Injectable()
export class OrganizationDirectory {
  private readonly store: OrganizationStore;
  private readonly cache = new LookupCache<OrganizationWithSecrets>({ hitTtlMs: 5_000, missTtlMs: 1_000 });

  constructor(postgres: PostgresConnection) {
    this.store = new OrganizationStore(postgres.pool);
  }

  find(orgId: string): Promise<OrganizationWithSecrets | undefined> {
    return this.cache.get(orgId, () => this.store.findWithSecrets(orgId));
  }
}
