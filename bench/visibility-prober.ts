// The freshness prober: while the load generator keeps the pipeline busy, send one single-record webhook at a
// time for an org of its own, and after its 202 ask the gateway's usage-by-model (as the dashboard does) until
// the org's total_requests includes it. The time from the 202 to the first answer that shows the record is how
// stale the dashboard is under load. A separate process, at a low rate, so it measures rather than loads.
import { createHmac } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { SignJWT } from 'jose';
import { Pool } from 'undici';
import { serveAsChild } from './lib/child';
import { progress } from './lib/progress';
import { LatencySummary, Samples, sleep, summarize } from './lib/stats';

export interface ProbeSpec {
  readonly ingest: string;
  readonly gateway: string;
  readonly orgId: string;
  readonly secret: string;
  readonly jwt: { secret: string; issuer: string; audience: string };
  readonly startDelayMs: number;
  readonly durationMs: number;
  /** A new probe starts at most this often (one at a time). */
  readonly intervalMs: number;
  /** Pause between two reads of the report while waiting for a probe to show. */
  readonly pollIntervalMs: number;
  /** A probe not visible after this counts as a failure. */
  readonly timeoutMs: number;
  readonly idPrefix: string;
}

export interface ProbeResult {
  readonly probes: number;
  readonly notVisible: number;
  /** 202 → first report that includes the record, ms. */
  readonly visible: LatencySummary;
  /** The probe webhook's own answer time, ms. */
  readonly answer: LatencySummary;
  readonly reads: number;
}

const REPORT = '/api/v1/usage-tracking/my-organization/usage-by-model';

export async function probeVisibility(spec: ProbeSpec): Promise<ProbeResult> {
  const key = Buffer.from(spec.secret.replace(/^whsec_/, ''), 'base64');
  const jwtKey = new TextEncoder().encode(spec.jwt.secret);
  const now = Math.floor(Date.now() / 1000);
  // Many readers, so the gateway's 100 requests a minute per user never answers a read with 429.
  const tokens = await Promise.all(
    Array.from({ length: 500 }, (_, i) =>
      new SignJWT({ org: spec.orgId, role: 'admin' })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(`${spec.idPrefix}-reader-${i}`)
        .setIssuer(spec.jwt.issuer)
        .setAudience(spec.jwt.audience)
        .setIssuedAt(now)
        .setExpirationTime(now + 3600)
        .sign(jwtKey),
    ),
  );
  const ingest = new Pool(spec.ingest, { connections: 1 });
  const gateway = new Pool(spec.gateway, { connections: 1 });
  let reads = 0;
  const readTotalRequests = async (): Promise<number> => {
    const response = await gateway.request({ path: REPORT, method: 'GET', headers: { authorization: `Bearer ${tokens[reads++ % tokens.length]}` } });
    const body = (await response.body.json()) as { totals?: { total_requests: number } };
    if (response.statusCode !== 200) throw new Error(`usage-by-model answered ${response.statusCode}: ${JSON.stringify(body).slice(0, 200)}`);
    return body.totals?.total_requests ?? 0;
  };

  const visible = new Samples();
  const answer = new Samples();
  let probes = 0;
  let notVisible = 0;
  try {
    // The delay doubles as the gateway's warm-up, so the first probes do not pay for its JIT.
    const warmUntil = performance.now() + spec.startDelayMs;
    while (performance.now() < warmUntil) {
      await readTotalRequests();
      await sleep(spec.pollIntervalMs);
    }
    let expected = await readTotalRequests();
    const end = performance.now() + spec.durationMs;
    while (performance.now() < end) {
      const probeStart = performance.now();
      const n = probes++;
      const body = JSON.stringify({
        id: `${spec.idPrefix}-probe-${n}`,
        model: 'openai/gpt-4o-mini',
        total_cost: '0.000001',
        native_tokens_prompt: 1,
        native_tokens_completion: 1,
        created_at: new Date().toISOString(),
      });
      const webhookId = `${spec.idPrefix}-probe-${n}`;
      const timestamp = String(Math.floor(Date.now() / 1000));
      const signature = createHmac('sha256', key).update(`${webhookId}.${timestamp}.${body}`).digest('base64');
      const response = await ingest.request({
        path: `/v1/webhooks/openrouter/${spec.orgId}`,
        method: 'POST',
        headers: { 'content-type': 'application/json', 'webhook-id': webhookId, 'webhook-timestamp': timestamp, 'webhook-signature': `v1,${signature}` },
        body,
      });
      const accepted = await response.body.json();
      const acceptedAt = performance.now();
      if (response.statusCode !== 202) throw new Error(`the probe webhook answered ${response.statusCode}: ${JSON.stringify(accepted)}`);
      answer.push(acceptedAt - probeStart);
      expected += 1;
      let seen = false;
      while (performance.now() - acceptedAt < spec.timeoutMs) {
        if ((await readTotalRequests()) >= expected) {
          seen = true;
          break;
        }
        await sleep(spec.pollIntervalMs);
      }
      if (seen) visible.push(performance.now() - acceptedAt);
      else notVisible++;
      if (n % 20 === 19) progress(`${probes} probes, last visible after ${(performance.now() - acceptedAt).toFixed(0)} ms`, 'probe');
      await sleep(Math.max(0, probeStart + spec.intervalMs - performance.now()));
    }
  } finally {
    await Promise.all([ingest.close(), gateway.close()]);
  }
  return { probes, notVisible, visible: summarize(visible.toArray()), answer: summarize(answer.toArray()), reads };
}

if (require.main === module) serveAsChild(probeVisibility);
