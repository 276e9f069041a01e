// aggregator: projects the USAGE stream into the daily per-(org, model, day) tables, exactly once.
import 'reflect-metadata';
import { readConfig } from '@mai/config';
import { limitHeapGrowth, runMain, startHttpService } from '@mai/platform';
import { AggregatorModule } from './aggregator.module';

// The aggregator allocates fast and keeps little (two batches, ~35 MB live while draining a backlog): growing the
// heap by half of what survives keeps a backlog drain's resident memory under ~200 MB instead of ~280 MB.
limitHeapGrowth(Number(process.env.AGGREGATOR_HEAP_GROWING_PERCENT ?? 50));

runMain('aggregator', () => startHttpService(AggregatorModule, { port: readConfig().ports.aggregator }));
