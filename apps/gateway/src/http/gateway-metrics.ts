// Request counts and latencies per route, for /metrics.
import type { FastifyInstance } from 'fastify';
import { Counter, Histogram } from 'prom-client';

const requests = new Counter({ name: 'gateway_requests_total', help: 'Gateway requests answered, by route and status', labelNames: ['route', 'status'] as const });
const seconds = new Histogram({
  name: 'gateway_request_seconds',
  help: 'Time to answer a gateway request, by route',
  labelNames: ['route'] as const,
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
});

export function recordRequestMetrics(fastify: FastifyInstance): void {
  fastify.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    requests.inc({ route, status: reply.statusCode });
    seconds.observe({ route }, reply.elapsedTime / 1000);
    done();
  });
}
