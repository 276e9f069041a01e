// aggregator: projects the USAGE stream into the daily per-(org, model, day) tables, exactly once.
import 'reflect-metadata';
import { readConfig } from '@mai/config';
import { runMain, startHttpService } from '@mai/platform';
import { AggregatorModule } from './aggregator.module';

runMain('aggregator', () => startHttpService(AggregatorModule, { port: readConfig().ports.aggregator }));
