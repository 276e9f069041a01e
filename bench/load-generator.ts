// The load generator: a separate process (so its CPU is not the services' CPU in disguise) that sends signed
// usage webhooks to ingest, or authenticated GETs to the gateway (or any HTTP target), over a bounded number of
// keep-alive connections to 127.0.0.1, for a fixed time. Closed loop (every connection sends its next request
// as soon as the previous is answered: the saturation figure) or open loop at a fixed rate (latency at a
// given load, timed from when each request was due, so a stalled server cannot hide its stall).
//
// Started by bench/run.ts; `--spec` carries a LoadSpec as JSON and the LoadResult comes back over IPC.
import { createHmac } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { SignJWT } from 'jose';
import { Pool } from 'undici';
import { DEFAULT_CATALOG } from '@mai/domain';
import { seededRandom } from '@mai/testing';
import { notifyStarted, serveAsChild } from './lib/child';
import { progress } from './lib/progress';
import { LatencySummary, Samples, sleep, summarize } from './lib/stats';

interface Pacing {
  readonly target: string;
  readonly connections: number;
  readonly durationMs: number;
  /** Requests started before this are sent but not counted (JIT and connection warm-up). */
  readonly warmupMs: number;
  /** Open loop at this many requests a second; absent: closed loop, as fast as the connections allow. */
  readonly ratePerSecond?: number;
  /** Closed loop only: stop after this many requests (or at durationMs, whichever comes first). */
  readonly maxRequests?: number;
  readonly label: string;
}

export interface WebhookLoadSpec extends Pacing {
  readonly kind: 'webhook';
  readonly orgs: readonly { orgId: string; secret: string }[];
  readonly recordsPerRequest: number;
  readonly seed: number;
  /** Unique per run and phase, so generation ids and webhook ids never repeat across phases. */
  readonly idPrefix: string;
}

export interface GetLoadSpec extends Pacing {
  readonly kind: 'get';
  /** Cycled through, one per request. */
  readonly paths: readonly string[];
  /** Dashboard tokens: `users` distinct users spread over `orgIds`, used round robin (the 100/min limit is per user). */
  readonly auth?: { secret: string; issuer: string; audience: string; orgIds: readonly string[]; users: number; userPrefix: string };
}

export type LoadSpec = WebhookLoadSpec | GetLoadSpec;

export interface LoadResult {
  readonly label: string;
  /** Epoch ms when the first request (warm-up included) was sent, and when the last answer came. */
  readonly startedAt: number;
  readonly endedAt: number;
  /** The counted window: requests started in it, its length. */
  readonly windowMs: number;
  readonly requests: number;
  /** Every request answered, warm-up included (what the processes' CPU time was spent on). */
  readonly requestsTotal: number;
  readonly ok: number;
  readonly statuses: Record<string, number>;
  readonly requestsPerSecond: number;
  /** Webhooks: records the stream stored (202 `accepted`), in the window and in all. */
  readonly eventsAccepted: number;
  readonly eventsAcceptedTotal: number;
  readonly eventsPerSecond: number;
  readonly latency: LatencySummary;
  /** Open loop: requests that were due while too many were outstanding (not sent; the target could not keep up). */
  readonly missed: number;
  readonly generatorMaxRssMb: number;
  /** CPU the generator itself used (user + system), ms: its share of the machine. */
  readonly generatorCpuMs: number;
}

const MODELS = DEFAULT_CATALOG.map((model) => model.id);
const THREE_DAYS_MS = 3 * 86_400_000;

/** Builds signed webhook deliveries as cheaply as possible, so the generator is not what limits the figures. */
function webhookSource(spec: WebhookLoadSpec) {
  const random = seededRandom(spec.seed);
  const keys = spec.orgs.map((org) => ({ ...org, key: Buffer.from(org.secret.replace(/^whsec_/, ''), 'base64') }));
  let sequence = 0;
  return () => {
    const n = sequence++;
    const org = keys[n % keys.length];
    const now = Date.now();
    const records: string[] = [];
    for (let i = 0; i < spec.recordsPerRequest; i++) {
      const model = MODELS[Math.floor(random() * MODELS.length)];
      const cost = (Math.floor(random() * 50_000_000_000) / 1e12).toFixed(12);
      const createdAt = new Date(now - Math.floor(random() * THREE_DAYS_MS)).toISOString();
      records.push(
        `{"id":"${spec.idPrefix}-${n}-${i}","model":"${model}","total_cost":"${cost}","native_tokens_prompt":${Math.floor(random() * 4000)},` +
          `"native_tokens_completion":${Math.floor(random() * 1000)},"created_at":"${createdAt}","user":"user-${Math.floor(random() * 20)}"}`,
      );
    }
    const body = spec.recordsPerRequest === 1 ? records[0] : `{"data":[${records.join(',')}]}`;
    const webhookId = `${spec.idPrefix}-${n}`;
    const timestamp = String(Math.floor(now / 1000));
    const signature = createHmac('sha256', org.key).update(`${webhookId}.${timestamp}.`).update(body).digest('base64');
    return {
      path: `/v1/webhooks/openrouter/${org.orgId}`,
      method: 'POST' as const,
      headers: { 'content-type': 'application/json', 'webhook-id': webhookId, 'webhook-timestamp': timestamp, 'webhook-signature': `v1,${signature}` },
      body,
    };
  };
}

async function getSource(spec: GetLoadSpec) {
  let tokens: string[] = [];
  if (spec.auth) {
    const { secret, issuer, audience, orgIds, users, userPrefix } = spec.auth;
    const key = new TextEncoder().encode(secret);
    const now = Math.floor(Date.now() / 1000);
    tokens = await Promise.all(
      Array.from({ length: users }, (_, i) =>
        new SignJWT({ org: orgIds[i % orgIds.length], role: 'admin' })
          .setProtectedHeader({ alg: 'HS256' })
          .setSubject(`${userPrefix}-${i}`)
          .setIssuer(issuer)
          .setAudience(audience)
          .setIssuedAt(now)
          .setExpirationTime(now + 3600)
          .sign(key),
      ),
    );
  }
  let sequence = 0;
  return () => {
    const n = sequence++;
    return {
      path: spec.paths[n % spec.paths.length],
      method: 'GET' as const,
      headers: tokens.length > 0 ? { authorization: `Bearer ${tokens[n % tokens.length]}` } : {},
      body: undefined as string | undefined,
    };
  };
}

export async function generateLoad(spec: LoadSpec): Promise<LoadResult> {
  const next = spec.kind === 'webhook' ? webhookSource(spec) : await getSource(spec);
  const pool = new Pool(spec.target, { connections: spec.connections, pipelining: 1, keepAliveTimeout: 30_000 });
  const latencies = new Samples();
  const statuses: Record<string, number> = {};
  let requests = 0;
  let requestsTotal = 0;
  let ok = 0;
  let eventsAccepted = 0;
  let eventsAcceptedTotal = 0;
  let missed = 0;
  let outstanding = 0;

  notifyStarted();
  const cpuAtStart = process.cpuUsage();
  const startedAt = Date.now();
  const start = performance.now();
  const windowStart = start + spec.warmupMs;
  const end = windowStart + spec.durationMs;

  /** One request; `dueAt` is when it should have started (open loop) or did start (closed loop). */
  const send = async (dueAt: number): Promise<void> => {
    const counted = dueAt >= windowStart;
    const request = next();
    outstanding++;
    let status = 'error';
    let accepted = 0;
    try {
      const response = await pool.request(request);
      status = String(response.statusCode);
      if (spec.kind === 'webhook' && response.statusCode === 202) accepted = ((await response.body.json()) as { accepted: number }).accepted;
      else await response.body.dump();
    } catch {
      // connection refused or reset: counted under "error"
    } finally {
      outstanding--;
    }
    eventsAcceptedTotal += accepted;
    requestsTotal++;
    if (!counted) return;
    latencies.push(performance.now() - dueAt);
    requests++;
    statuses[status] = (statuses[status] ?? 0) + 1;
    if (status.startsWith('2')) ok++;
    eventsAccepted += accepted;
  };

  const reporter = setInterval(() => {
    const elapsed = (performance.now() - start) / 1000;
    progress(`${spec.label}: ${elapsed.toFixed(0)} s, ${requests} requests counted, ${outstanding} in flight`, 'load');
  }, 5_000);
  try {
    if (spec.ratePerSecond === undefined) {
      let started = 0;
      const limit = spec.maxRequests ?? Number.POSITIVE_INFINITY;
      const worker = async () => {
        while (performance.now() < end && started++ < limit) await send(performance.now());
      };
      await Promise.all(Array.from({ length: spec.connections }, worker));
    } else {
      const interval = 1000 / spec.ratePerSecond;
      const maxOutstanding = spec.connections * 8;
      const inFlight = new Set<Promise<void>>();
      let due = start;
      while (due < end) {
        const now = performance.now();
        while (due <= now && due < end) {
          if (outstanding >= maxOutstanding) {
            if (due >= windowStart) missed++;
          } else {
            const pending = send(due);
            inFlight.add(pending);
            void pending.finally(() => inFlight.delete(pending));
          }
          due += interval;
        }
        await sleep(Math.max(0, Math.min(due - performance.now(), 50)));
      }
      await Promise.all(inFlight);
    }
  } finally {
    clearInterval(reporter);
    await pool.close();
  }
  const windowMs = spec.durationMs;
  return {
    label: spec.label,
    startedAt,
    endedAt: Date.now(),
    windowMs,
    requests,
    requestsTotal,
    ok,
    statuses,
    requestsPerSecond: (requests / windowMs) * 1000,
    eventsAccepted,
    eventsAcceptedTotal,
    eventsPerSecond: (eventsAccepted / windowMs) * 1000,
    latency: summarize(latencies.toArray()),
    missed,
    generatorMaxRssMb: process.resourceUsage().maxRSS / 1024,
    generatorCpuMs: (({ user, system }) => (user + system) / 1000)(process.cpuUsage(cpuAtStart)),
  };
}

if (require.main === module) serveAsChild(generateLoad);
