// Prometheus metrics for the NBP client and the rate pricing-fx serves (default registry, /metrics).
import { Counter, Gauge, Histogram } from 'prom-client';

let heldRateAgeSeconds: () => number = () => Number.POSITIVE_INFINITY;

export const fxMetrics = {
  fetches: new Counter({ name: 'pricing_nbp_fetches_total', help: 'NBP requests answered usably, by endpoint', labelNames: ['endpoint'] as const }),
  failures: new Counter({
    name: 'pricing_nbp_fetch_failures_total',
    help: 'NBP requests that failed, by endpoint and reason (timeout, not_found, server_error, unexpected_status, malformed, network)',
    labelNames: ['endpoint', 'reason'] as const,
  }),
  fetchSeconds: new Histogram({
    name: 'pricing_nbp_fetch_seconds',
    help: 'Time NBP took to answer or fail, by endpoint',
    labelNames: ['endpoint'] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 3, 4, 5, 6],
  }),
  replies: new Counter({ name: 'pricing_usd_pln_replies_total', help: 'USD→PLN answers, by request and source', labelNames: ['request', 'source'] as const }),
  rateAge: new Gauge({
    name: 'pricing_usd_pln_rate_age_seconds',
    help: 'Seconds since NBP last confirmed the USD→PLN rate held (+Inf: none held, the fallback is served)',
    collect() {
      this.set(heldRateAgeSeconds());
    },
  }),
};

/** Tells the age gauge how to read the rate held now; it is computed at each scrape. */
export function reportRateAge(probe: () => number): void {
  heldRateAgeSeconds = probe;
}
