// The message layer's ceiling: how many single-record usage events a second one Node process can store in
// JetStream with nothing in front of it, no HTTP, no validation, just async `js.publish` with a message id
// (so the server's duplicate window works as it does for ingest), the same header, the same expected stream,
// the same stream configuration and the same payload size as ingest's single-record event. Ingest's
// single-record webhook rate is reported as a fraction of this.
import { performance } from 'node:perf_hooks';
import { headers } from 'nats';
import { subjectsFor } from '@mai/config';
import { USAGE_EVENT_VERSION, encodeUsageEvent } from '@mai/domain';
import { connectNats, usageStreamConfig } from '@mai/messaging';
import { seededRandom } from '@mai/testing';
import { serveAsChild } from './lib/child';
import { assertAsIngestWouldRecord, benchRecord, usageEvent } from './lib/events';
import { progress } from './lib/progress';
import { LatencySummary, Samples, summarize } from './lib/stats';

export interface CeilingSpec {
  readonly natsUrl: string;
  /** A stream of its own, configured like the usage stream; created here and deleted afterwards. */
  readonly stream: string;
  readonly subjectPrefix: string;
  readonly orgs: number;
  /** Publishes awaiting their acknowledgement at any moment. */
  readonly window: number;
  readonly warmupMs: number;
  readonly durationMs: number;
}

export interface CeilingResult {
  readonly window: number;
  readonly payloadBytes: number;
  readonly published: number;
  readonly eventsPerSecond: number;
  /** Publish → acknowledgement, ms. */
  readonly ack: LatencySummary;
}

export async function measureCeiling(spec: CeilingSpec): Promise<CeilingResult> {
  // The services' own connection settings, so the ceiling and ingest run the same client.
  const link = await connectNats(spec.natsUrl, 'bench-jetstream-ceiling');
  const nc = link.connection;
  const jsm = await nc.jetstreamManager();
  const js = nc.jetstream();
  const config = { usageStream: spec.stream, subjectPrefix: spec.subjectPrefix };
  const subjects = subjectsFor(config);
  await jsm.streams.add(usageStreamConfig(config));
  try {
    const orgIds = Array.from({ length: spec.orgs }, (_, i) => `ceiling-${String(i).padStart(4, '0')}`);
    const random = seededRandom(7);
    // One single-record event per org, as ingest would publish it (webhook-id sized like a real one).
    const payloads = orgIds.map((orgId, i) => {
      const record = benchRecord(random, `gen-ceiling-${i}-${Math.floor(random() * 1e9).toString(36)}`, Date.now());
      assertAsIngestWouldRecord(record);
      return encodeUsageEvent(usageEvent(orgId, `msg_${i.toString(36).padStart(24, '0')}`, [record]));
    });
    const h = headers();
    h.set('Usage-Event-Version', String(USAGE_EVENT_VERSION));
    const acks = new Samples();
    let sequence = 0;
    let published = 0;
    const start = performance.now();
    const windowStart = start + spec.warmupMs;
    const end = windowStart + spec.durationMs;
    const reporter = setInterval(() => progress(`${published} acknowledged in the window so far`, 'ceiling'), 5_000);
    const lane = async () => {
      while (performance.now() < end) {
        const n = sequence++;
        const t0 = performance.now();
        await js.publish(subjects.usageRecorded(orgIds[n % orgIds.length]), payloads[n % payloads.length], {
          msgID: `ceiling:${n}`,
          headers: h,
          expect: { streamName: spec.stream },
          timeout: 5_000,
        });
        if (t0 >= windowStart) {
          acks.push(performance.now() - t0);
          published++;
        }
      }
    };
    try {
      await Promise.all(Array.from({ length: spec.window }, lane));
    } finally {
      clearInterval(reporter);
    }
    return {
      window: spec.window,
      payloadBytes: payloads[0].byteLength,
      published,
      eventsPerSecond: (published / spec.durationMs) * 1000,
      ack: summarize(acks.toArray()),
    };
  } finally {
    await jsm.streams.delete(spec.stream).catch(() => undefined);
    await link.close();
  }
}

if (require.main === module) serveAsChild(measureCeiling);
