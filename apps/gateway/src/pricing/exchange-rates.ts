// The USD→PLN rate reports are priced at, from pricing-fx. A request never waits more than 5 s for it: when
// pricing-fx does not answer in time, FX_FALLBACK_USD_PLN serves with source "fallback". The last answer is
// reused briefly so a page load of five requests asks pricing-fx once, and a missing pricing-fx costs one wait.
import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { ServiceConfig } from '@mai/config';
import { Rate } from '@mai/domain';
import { UsdPlnReply } from '@mai/messaging';
import { PricingClient, SERVICE_CONFIG, createLogger } from '@mai/platform';

export interface ExchangeRateQuote {
  readonly usdPln: Rate;
  /** nbp | cache (pricing-fx's own) | fallback (configured, pricing-fx silent). */
  readonly source: string;
  readonly effectiveDate: string | null;
}

/** The contract's ceiling on waiting for a rate. */
export const FX_WAIT_MS = 5_000;
/** pricing-fx's rate changes once a working day; a minute-old answer is as good as a new one. */
const ANSWER_REUSE_MS = 60_000;
/** A fallback is reused only briefly, so real rates return soon after pricing-fx does. */
const FALLBACK_REUSE_MS = 5_000;

@Injectable()
export class ExchangeRates implements OnApplicationBootstrap {
  private readonly log = createLogger('gateway').child({ component: 'exchange-rates' });
  private readonly fallback: ExchangeRateQuote;
  private last?: { quote: ExchangeRateQuote; at: number };
  private asking?: Promise<ExchangeRateQuote>;

  constructor(
    private readonly pricing: PricingClient,
    @Inject(SERVICE_CONFIG) config: ServiceConfig,
  ) {
    this.fallback = { usdPln: Rate.of(config.fxFallbackUsdPln), source: 'fallback', effectiveDate: null };
  }

  onApplicationBootstrap(): void {
    void this.current(); // warm up, so the first report does not pay for the question
  }

  /** A recent answer at once; otherwise ask (one question in flight at a time) and serve the last one meanwhile. */
  async current(): Promise<ExchangeRateQuote> {
    const last = this.last;
    const reuseMs = last?.quote.source === 'fallback' ? FALLBACK_REUSE_MS : ANSWER_REUSE_MS;
    if (last && Date.now() - last.at < reuseMs) return last.quote;
    const asking = (this.asking ??= this.ask().finally(() => (this.asking = undefined)));
    return last ? last.quote : asking;
  }

  private async ask(): Promise<ExchangeRateQuote> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${FX_WAIT_MS} ms`)), FX_WAIT_MS);
    });
    let quote: ExchangeRateQuote;
    try {
      quote = toQuote(await Promise.race([this.pricing.usdPln(), deadline]));
    } catch (error) {
      this.log.warn({ reason: (error as Error).message, fallback: this.fallback.usdPln.toString() }, 'pricing-fx gave no USD/PLN rate; using the fallback');
      quote = this.fallback;
    } finally {
      clearTimeout(timer);
    }
    this.last = { quote, at: Date.now() };
    return quote;
  }
}

function toQuote(reply: UsdPlnReply): ExchangeRateQuote {
  if (typeof reply?.usdPln !== 'string' && typeof reply?.usdPln !== 'number') throw new Error('the reply carries no usdPln');
  return { usdPln: Rate.of(reply.usdPln), source: String(reply.source ?? 'nbp'), effectiveDate: reply.effectiveDate ?? null };
}
