// What every report needs besides its rows: the viewer's org calendar (its time zone and today there), the
// catalog from pricing-fx (never a local copy) and the exchange rate.
import { BadRequestException, ForbiddenException, Inject, Injectable, ServiceUnavailableException } from '@nestjs/common';
import { CalendarDay, CatalogModel, PeriodResult, dayInZone } from '@mai/domain';
import { UsageQueries } from '@mai/persistence';
import { ExpiringLru, PostgresConnection, PricingClient } from '@mai/platform';
import type { Viewer } from '../auth/token-verifier';
import { ExchangeRateQuote, ExchangeRates } from '../pricing/exchange-rates';

export const CLOCK = Symbol('CLOCK');
export interface Clock {
  now(): Date;
}

export interface OrgCalendar {
  readonly orgId: string;
  readonly timeZone: string;
  /** Today on the org's wall calendar: what "this month" and default ranges are measured from. */
  readonly today: CalendarDay;
}

/**
 * How long an org's time zone is reused without asking Postgres. A zone change (rare, by the CLI) shows within
 * this; an org that does not exist is not remembered, so one created meanwhile is served at once.
 */
export const TIME_ZONE_CACHE_MS = 30_000;

@Injectable()
export class ReportContext {
  private databaseReady = false;
  private readonly timeZones = new ExpiringLru<string, string>({ maxEntries: 50_000 });

  constructor(
    private readonly queries: UsageQueries,
    private readonly pricing: PricingClient,
    private readonly rates: ExchangeRates,
    @Inject(CLOCK) private readonly clock: Clock,
    postgres: PostgresConnection,
  ) {
    void postgres.whenReady().then(() => (this.databaseReady = true));
  }

  async calendarOf(viewer: Viewer): Promise<OrgCalendar> {
    if (!this.databaseReady) throw new ServiceUnavailableException('the usage database is not ready yet; retry later');
    const now = this.clock.now();
    let timeZone = this.timeZones.get(viewer.orgId, now.getTime());
    if (timeZone === undefined) {
      timeZone = await this.queries.organizationTimeZone(viewer.orgId);
      if (timeZone === undefined) throw new ForbiddenException(`the organization "${viewer.orgId}" named by the token does not exist`);
      this.timeZones.set(viewer.orgId, timeZone, now.getTime() + TIME_ZONE_CACHE_MS);
    }
    return { orgId: viewer.orgId, timeZone, today: dayInZone(now, timeZone) };
  }

  async catalog(): Promise<readonly CatalogModel[]> {
    return (await this.pricing.current()).catalog.models;
  }

  rate(): Promise<ExchangeRateQuote> {
    return this.rates.current();
  }
}

/** A period the domain refused becomes a 400 with its reason. */
export function periodOrBadRequest<T>(result: PeriodResult<T>): T {
  if (!result.ok) throw new BadRequestException(result.error);
  return result.value;
}

export function displayNames(catalog: readonly CatalogModel[]): (model: string) => string {
  const names = new Map(catalog.map((model) => [model.id, model.displayName]));
  return (model) => names.get(model) ?? model;
}
