// The USD→PLN rate pricing-fx serves: the current one (cached 4 h, last good rate or the fallback when NBP
// fails) and the booking rate of a day (kept for good once final). The rules are in @mai/domain; this class
// holds the state, talks to NBP and the table, and keeps every caller's wait within the reply budget.
import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { ServiceConfig } from '@mai/config';
import {
  CalendarDay,
  HeldRate,
  NbpUsdRate,
  REPLY_BUDGET_MS,
  Rate,
  UsdPlnQuote,
  afterNbpAnswer,
  bookingRateFor,
  bookingWindow,
  currentRateStep,
  isBackingOff,
  isBookingFinal,
  quoteFromNbp,
  quoteWithoutNbp,
  rateAgeSeconds,
} from '@mai/domain';
import { ExchangeRateStore } from '@mai/persistence';
import { PostgresConnection, SERVICE_CONFIG, createLogger, retryForever } from '@mai/platform';
import { reportRateAge } from './fx-metrics';
import { NbpAnswer, NbpClient } from './nbp-client';

/** How often the held rate is checked in the background, so it is renewed even when nobody asks. */
const BACKGROUND_CHECK_MS = 60_000;

@Injectable()
export class UsdPlnRates implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = createLogger('pricing-fx').child({ component: 'usd-pln' });
  private readonly store: ExchangeRateStore;
  private readonly fallback: Rate;
  private held?: HeldRate;
  private lastFailureAt?: Date;
  private loaded?: Promise<void>;
  private backgroundCheck?: NodeJS.Timeout;
  /** One NBP request at a time per question; callers arriving meanwhile share it. */
  private askingCurrent?: Promise<UsdPlnQuote | undefined>;
  private readonly askingBooked = new Map<CalendarDay, Promise<NbpUsdRate | undefined>>();

  constructor(
    private readonly postgres: PostgresConnection,
    private readonly nbp: NbpClient,
    @Inject(SERVICE_CONFIG) config: ServiceConfig,
  ) {
    this.store = new ExchangeRateStore(postgres.pool);
    this.fallback = Rate.of(config.fxFallbackUsdPln);
    reportRateAge(() => rateAgeSeconds(this.held, new Date()));
  }

  onApplicationBootstrap(): void {
    // Load the last good rate from the table, then keep it renewed in the background: the first caller rarely
    // waits on NBP, and the rate's age metric means something even when nobody asks.
    this.loaded = this.postgres
      .whenReady()
      .then(() => retryForever('loading the last USD→PLN rate', () => this.store.latest(), this.log))
      .then((held) => {
        this.held = held;
        const renew = () => void this.current().catch((error) => this.log.error({ err: error }, 'renewing the USD→PLN rate failed'));
        renew();
        this.backgroundCheck = setInterval(renew, BACKGROUND_CHECK_MS).unref();
      });
  }

  onApplicationShutdown(): void {
    clearInterval(this.backgroundCheck);
  }

  async current(): Promise<UsdPlnQuote> {
    await this.loaded;
    const step = currentRateStep({ held: this.held, lastFailureAt: this.lastFailureAt }, this.fallback, new Date());
    if (step.action === 'serve') return step.quote;
    this.askingCurrent ??= this.askCurrent().finally(() => (this.askingCurrent = undefined));
    return (await withinReplyBudget(this.askingCurrent)) ?? step.otherwise;
  }

  async bookedFor(day: CalendarDay): Promise<UsdPlnQuote> {
    await this.loaded;
    const recorded = await this.store.booked(day);
    if (recorded) return quoteFromNbp(recorded);
    if (!isBackingOff(this.lastFailureAt, new Date())) {
      let asking = this.askingBooked.get(day);
      if (!asking) {
        asking = this.askBooked(day).finally(() => this.askingBooked.delete(day));
        this.askingBooked.set(day, asking);
      }
      const booked = await withinReplyBudget(asking);
      if (booked) return quoteFromNbp(booked);
    }
    return quoteWithoutNbp(await this.store.latestBefore(day), this.fallback);
  }

  private async askCurrent(): Promise<UsdPlnQuote | undefined> {
    const answer = await this.nbp.current();
    if (!answer.ok) return this.failed('current', answer);
    const latest = answer.rates.reduce((a, b) => (b.effectiveDate > a.effectiveDate ? b : a));
    const now = new Date();
    const previous = this.held;
    this.held = afterNbpAnswer(previous, latest, now);
    this.lastFailureAt = undefined;
    if (previous?.effectiveDate !== this.held.effectiveDate) {
      this.log.info({ effectiveDate: this.held.effectiveDate, usdPln: this.held.mid.toString() }, 'new USD→PLN rate from NBP');
    }
    await this.store.recordCurrent(this.held, now).catch((error) => this.log.error({ err: error }, 'could not store the NBP rate; serving it anyway'));
    return quoteFromNbp(this.held);
  }

  private async askBooked(day: CalendarDay): Promise<NbpUsdRate | undefined> {
    const window = bookingWindow(day);
    const answer = await this.nbp.between(window.start, window.end);
    if (!answer.ok) return this.failed('range', answer);
    const booked = bookingRateFor(day, answer.rates);
    if (!booked) this.log.warn({ day, ...window }, 'NBP has no table in the days before; serving the last good rate');
    const final = booked && isBookingFinal(day, new Date()) ? { day, effectiveDate: booked.effectiveDate } : undefined;
    await this.store.recordTables(answer.rates, final).catch((error) => this.log.error({ err: error, day }, 'could not store NBP rates; serving them anyway'));
    return booked;
  }

  private failed(endpoint: string, answer: Extract<NbpAnswer, { ok: false }>): undefined {
    this.lastFailureAt = new Date();
    this.log.warn({ endpoint, reason: answer.reason, detail: answer.detail }, 'NBP request failed; serving the last good rate or the fallback');
    return undefined;
  }
}

/** The answer if it comes within the reply budget, else undefined; a late answer still updates the cache. */
async function withinReplyBudget<T>(answer: Promise<T | undefined>): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const budget = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), REPLY_BUDGET_MS)));
  try {
    return await Promise.race([answer, budget]);
  } finally {
    clearTimeout(timer);
  }
}
