// GET …/events: server-sent events telling a dashboard that its org's numbers changed. Token in the
// Authorization header or, for EventSource, `?access_token=`.
import { Controller, Get, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProduces, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { BearerAuthGuard } from '../auth/bearer-auth.guard';
import type { Viewer } from '../auth/token-verifier';
import { AcceptsQueryToken, CurrentViewer } from '../auth/viewer';
import { ViewerThrottlerGuard } from '../rate-limit/viewer-throttler.guard';
import { USAGE_API_PREFIX } from '../usage/usage.controller';
import { LiveUsageHub } from './live-usage.hub';

@ApiTags('live')
@ApiBearerAuth()
@Controller(USAGE_API_PREFIX)
export class LiveUsageController {
  constructor(private readonly hub: LiveUsageHub) {}

  @Get('events')
  @AcceptsQueryToken()
  @UseGuards(BearerAuthGuard, ViewerThrottlerGuard)
  @ApiOperation({ summary: "Live updates: `event: usage` whenever the org's numbers change; `: heartbeat` comments every 15 s" })
  @ApiProduces('text/event-stream')
  @ApiQuery({ name: 'access_token', required: false, description: 'The JWT, for clients that cannot set headers (EventSource)' })
  @ApiOkResponse({ description: 'A text/event-stream that ends no later than the token expires (the client reconnects)' })
  events(@CurrentViewer() viewer: Viewer, @Res() reply: FastifyReply): void {
    this.hub.open(viewer, reply.raw);
    void reply.hijack(); // the stream is ours from here; Fastify must not answer it
  }
}
