// One module that gives every service the same footing: validated config, JSON logs, connections to
// PostgreSQL and NATS (each optional), and the health and metrics endpoints.
import { DynamicModule, Global, Module, Provider } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { collectDefaultMetrics, register } from 'prom-client';
import { readConfig, ServiceConfig } from '@mai/config';
import { HealthController, READINESS_CHECKS, ReadinessChecks } from './health';
import { NatsConnection, PostgresConnection, SERVICE_CONFIG, SERVICE_NAME } from './infrastructure';

export interface PlatformOptions {
  readonly service: string;
  readonly postgres: boolean;
  readonly nats: boolean;
  /** Overrides the environment, for tests that run several services in one process. */
  readonly config?: ServiceConfig;
  /**
   * pino-http's log line per request (default true). A service whose hot routes log their own errors and
   * rejections turns it off: it costs a child logger, header redaction and an AsyncLocalStorage scope (which
   * switches on promise hooks for the whole process) on every request, even when the level hides the line.
   */
  readonly requestLogs?: boolean;
}

let defaultMetricsStarted = false;

@Global()
@Module({})
export class PlatformModule {
  static forService(options: PlatformOptions): DynamicModule {
    const config = options.config ?? readConfig();
    if (!defaultMetricsStarted) {
      defaultMetricsStarted = true;
      register.setDefaultLabels({ service: options.service });
      collectDefaultMetrics();
    }
    const connections: Provider[] = [
      ...(options.postgres ? [PostgresConnection] : []),
      ...(options.nats ? [NatsConnection] : []),
    ];
    return {
      module: PlatformModule,
      imports: [
        LoggerModule.forRoot({
          pinoHttp: {
            name: options.service,
            level: config.logLevel,
            base: { service: options.service },
            autoLogging: { ignore: (req) => /^\/(health|metrics)/.test(req.url ?? '') },
            redact: ['req.headers.authorization', 'req.headers["webhook-signature"]'],
          },
          // No routes: the Nest logger (nestjs-pino) stays, the per-request middleware is never mounted.
          ...(options.requestLogs === false ? { forRoutes: [] } : {}),
        }),
      ],
      controllers: [HealthController],
      providers: [
        { provide: SERVICE_CONFIG, useValue: config },
        { provide: SERVICE_NAME, useValue: options.service },
        ...connections,
        {
          provide: READINESS_CHECKS,
          inject: connections.map((c) => c as never),
          useFactory: (...checks: { name: string; isReady(): Promise<boolean> | boolean }[]): ReadinessChecks => ({ checks }),
        },
      ],
      exports: [SERVICE_CONFIG, SERVICE_NAME, READINESS_CHECKS, ...connections],
    };
  }
}
