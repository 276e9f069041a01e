// GET /health/live, /health/ready and /metrics (contract §1), shared by every HTTP process.
import { Controller, Get, Header, HttpCode, Inject, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { register } from 'prom-client';

export const READINESS_CHECKS = Symbol('READINESS_CHECKS');
export interface ReadinessChecks {
  readonly checks: readonly { name: string; isReady(): Promise<boolean> | boolean }[];
}

@Controller()
export class HealthController {
  constructor(@Inject(READINESS_CHECKS) private readonly readiness: ReadinessChecks) {}

  @Get('health/live')
  @HttpCode(200)
  live() {
    return { status: 'live' };
  }

  @Get('health/ready')
  async ready(@Res({ passthrough: true }) reply: FastifyReply) {
    const results = await Promise.all(this.readiness.checks.map(async (check) => [check.name, await check.isReady()] as const));
    const checks = Object.fromEntries(results);
    const ready = results.every(([, ok]) => ok);
    reply.status(ready ? 200 : 503);
    if (!ready) reply.header('Retry-After', '5');
    return { status: ready ? 'ready' : 'not-ready', checks };
  }

  @Get('metrics')
  @Header('Content-Type', register.contentType)
  metrics() {
    return register.metrics();
  }
}
