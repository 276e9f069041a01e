// aggregator: projects the USAGE stream into the daily per-(org, model, day) tables, exactly once.
import 'reflect-metadata';
import { setFlagsFromString } from 'node:v8';
import { readConfig } from '@mai/config';
import { runMain, startHttpService } from '@mai/platform';
import { AggregatorModule } from './aggregator.module';

// The aggregator allocates fast and keeps little (two batches, ~35 MB live while draining a backlog), and V8
// lets the old generation grow to several times what survives before collecting it: ~150 MB of heap for 35 MB
// of live objects. Growing it by half of what survives instead keeps a backlog drain's resident memory near
// 200 MB for a few more major collections (~10 ms each). A growing factor, not a limit: nothing runs out of
// memory for it. AGGREGATOR_HEAP_GROWING_PERCENT=0 leaves V8's default.
const heapGrowingPercent = Number(process.env.AGGREGATOR_HEAP_GROWING_PERCENT ?? 50);
if (heapGrowingPercent > 0) setFlagsFromString(`--heap-growing-percent=${Math.floor(heapGrowingPercent)}`);

runMain('aggregator', () => startHttpService(AggregatorModule, { port: readConfig().ports.aggregator }));
