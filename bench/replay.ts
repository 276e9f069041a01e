// Benchmark: how fast `projection rebuild` replays the usage stream, and how fast `projection verify` re-folds it.
//
//   node -r @swc-node/register bench/replay.ts [--events 1000000] [--per-message 100] [--orgs 200] [--batch 1000] [--keep]
//
// Seeds a fresh stream directly with js.publish (messages of `--per-message` usage records, as ingest writes a
// webhook batch; 1 % of records re-send a generation of the org's previous message, as retries do), over a fresh database whose live projection is
// empty, then runs the real CLI as a child process: `projection rebuild` (replay into version 2 and swap) and
// `projection verify` (fold in memory, compare). Prints events/s (usage records) and messages/s. Needs Postgres
// and NATS (DATABASE_URL / NATS_URL, defaults the local ones).
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { connect, headers } from 'nats';
import { subjectsFor } from '@mai/config';
import { DEFAULT_CATALOG, USAGE_EVENT_VERSION, UsageRecord, UsageRecorded, addDays, dayInZone, encodeUsageEvent } from '@mai/domain';
import { ensureUsageStreams } from '@mai/messaging';
import { createPool, ensureDatabase, migrate } from '@mai/persistence';
import { WORKSPACE_ROOT, appNodeArgs, seededRandom, testServiceUrls } from '@mai/testing';

const { values: args } = parseArgs({
  options: {
    events: { type: 'string', default: '1000000' },
    'per-message': { type: 'string', default: '100' },
    orgs: { type: 'string', default: '200' },
    batch: { type: 'string', default: '1000' },
    keep: { type: 'boolean', default: false },
  },
});
const EVENTS = Number(args.events);
const PER_MESSAGE = Number(args['per-message']);
const ORGS = Number(args.orgs);
const DAYS = 30;
const say = (message: string) => process.stdout.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
const grouped = (n: number) => Math.round(n).toLocaleString('en-US');

async function main(): Promise<void> {
  const runId = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  const { databaseUrl: adminUrl, natsUrl } = testServiceUrls();
  const databaseUrl = new URL(adminUrl);
  databaseUrl.pathname = `/usage_bench_${runId}`;
  const env = {
    DATABASE_URL: databaseUrl.toString(),
    NATS_URL: natsUrl,
    USAGE_STREAM: `USAGE_BENCH_${runId.toUpperCase()}`,
    NATS_SUBJECT_PREFIX: `bench${runId}.`,
    LOG_LEVEL: 'warn',
  };
  say(`machine: ${cpus().length} cores (${cpus()[0]?.model.trim()}), node ${process.version}`);
  await ensureDatabase(env.DATABASE_URL);
  const pool = createPool(env.DATABASE_URL, { max: 2, application_name: 'bench' });
  const nc = await connect({ servers: natsUrl });
  const jsm = await nc.jetstreamManager();
  const config = { usageStream: env.USAGE_STREAM, subjectPrefix: env.NATS_SUBJECT_PREFIX };
  try {
    await migrate(pool);
    await ensureUsageStreams(jsm, config);
    const seeded = await seed(nc.jetstream(), config);
    const info = await jsm.streams.info(env.USAGE_STREAM);
    say(`stream ${env.USAGE_STREAM}: ${grouped(info.state.messages)} messages, ${grouped(seeded)} usage records, ${(info.state.bytes / 1e6).toFixed(0)} MB`);

    const rebuild = await cli(env, ['projection', 'rebuild', '--batch', args.batch!]);
    const replayed = /replayed ([\d,]+) messages \(([\d,]+) events\) in ([\d.]+) s: ([\d,]+) events\/s/.exec(rebuild.stdout);
    if (rebuild.code !== 0 || !replayed) throw new Error(`rebuild failed (${rebuild.code}):\n${rebuild.stdout}\n${rebuild.stderr}`);
    const [messages, records, seconds] = [replayed[1], replayed[2], replayed[3]].map((text) => Number(text.replace(/,/g, '')));
    const { rows } = await pool.query(`SELECT count(*)::int AS rows, pg_size_pretty(pg_total_relation_size('usage_ledger')) AS ledger FROM client_model_daily_usage`);

    const verify = await cli(env, ['projection', 'verify']);
    if (verify.code !== 0) throw new Error(`verify failed (${verify.code}):\n${verify.stdout}\n${verify.stderr}`);

    say('summary');
    console.table({
      'projection rebuild (replay + swap)': {
        events: records,
        messages,
        seconds,
        'events/s': Math.round(records / seconds),
        'messages/s': Math.round(messages / seconds),
        'process wall s': rebuild.wallSeconds,
      },
      'projection verify (fold + compare)': {
        events: records,
        messages,
        seconds: verify.wallSeconds,
        'events/s': Math.round(records / verify.wallSeconds),
        'messages/s': Math.round(messages / verify.wallSeconds),
        'process wall s': verify.wallSeconds,
      },
    });
    say(`projection: ${grouped(rows[0].rows)} daily rows, ledger ${rows[0].ledger}; verify: ${verify.stdout.trim().split('\n').at(-1)}`);
  } finally {
    await pool.end();
    if (!args.keep) {
      for (const stream of [env.USAGE_STREAM, `${env.USAGE_STREAM}_DLQ`]) await jsm.streams.delete(stream).catch(() => undefined);
      const admin = createPool(adminUrl, { max: 1 });
      await admin.query(`DROP DATABASE IF EXISTS "usage_bench_${runId}" WITH (FORCE)`).catch(() => undefined);
      await admin.end();
      say('dropped the benchmark stream and database (use --keep to keep them)');
    }
    await nc.close();
  }
}

/** EVENTS usage records in messages of PER_MESSAGE, one org per message, over the last 30 days; 1 % re-sent. */
async function seed(js: ReturnType<Awaited<ReturnType<typeof connect>>['jetstream']>, config: { usageStream: string; subjectPrefix: string }): Promise<number> {
  const random = seededRandom(2026);
  const subjects = subjectsFor(config);
  const today = dayInZone(new Date(), 'UTC');
  const messages = Math.ceil(EVENTS / PER_MESSAGE);
  const started = Date.now();
  let next = 0;
  let records = 0;
  // The org's last message's records: a re-send takes one of them again, under a new delivery.
  const sentBefore = new Map<string, UsageRecord[]>();
  const makeEvent = (index: number): UsageRecorded => {
    const orgId = `org-${String(index % ORGS).padStart(4, '0')}`;
    const earlier = sentBefore.get(orgId) ?? [];
    const list: UsageRecord[] = [];
    for (let i = 0; i < PER_MESSAGE && records < EVENTS; i++, records++) {
      if (earlier.length > 0 && random() < 0.01) {
        list.push(earlier[Math.floor(random() * earlier.length)]);
        continue;
      }
      const day = addDays(today, -Math.floor(random() * DAYS));
      const model = DEFAULT_CATALOG[Math.floor(random() * DEFAULT_CATALOG.length)];
      list.push({
        generationId: `gen-${index}-${i}`,
        model: model.id,
        provider: model.provider,
        rawCostUsd: (Math.floor(random() * 50_000_000_000) / 1e12).toFixed(12).replace(/0+$/, '').replace(/\.$/, ''),
        markupRate: '1.3',
        promptTokens: Math.floor(random() * 4000),
        completionTokens: Math.floor(random() * 1000),
        occurredAt: `${day}T${String(Math.floor(random() * 24)).padStart(2, '0')}:00:00.000Z`,
        usageDay: day,
        user: `user-${Math.floor(random() * 50)}`,
      });
    }
    sentBefore.set(orgId, list);
    return {
      type: 'UsageRecorded',
      version: USAGE_EVENT_VERSION,
      data: { orgId, timeZone: 'UTC', records: list },
      metadata: { source: 'webhook', deliveryId: `bench-${index}`, receivedAt: new Date(started + index).toISOString() },
    };
  };
  // 64 publishes in flight: acknowledged, ordered by the stream, and quick.
  await Promise.all(
    Array.from({ length: 64 }, async () => {
      while (next < messages) {
        const index = next++;
        const event = makeEvent(index);
        const h = headers();
        h.set('Usage-Event-Version', String(event.version));
        await js.publish(subjects.usageRecorded(event.data.orgId), encodeUsageEvent(event), { msgID: `${event.data.orgId}:${event.metadata.deliveryId}`, headers: h });
        if (index > 0 && index % 2000 === 0) say(`seeded ${grouped(index)}/${grouped(messages)} messages`);
      }
    }),
  );
  say(`seeded ${grouped(records)} usage records in ${grouped(messages)} messages in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return records;
}

function cli(env: Record<string, string>, argv: string[]): Promise<{ code: number | null; stdout: string; stderr: string; wallSeconds: number }> {
  const started = Date.now();
  say(`npm run cli -- ${argv.join(' ')}`);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...appNodeArgs('cli'), ...argv], {
      cwd: WORKSPACE_ROOT,
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk;
      process.stderr.write(chunk); // the progress lines
    });
    child.on('close', (code) => resolve({ code, stdout, stderr, wallSeconds: Math.round((Date.now() - started) / 100) / 10 }));
  });
}

main().catch((error) => {
  process.stderr.write(`${(error as Error).stack ?? error}\n`);
  process.exit(1);
});
