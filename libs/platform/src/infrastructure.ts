// The service's connections to PostgreSQL and NATS as Nest providers. Both connect in the background with
// retries, so the HTTP server (health, metrics) is up at once and /health/ready says what is missing.
import { Inject, Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { JetStreamClient, JetStreamManager } from 'nats';
import { Pool } from 'pg';
import { ServiceConfig } from '@mai/config';
import { NatsLink, connectNats, ensureUsageStreams } from '@mai/messaging';
import { createPool, ensureDatabase, migrate } from '@mai/persistence';
import { createLogger } from './logging';
import { retryForever } from './retry';

export const SERVICE_CONFIG = Symbol('SERVICE_CONFIG');
export const SERVICE_NAME = Symbol('SERVICE_NAME');

/** Something /health/ready asks before saying "ready". */
export interface ReadinessCheck {
  readonly name: string;
  isReady(): Promise<boolean> | boolean;
}

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

@Injectable()
export class PostgresConnection implements OnModuleInit, OnApplicationShutdown, ReadinessCheck {
  readonly name = 'postgres';
  readonly pool: Pool;
  private readonly migrated = deferred<void>();
  private migratedDone = false;
  private lastPing = { at: 0, ok: false };
  private readonly log;

  constructor(@Inject(SERVICE_CONFIG) private readonly config: ServiceConfig, @Inject(SERVICE_NAME) service: string) {
    this.pool = createPool(config.databaseUrl, { application_name: service, max: 20 });
    this.log = createLogger(service).child({ component: 'postgres' });
  }

  onModuleInit(): void {
    void retryForever('database set-up', async () => {
      await ensureDatabase(this.config.databaseUrl);
      const applied = await migrate(this.pool);
      if (applied.length > 0) this.log.info({ applied }, 'migrations applied');
    }, this.log).then(() => {
      this.migratedDone = true;
      this.migrated.resolve();
    });
  }

  /** Resolves once the database exists and is migrated. */
  whenReady(): Promise<void> {
    return this.migrated.promise;
  }

  async isReady(): Promise<boolean> {
    if (!this.migratedDone) return false;
    // Pinging at most once a second keeps probes cheap under load.
    if (Date.now() - this.lastPing.at < 1_000) return this.lastPing.ok;
    const ok = await Promise.race([
      this.pool.query('SELECT 1').then(() => true, () => false),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 2_000)),
    ]);
    this.lastPing = { at: Date.now(), ok };
    return ok;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.pool.end().catch(() => undefined);
  }
}

@Injectable()
export class NatsConnection implements OnModuleInit, OnApplicationShutdown, ReadinessCheck {
  readonly name = 'nats';
  private link?: NatsLink;
  private readonly connected = deferred<NatsLink>();
  private readonly log;

  constructor(@Inject(SERVICE_CONFIG) private readonly config: ServiceConfig, @Inject(SERVICE_NAME) private readonly service: string) {
    this.log = createLogger(service).child({ component: 'nats' });
  }

  onModuleInit(): void {
    void retryForever('NATS connection', async () => {
      const link = await connectNats(this.config.natsUrl, this.service);
      try {
        await ensureUsageStreams(await link.connection.jetstreamManager(), this.config);
      } catch (error) {
        await link.close();
        throw error;
      }
      return link;
    }, this.log).then((link) => {
      this.link = link;
      this.log.info({ server: link.connection.getServer() }, 'connected to NATS');
      this.connected.resolve(link);
    });
  }

  whenReady(): Promise<NatsLink> {
    return this.connected.promise;
  }

  /** The live link, or undefined while the first connection is still being made. */
  current(): NatsLink | undefined {
    return this.link;
  }

  isReady(): boolean {
    return this.link?.isConnected() ?? false;
  }

  async jetstream(): Promise<{ js: JetStreamClient; jsm: JetStreamManager }> {
    const link = await this.whenReady();
    return { js: link.connection.jetstream(), jsm: await link.connection.jetstreamManager() };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.link?.close();
  }
}
