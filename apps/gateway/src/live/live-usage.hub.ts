// Fans "org X's numbers changed" out to that org's open dashboards. One core-NATS subscription per org with
// listeners (the aggregator publishes after each commit), dropped with its last listener. Connections are
// bounded per instance and per user, so a tab leak or a flood cannot exhaust the gateway.
import { BeforeApplicationShutdown, HttpStatus, Inject, Injectable } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import type { NatsConnection as NatsClient, Subscription } from 'nats';
import { Gauge } from 'prom-client';
import { ServiceConfig, subjectsFor } from '@mai/config';
import { NatsConnection, SERVICE_CONFIG, createLogger } from '@mai/platform';
import type { Viewer } from '../auth/token-verifier';
import { RetryLaterException } from '../http/retry-later.exception';
import { UsageEventStream } from './usage-event-stream';

export const MAX_STREAMS = 1_000;
export const MAX_STREAMS_PER_USER = 5;

const openStreams = new Gauge({ name: 'gateway_live_streams', help: 'Open live-update (SSE) connections' });

interface OrgChannel {
  readonly subscription: Subscription;
  readonly streams: Set<UsageEventStream>;
}

@Injectable()
export class LiveUsageHub implements BeforeApplicationShutdown {
  private readonly log = createLogger('gateway').child({ component: 'live-usage' });
  private readonly subjects;
  private readonly channels = new Map<string, OrgChannel>();
  private readonly perUser = new Map<string, number>();
  private total = 0;

  constructor(
    private readonly nats: NatsConnection,
    @Inject(SERVICE_CONFIG) config: ServiceConfig,
  ) {
    this.subjects = subjectsFor(config);
  }

  /** Starts streaming to `response`, or throws (429/503) before anything is written. */
  open(viewer: Viewer, response: ServerResponse): void {
    const userKey = `${viewer.orgId}\u0000${viewer.userId}`;
    if (this.total >= MAX_STREAMS) throw new RetryLaterException('too many live connections on this gateway; retry later', HttpStatus.SERVICE_UNAVAILABLE, 30);
    if ((this.perUser.get(userKey) ?? 0) >= MAX_STREAMS_PER_USER) {
      throw new RetryLaterException(`at most ${MAX_STREAMS_PER_USER} live connections per user; close another tab`, HttpStatus.TOO_MANY_REQUESTS, 30);
    }
    const link = this.nats.current();
    if (!link?.isConnected()) throw new RetryLaterException('live updates are unavailable (NATS is not connected); retry later', HttpStatus.SERVICE_UNAVAILABLE, 5);

    const stream = new UsageEventStream(response, viewer.orgId, viewer.expiresAt);
    const channel = this.channelFor(viewer.orgId, link.connection);
    channel.streams.add(stream);
    this.total += 1;
    this.perUser.set(userKey, (this.perUser.get(userKey) ?? 0) + 1);
    openStreams.set(this.total);
    stream.onClose(() => {
      channel.streams.delete(stream);
      this.total -= 1;
      const left = (this.perUser.get(userKey) ?? 1) - 1;
      if (left > 0) this.perUser.set(userKey, left);
      else this.perUser.delete(userKey);
      openStreams.set(this.total);
      if (channel.streams.size === 0 && this.channels.get(viewer.orgId) === channel) {
        this.channels.delete(viewer.orgId);
        channel.subscription.unsubscribe();
      }
    });
    stream.open();
  }

  private channelFor(orgId: string, connection: NatsClient): OrgChannel {
    const existing = this.channels.get(orgId);
    if (existing) return existing;
    const channel: OrgChannel = { subscription: connection.subscribe(this.subjects.projected(orgId)), streams: new Set() };
    this.channels.set(orgId, channel);
    void this.relay(orgId, channel);
    return channel;
  }

  /** Ends when the subscription is dropped (last listener gone, or shutdown). */
  private async relay(orgId: string, channel: OrgChannel): Promise<void> {
    try {
      for await (const _change of channel.subscription) for (const stream of channel.streams) stream.usageChanged();
    } catch (error) {
      this.log.warn({ err: error, orgId }, 'live-update subscription ended; closing its streams');
      for (const stream of [...channel.streams]) stream.close();
    }
  }

  /** Open streams would hold the HTTP server open forever: end them before it closes. */
  beforeApplicationShutdown(): void {
    for (const channel of [...this.channels.values()]) for (const stream of [...channel.streams]) stream.close();
  }
}
