// Ingest end to end, beside its two baselines measured minutes apart on the same machine: the message layer's
// ceiling (raw JetStream publishing) and the seed design (one read-then-write transaction per event). Then
// the freshness of the dashboard under half of peak load.
import { connect } from 'nats';
import { OrganizationStore } from '@mai/persistence';
import { TEST_JWT_SECRET, createTestEnvironment, startFakeNbp, testServiceUrls } from '@mai/testing';
import { addDays, dayInZone } from '@mai/domain';
import type { CeilingResult, CeilingSpec } from '../jetstream-ceiling';
import type { LoadResult, WebhookLoadSpec } from '../load-generator';
import type { SeedDesignResult, SeedDesignSpec } from '../seed-design';
import type { ProbeResult, ProbeSpec } from '../visibility-prober';
import { runChild, startChild } from '../lib/child';
import { undoOnInterrupt } from '../lib/cleanup';
import { progress } from '../lib/progress';
import { CpuShare, MemoryLedger, meterCpu, startService, stopService } from '../lib/services';
import { waitForConsumer } from '../lib/stream';
import { count, ms } from '../lib/stats';

export interface IngestSizes {
  readonly orgs: number;
  /** An unreported run first, so that no measured shape pays for the services' JIT warm-up. */
  readonly warmUpMs: number;
  readonly ceiling: { window: number; warmupMs: number; durationMs: number };
  readonly seedDesign: { connections: number; warmupMs: number; durationMs: number };
  readonly single: { connections: number; warmupMs: number; durationMs: number };
  readonly batch: { recordsPerRequest: number; connections: number; warmupMs: number; durationMs: number };
  readonly visibility: { recordsPerRequest: number; fractionOfPeak: number; connections: number; warmupMs: number; durationMs: number; probeEveryMs: number; pollEveryMs: number };
}

export interface IngestRun {
  readonly recordsPerRequest: number;
  readonly connections: number;
  readonly load: LoadResult;
  /** Every accepted record (warm-up included) over the time from the first request to the projection caught up. */
  readonly projectedEventsPerSecond: number;
  /** From the last answer to the projection holding every accepted record. */
  readonly lagAfterLoadMs: number;
  /** From the first request to the projection caught up. */
  readonly cpu: CpuShare;
}

export interface IngestFigures {
  readonly ceiling: CeilingResult;
  readonly seedDesign: SeedDesignResult;
  readonly single: IngestRun;
  readonly batch: IngestRun;
  readonly visibility: { readonly recordsPerRequest: number; readonly ratePerSecond: number; readonly load: LoadResult; readonly probe: ProbeResult; readonly lagAfterLoadMs: number; readonly cpu: CpuShare };
}

const CHILD_TIMEOUT_MS = 5 * 60_000;
const CATCH_UP_TIMEOUT_MS = 3 * 60_000;

export async function benchIngest(sizes: IngestSizes, memory: MemoryLedger, serviceEnv: Record<string, string> = {}): Promise<IngestFigures> {
  const today = dayInZone(new Date(), 'UTC');
  const nbp = await startFakeNbp({ rate: { effectiveDate: addDays(today, -1), mid: 3.6521 } });
  const environment = await createTestEnvironment({ NBP_API_URL: nbp.url, LOG_LEVEL: 'warn', AGGREGATOR_ACK_WAIT_MS: '30000', ...serviceEnv });
  const { env, config } = environment;
  const tag = environment.runId;
  const nc = await connect({ servers: env.NATS_URL });
  const services: Awaited<ReturnType<typeof startService>>[] = [];
  const dropSeedDesign = () => environment.pool.query(`DROP DATABASE IF EXISTS "usage_t_${tag}_seed" WITH (FORCE)`).catch(() => undefined);
  const deleteCeilingStream = () => nc.jetstreamManager().then((jsm) => jsm.streams.delete(`${config.usageStream}_CEILING`)).catch(() => undefined);
  const release = undoOnInterrupt(async () => {
    await Promise.all([dropSeedDesign(), deleteCeilingStream()]);
    await environment.dispose();
  });
  try {
    progress(`ingest: fresh database ${config.databaseUrl.split('/').pop()} and stream ${config.usageStream}`);
    // pricing-fx first: ingest prices nothing without the catalog.
    services.push(await startService('pricing-fx', env));
    const [ingest, aggregator, gateway] = await Promise.all([startService('ingest', env), startService('aggregator', env), startService('gateway', env)]);
    services.push(ingest, aggregator, gateway);
    const store = new OrganizationStore(environment.pool);
    const orgs: { orgId: string; secret: string }[] = [];
    for (let i = 0; i < sizes.orgs; i++) {
      const orgId = `load-${String(i).padStart(4, '0')}`;
      orgs.push({ orgId, secret: (await store.create({ orgId })).secret });
    }
    const probeOrg = { orgId: 'probe', secret: (await store.create({ orgId: 'probe' })).secret };
    const jsm = await nc.jetstreamManager();

    progress(`message-layer ceiling: raw async JetStream publishes, ${sizes.ceiling.window} in flight, ${sizes.ceiling.durationMs / 1000} s`);
    const ceiling = await runChild<CeilingResult>(
      'jetstream-ceiling.ts',
      { natsUrl: env.NATS_URL, stream: `${config.usageStream}_CEILING`, subjectPrefix: `${config.subjectPrefix}ceiling.`, orgs: sizes.orgs, ...sizes.ceiling } satisfies CeilingSpec,
      { timeoutMs: CHILD_TIMEOUT_MS },
    );
    progress(`  → ${count(ceiling.eventsPerSecond)} events/s, ack p50 ${ms(ceiling.ack.p50)} ms, p99 ${ms(ceiling.ack.p99)} ms (${ceiling.payloadBytes} B payload)`);

    progress(`seed design: SELECT … FOR UPDATE then UPDATE or INSERT, one transaction per event, ${sizes.seedDesign.connections} connections, ${sizes.seedDesign.durationMs / 1000} s`);
    const seedDesign = await runChild<SeedDesignResult>(
      'seed-design.ts',
      { adminUrl: testServiceUrls().databaseUrl, database: `usage_t_${tag}_seed`, orgs: sizes.orgs, ...sizes.seedDesign } satisfies SeedDesignSpec,
      { timeoutMs: CHILD_TIMEOUT_MS },
    );
    progress(`  → ${count(seedDesign.eventsPerSecond)} events/s, transaction p50 ${ms(seedDesign.transaction.p50)} ms, p99 ${ms(seedDesign.transaction.p99)} ms`);

    type Measured = { load: LoadResult; projectedEventsPerSecond: number; lagAfterLoadMs: number; cpu: CpuShare };
    const run = async (label: string, shape: { recordsPerRequest: number; connections: number; warmupMs: number; durationMs: number; ratePerSecond?: number }): Promise<Measured> => {
      const spec: WebhookLoadSpec = { kind: 'webhook', target: ingest.url, orgs, seed: label.length * 7919, idPrefix: `${tag}-${label.replace(/\W+/g, '-')}`, label, ...shape };
      let meter: ReturnType<typeof meterCpu> | undefined;
      const onStarted = () => (meter = meterCpu({ ingest: ingest.pid, aggregator: aggregator.pid, gateway: gateway.pid }));
      const load = await runChild<LoadResult>('load-generator.ts', spec, { timeoutMs: CHILD_TIMEOUT_MS, onStarted });
      // Bounded, so that a stalled projection costs the run minutes, not the figures: it is reported as such.
      const caughtUp = await waitForConsumer(jsm, config.usageStream, 'aggregator', { timeoutMs: CATCH_UP_TIMEOUT_MS, label: `${label}, projection`, allowIncomplete: true });
      const cpu = (meter ?? meterCpu({})).stop({ 'load generator': load.generatorCpuMs });
      const projectedEventsPerSecond = caughtUp.complete ? load.eventsAcceptedTotal / ((caughtUp.doneAt - load.startedAt) / 1000) : NaN;
      return { load, projectedEventsPerSecond, lagAfterLoadMs: caughtUp.complete ? Math.max(0, caughtUp.doneAt - load.endedAt) : Infinity, cpu };
    };
    const describe = (r: Measured) =>
      `  → ${count(r.load.requestsPerSecond)} req/s, ${count(r.load.eventsPerSecond)} events/s accepted, ${count(r.projectedEventsPerSecond)} events/s projected ` +
      `(caught up ${count(r.lagAfterLoadMs)} ms after the load), answer p50 ${ms(r.load.latency.p50)} ms, p99 ${ms(r.load.latency.p99)} ms, statuses ${JSON.stringify(r.load.statuses)}`;

    progress(`warming the pipeline up (not reported): 1- and 100-record webhooks, ${(sizes.warmUpMs / 1000).toFixed(1)} s each`);
    for (const recordsPerRequest of [1, 100]) await run(`warm-up ${recordsPerRequest}`, { recordsPerRequest, connections: 16, warmupMs: 0, durationMs: sizes.warmUpMs });

    progress(`ingest, 1 record per webhook: ${sizes.single.connections} connections, ${sizes.single.durationMs / 1000} s`);
    const single = { recordsPerRequest: 1, connections: sizes.single.connections, ...(await run('single-record webhooks', { recordsPerRequest: 1, ...sizes.single })) };
    progress(describe(single));

    progress(`ingest, ${sizes.batch.recordsPerRequest} records per webhook: ${sizes.batch.connections} connections, ${sizes.batch.durationMs / 1000} s`);
    const batch = { ...(await run(`${sizes.batch.recordsPerRequest}-record webhooks`, sizes.batch)), recordsPerRequest: sizes.batch.recordsPerRequest, connections: sizes.batch.connections };
    progress(describe(batch));

    const peak = sizes.visibility.recordsPerRequest === 1 ? single : batch;
    const ratePerSecond = Math.max(1, Math.round(peak.load.requestsPerSecond * sizes.visibility.fractionOfPeak));
    progress(
      `freshness: ${sizes.visibility.recordsPerRequest}-record webhooks at ${ratePerSecond} req/s (${sizes.visibility.fractionOfPeak} of peak, ` +
        `${count(ratePerSecond * sizes.visibility.recordsPerRequest)} events/s) for ${sizes.visibility.durationMs / 1000} s, a probe every ${sizes.visibility.probeEveryMs} ms`,
    );
    const probeDelayMs = sizes.visibility.warmupMs + 1_500;
    const prober = startChild<ProbeResult>(
      'visibility-prober.ts',
      {
        ingest: ingest.url,
        gateway: gateway.url,
        orgId: probeOrg.orgId,
        secret: probeOrg.secret,
        jwt: { secret: TEST_JWT_SECRET, issuer: config.jwt.issuer, audience: config.jwt.audience },
        startDelayMs: probeDelayMs,
        durationMs: Math.max(1_000, sizes.visibility.durationMs - 2_500),
        intervalMs: sizes.visibility.probeEveryMs,
        pollIntervalMs: sizes.visibility.pollEveryMs,
        timeoutMs: 30_000,
        idPrefix: `${tag}-probe`,
      } satisfies ProbeSpec,
      { timeoutMs: CHILD_TIMEOUT_MS },
    );
    const visibilityRun = run('freshness load', {
      recordsPerRequest: sizes.visibility.recordsPerRequest,
      connections: sizes.visibility.connections,
      warmupMs: sizes.visibility.warmupMs,
      durationMs: sizes.visibility.durationMs,
      ratePerSecond,
    });
    const [probe, background] = await Promise.all([prober.result, visibilityRun]);
    progress(
      `  → ${probe.probes} probes, 202 → visible p50 ${ms(probe.visible.p50)} ms, p99 ${ms(probe.visible.p99)} ms, max ${ms(probe.visible.max)} ms` +
        `${probe.notVisible ? `, ${probe.notVisible} NOT visible within 30 s` : ''}; background ${count(background.load.requestsPerSecond)} req/s, answer p99 ${ms(background.load.latency.p99)} ms`,
    );
    return {
      ceiling,
      seedDesign,
      single,
      batch,
      visibility: { recordsPerRequest: sizes.visibility.recordsPerRequest, ratePerSecond, load: background.load, probe, lagAfterLoadMs: background.lagAfterLoadMs, cpu: background.cpu },
    };
  } finally {
    for (const service of services.reverse()) await stopService(service, 'ingest', memory);
    // Normally gone already; left behind only when a baseline failed half way.
    await Promise.all([dropSeedDesign(), deleteCeilingStream()]);
    await nc.close();
    await nbp.close();
    await environment.dispose();
    release();
    progress('ingest: services stopped, database and streams dropped');
  }
}
