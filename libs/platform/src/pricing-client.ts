// Asks pricing-fx for the catalog, the markup schedule and the USD→PLN rate over NATS request/reply.
// Catalog and markup change rarely: they are cached and refreshed in the background, and the last good
// answer keeps serving while pricing-fx is briefly away, but never past PRICING_SNAPSHOT_MAX_AGE_MS: markup
// changes start far enough ahead only for snapshots younger than that (see @mai/domain pricing-change).
import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { ClientProxy, ClientProxyFactory, Transport } from '@nestjs/microservices';
import { firstValueFrom, timeout } from 'rxjs';
import { ServiceConfig, subjectsFor } from '@mai/config';
import { Catalog, MarkupSchedule, PRICING_SNAPSHOT_MAX_AGE_MS } from '@mai/domain';
import { CatalogReply, MarkupReply, UsdPlnForDayRequest, UsdPlnReply } from '@mai/messaging';
import { SERVICE_CONFIG } from './infrastructure';

export class PricingUnavailableError extends Error {}

export interface PricingSnapshot {
  readonly catalog: Catalog;
  readonly markup: MarkupSchedule;
}

const REFRESH_MS = 30_000;
const REQUEST_TIMEOUT_MS = 5_000;

@Injectable()
export class PricingClient implements OnApplicationShutdown {
  private readonly client: ClientProxy;
  private readonly subjects;
  private snapshot?: { value: PricingSnapshot; at: number };
  private refreshing?: Promise<PricingSnapshot>;

  constructor(@Inject(SERVICE_CONFIG) config: ServiceConfig) {
    this.subjects = subjectsFor(config).pricing;
    this.client = ClientProxyFactory.create({
      transport: Transport.NATS,
      options: { servers: config.natsUrl.split(','), maxReconnectAttempts: -1, reconnectTimeWait: 500, waitOnFirstConnect: true },
    });
  }

  /** The catalog and markup schedule, at most 30 s old when pricing-fx is reachable, and never over 2 min. */
  async current(): Promise<PricingSnapshot> {
    const cached = this.snapshot;
    if (cached && Date.now() - cached.at < REFRESH_MS) return cached.value;
    const refresh = (this.refreshing ??= this.refresh().finally(() => (this.refreshing = undefined)));
    if (cached && Date.now() - cached.at < PRICING_SNAPSHOT_MAX_AGE_MS) {
      refresh.catch(() => undefined); // stale-while-revalidate: the cached answer serves meanwhile
      return cached.value;
    }
    return refresh;
  }

  async usdPln(): Promise<UsdPlnReply> {
    return this.request<UsdPlnReply>(this.subjects.usdPln, {});
  }

  async usdPlnForDay(request: UsdPlnForDayRequest): Promise<UsdPlnReply> {
    return this.request<UsdPlnReply>(this.subjects.usdPlnForDay, request);
  }

  private async refresh(): Promise<PricingSnapshot> {
    const [catalog, markup] = await Promise.all([
      this.request<CatalogReply>(this.subjects.catalog, {}),
      this.request<MarkupReply>(this.subjects.markup, {}),
    ]);
    const value = { catalog: new Catalog(catalog.models), markup: markup.schedule };
    this.snapshot = { value, at: Date.now() };
    return value;
  }

  private async request<T>(subject: string, payload: unknown): Promise<T> {
    try {
      return await firstValueFrom(this.client.send<T>(subject, payload).pipe(timeout(REQUEST_TIMEOUT_MS)));
    } catch (error) {
      throw new PricingUnavailableError(`pricing-fx did not answer ${subject}: ${(error as Error).message ?? error}`);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.client.close();
  }
}
