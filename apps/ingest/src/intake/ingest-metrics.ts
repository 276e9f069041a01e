import { Counter, Gauge, Histogram } from 'prom-client';

export const ingestMetrics = {
  records: new Counter({ name: 'ingest_records_total', help: 'Usage records received, by outcome', labelNames: ['source', 'outcome'] as const }),
  requests: new Counter({ name: 'ingest_requests_total', help: 'Ingest requests answered, by receiver and status', labelNames: ['receiver', 'status'] as const }),
  publishSeconds: new Histogram({
    name: 'ingest_publish_seconds',
    help: 'Time from publish to the stream acknowledgement',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  }),
  inFlight: new Gauge({ name: 'ingest_publishes_in_flight', help: 'Publishes waiting for the stream acknowledgement' }),
};
