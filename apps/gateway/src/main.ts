// gateway: the dashboard API (contract §5), its OpenAPI description, live updates, and the built dashboard.
import 'reflect-metadata';
import type { FastifyError, FastifyReply } from 'fastify';
import { readConfig } from '@mai/config';
import { createLogger, limitHeapGrowth, runMain, startHttpService } from '@mai/platform';
import { takeAccessTokenFromUrl } from './auth/query-token';
import { tokenKeySettings } from './auth/token-verifier';
import { DASHBOARD_DIST, serveDashboard } from './http/dashboard-site';
import { recordRequestMetrics } from './http/gateway-metrics';
import { publishOpenApi } from './http/openapi';
import { GatewayModule } from './gateway.module';

async function main(): Promise<void> {
  const config = readConfig();
  const keys = tokenKeySettings(config); // no way to verify tokens: stop now, with the reason
  const log = createLogger('gateway');
  await startHttpService(GatewayModule, {
    port: config.ports.gateway,
    fastify: {
      rewriteUrl: takeAccessTokenFromUrl,
      keepAliveTimeout: 10_000,
      // A URL Fastify cannot even route (bad percent-encoding) still gets the envelope.
      frameworkErrors: (error, _request, reply) => void (reply as FastifyReply).status(400).send({ success: false, error: error.message, status: 400 }),
    },
    configure: async (fastify, app) => {
      // Errors Fastify raises before a route runs (bad URL encoding, oversized headers) get the envelope too.
      fastify.setErrorHandler((error: FastifyError, _request, reply) => {
        const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 600 ? error.statusCode : 500;
        if (status >= 500) log.error({ err: error }, 'request failed unexpectedly');
        void reply.status(status).send({ success: false, error: status >= 500 ? 'internal error' : error.message, status });
      });
      recordRequestMetrics(fastify);
      publishOpenApi(app);
      await serveDashboard(fastify);
    },
  });
  log.info({ port: config.ports.gateway, tokens: keys.kind === 'secret' ? 'HS256 (JWT_SECRET)' : `${keys.algorithm} (JWKS)`, dashboard: DASHBOARD_DIST }, 'gateway listening');
}

// Each request allocates its answer and keeps nothing; what lives is the report cache and remembered tokens.
limitHeapGrowth(Number(process.env.GATEWAY_HEAP_GROWING_PERCENT ?? 50));
runMain('gateway', main);
