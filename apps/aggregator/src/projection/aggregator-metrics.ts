import { Counter, Gauge, Histogram } from 'prom-client';

export const aggregatorMetrics = {
  records: new Counter({ name: 'aggregator_records_total', help: 'Usage records consumed, by outcome', labelNames: ['outcome'] as const }),
  conflicts: new Counter({ name: 'aggregator_generation_conflicts_total', help: 'Duplicate generation ids whose fields differ from the version counted' }),
  deadLetters: new Counter({ name: 'aggregator_dead_letters_total', help: 'Messages parked on the dead-letter subject' }),
  batchSize: new Histogram({ name: 'aggregator_batch_messages', help: 'Messages per projected batch', buckets: [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2000] }),
  batchSeconds: new Histogram({ name: 'aggregator_batch_seconds', help: 'Time to project and commit one batch', buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5] }),
  failures: new Counter({ name: 'aggregator_batch_failures_total', help: 'Batches that failed and were returned to the stream' }),
  checkpoint: new Gauge({ name: 'aggregator_checkpoint_stream_seq', help: 'Highest stream sequence committed to the projection' }),
};
