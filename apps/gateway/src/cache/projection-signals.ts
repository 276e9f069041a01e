// Keeps the report cache honest: one core-NATS subscription to every org's "projection changed" signal
// (`usage.v1.projected.*`, published by the aggregator after each commit and by the CLI after an erasure or a
// rebuild's swap). A signal drops its org's entries, or all of them for `…projected._all`. The cache is only
// used while this subscription is known to be in place: it goes dark (empty, bypassed) on a disconnect, an
// async server error or the subscription ending, and live again (empty) once a reconnect has been confirmed by
// a round trip to the server, so that no commit can slip between the last signal seen and the first cached read.
import { BeforeApplicationShutdown, Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { Events, NatsConnection as NatsClient, Subscription } from 'nats';
import { PROJECTED_EVERY_ORG_TOKEN, ServiceConfig, subjectsFor } from '@mai/config';
import { isOrgId } from '@mai/domain';
import { NatsConnection, SERVICE_CONFIG, createLogger } from '@mai/platform';
import { ReportCache } from './report-cache';

export type SignalScope = { readonly kind: 'org'; readonly orgId: string } | { readonly kind: 'all' };

/** What a signal on `subject` invalidates; undefined for a subject that is not a projection signal. */
export function signalScope(subject: string, projectedPrefix: string): SignalScope | undefined {
  if (!subject.startsWith(projectedPrefix)) return undefined;
  const token = subject.slice(projectedPrefix.length);
  if (token === PROJECTED_EVERY_ORG_TOKEN) return { kind: 'all' };
  return isOrgId(token) ? { kind: 'org', orgId: token } : undefined;
}

/** Applies one signal to the cache. Anything unrecognised clears everything: safe, never stale. */
export function applySignal(cache: Pick<ReportCache, 'invalidateOrg' | 'clear'>, scope: SignalScope | undefined): void {
  if (scope?.kind === 'org') cache.invalidateOrg(scope.orgId);
  else cache.clear();
}

@Injectable()
export class ProjectionSignals implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly log = createLogger('gateway').child({ component: 'report-cache' });
  private readonly subjects;
  private subscription?: Subscription;
  private stopped = false;

  constructor(
    private readonly cache: ReportCache,
    private readonly nats: NatsConnection,
    @Inject(SERVICE_CONFIG) config: ServiceConfig,
  ) {
    this.subjects = subjectsFor(config);
  }

  onApplicationBootstrap(): void {
    void this.nats.whenReady().then((link) => this.listen(link.connection));
  }

  private listen(connection: NatsClient): void {
    if (this.stopped) return;
    const prefix = this.subjects.projected('');
    this.subscription = connection.subscribe(this.subjects.projectedAll, {
      // A callback, not an iterator: the cache is invalidated the moment the message is dispatched, before the
      // live-update streams (which subscribe separately) tell any dashboard to refetch.
      callback: (error, message) => {
        if (error) {
          this.log.warn({ err: error }, 'projection signal subscription failed; report cache off');
          this.cache.goDark();
          return;
        }
        applySignal(this.cache, signalScope(message.subject, prefix));
      },
    });
    void this.subscription.closed.then(() => {
      this.cache.goDark();
      if (!this.stopped) this.log.warn('projection signal subscription closed; report cache off');
    });
    void this.watch(connection);
    void this.confirm(connection);
  }

  /** Live once the server has certainly registered the subscription (a flush is a PING/PONG after the SUB). */
  private async confirm(connection: NatsClient): Promise<void> {
    try {
      await connection.flush();
      if (!this.stopped && !connection.isClosed() && this.subscription && !this.subscription.isClosed()) this.cache.goLive();
    } catch {
      // Disconnected meanwhile: the reconnect confirms again.
    }
  }

  private async watch(connection: NatsClient): Promise<void> {
    for await (const status of connection.status()) {
      if (status.type === Events.Disconnect) this.cache.goDark();
      else if (status.type === Events.Reconnect) {
        this.cache.goDark(); // signals sent while away are lost
        void this.confirm(connection);
      } else if (status.type === Events.Error) this.cache.clear(); // e.g. a slow-consumer or permission error
    }
    this.cache.goDark(); // the connection closed
  }

  beforeApplicationShutdown(): void {
    this.stopped = true;
    this.cache.goDark();
    this.subscription?.unsubscribe();
  }
}
