// /metrics for the report cache: how requests were served (hit, miss, joined a read in flight, bypassed while
// the cache is off because NATS signals cannot be trusted).
import { Counter } from 'prom-client';
import type { CacheOutcome } from './report-cache';

const lookups = new Counter({ name: 'gateway_report_cache_lookups_total', help: 'Report data lookups, by outcome', labelNames: ['outcome'] as const });

export function reportCacheMetrics(outcome: CacheOutcome): void {
  lookups.inc({ outcome });
}
