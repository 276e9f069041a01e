import { Module } from '@nestjs/common';
import { PlatformModule } from '@mai/platform';
import { UsageProjector } from './projection/usage-projector';

@Module({
  imports: [PlatformModule.forService({ service: 'aggregator', postgres: true, nats: true })],
  providers: [UsageProjector],
})
export class AggregatorModule {}
