// Starts a Nest application on Fastify with our logger, graceful shutdown and the contract's port.
import { setFlagsFromString } from 'node:v8';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import { Logger } from 'nestjs-pino';
import { createLogger } from './logging';

export interface HttpServiceOptions {
  readonly port: number;
  readonly host?: string;
  readonly fastify?: FastifyServerOptions;
  /** Let Nest parse JSON bodies (default) or leave content parsing to `configure`. */
  readonly bodyParser?: boolean;
  readonly configure?: (fastify: FastifyInstance, app: NestFastifyApplication) => void | Promise<void>;
  /** Runs once the port is open; for work that may wait on other services (e.g. NATS transports). */
  readonly afterListen?: (app: NestFastifyApplication) => void | Promise<void>;
}

export async function startHttpService(appModule: unknown, options: HttpServiceOptions): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({ trustProxy: true, ...options.fastify });
  const app = await NestFactory.create<NestFastifyApplication>(appModule as never, adapter, {
    bufferLogs: true,
    bodyParser: options.bodyParser ?? true,
  });
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks();
  // Initialise first so that Nest's own Fastify hooks are in place and `configure` can override them.
  await app.init();
  await options.configure?.(app.getHttpAdapter().getInstance() as unknown as FastifyInstance, app);
  await app.listen(options.port, options.host ?? '0.0.0.0');
  await options.afterListen?.(app);
  return app;
}

/**
 * For services that allocate fast and keep little: V8 lets the old generation grow to several times what
 * survives a major collection before the next; growing it by `percent` of that instead keeps resident memory
 * near the live set, for a few more major collections (~10 ms each). A growing factor, not a limit: nothing runs
 * out of memory for it. 0 keeps V8's default. (NODE_OPTIONS does not accept this flag, hence at start-up.)
 */
export function limitHeapGrowth(percent: number): void {
  if (Number.isFinite(percent) && percent > 0) setFlagsFromString(`--heap-growing-percent=${Math.floor(percent)}`);
}

/** Runs a service's `main`, turning a start-up failure into a logged exit instead of a silent hang. */
export function runMain(service: string, main: () => Promise<unknown>): void {
  main().catch((error: unknown) => {
    createLogger(service).fatal({ err: error }, 'failed to start');
    process.exit(1);
  });
}
