// Rebuilding the projection from the stream while the real pipeline runs (pricing-fx, ingest, aggregator and
// gateway processes on NATS JetStream and PostgreSQL), with the CLI as a child process: identical rows after a
// rebuild, a rebuild racing live ingestion and dashboard reads, a rebuild SIGKILLed or interrupted halfway and
// resumed, drift caught by verify, and old versions dropped.
import { SignJWT } from 'jose';
import { Pool } from 'pg';
import { addDays, dayInZone } from '@mai/domain';
import {
  GenerationRecordBody,
  Pipeline,
  ProjectionRow,
  SentUsageLedger,
  TEST_JWT_SECRET,
  generation,
  projectionTotals,
  randomGeneration,
  seededRandom,
  sendWebhook,
  startPipeline,
  waitFor,
} from '@mai/testing';
import { CliProcess, runCli } from '../testing/cli-process';

const ALPHA = 'alpha';
const BETA = 'beta-co';

interface Sender {
  readonly ledgers: Record<string, SentUsageLedger>;
  send(orgId: string, webhookId: string, records: GenerationRecordBody[]): Promise<void>;
}

async function tableRows(pool: Pool, sql: string): Promise<Record<string, string>[]> {
  return (await pool.query(sql)).rows;
}

/** Everything a version holds, every column as Postgres prints it (all but updated_at), to compare byte for byte. */
async function projectionContent(pool: Pool, suffix = '') {
  return {
    daily: await tableRows(
      pool,
      `SELECT org_id, usage_day::text, model, prompt_tokens::text, completion_tokens::text, total_tokens::text, requests::text,
              raw_cost::text, markup_cost::text
         FROM client_model_daily_usage${suffix} ORDER BY org_id, usage_day, model`,
    ),
    users: await tableRows(pool, `SELECT org_id, month::text, user_id FROM org_monthly_users${suffix} ORDER BY 1, 2, 3`),
    ledger: await tableRows(
      pool,
      `SELECT org_id, generation_id, occurred_at::text, fingerprint, stream_seq::text FROM usage_ledger${suffix} ORDER BY org_id, generation_id`,
    ),
  };
}

async function versionsTable(pool: Pool): Promise<{ version: number; status: string }[]> {
  return (await pool.query('SELECT version, status FROM projection_versions ORDER BY version')).rows;
}

async function checkpointOf(pool: Pool, projection: string): Promise<number> {
  const { rows } = await pool.query('SELECT stream_seq FROM projection_checkpoints WHERE projection = $1', [projection]);
  return rows[0] ? Number(rows[0].stream_seq) : 0;
}

/** The org's requests in the last days as the dashboard API answers them (status, total). */
async function apiRequests(pipeline: Pipeline, orgId: string, timeZone: string): Promise<{ status: number; requests: number }> {
  const now = Math.floor(Date.now() / 1000);
  const token = await new SignJWT({ org: orgId, role: 'admin' })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(`reader-${now}@example.test`)
    .setIssuer('mai-usage')
    .setAudience('mai-dashboard')
    .setIssuedAt(now)
    .setExpirationTime(now + 600)
    .sign(new TextEncoder().encode(TEST_JWT_SECRET));
  const today = dayInZone(new Date(), timeZone);
  const response = await fetch(`${pipeline.services.gateway!.url}/api/v1/usage-tracking/my-organization/usage-by-model?start=${addDays(today, -4)}&end=${today}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  const body = (await response.json()) as { totals?: { total_requests: number } };
  return { status: response.status, requests: body.totals?.total_requests ?? -1 };
}

async function streamHead(pipeline: Pipeline): Promise<number> {
  const { connect } = await import('nats');
  const nc = await connect({ servers: pipeline.environment.env.NATS_URL });
  try {
    return (await (await nc.jetstreamManager()).streams.info(pipeline.environment.config.usageStream)).state.last_seq;
  } finally {
    await nc.close();
  }
}

describe('projection rebuild, verify and drop', () => {
  let pipeline: Pipeline;
  let env: Record<string, string>;
  let sender: Sender;
  const random = seededRandom(6);
  let generations = 0;
  const batchOf = (size: number) => Array.from({ length: size }, () => randomGeneration(random, generations++));

  beforeAll(async () => {
    pipeline = await startPipeline(['pricing-fx', 'ingest', 'aggregator', 'gateway']);
    env = pipeline.environment.env;
    const secrets: Record<string, string> = { [ALPHA]: await pipeline.createOrg(ALPHA, 'Europe/Warsaw'), [BETA]: await pipeline.createOrg(BETA) };
    sender = {
      ledgers: { [ALPHA]: new SentUsageLedger(), [BETA]: new SentUsageLedger() },
      async send(orgId, webhookId, records) {
        const response = await sendWebhook(pipeline.ingestUrl, orgId, secrets[orgId], webhookId, { data: records });
        if (response.status !== 202) throw new Error(`webhook ${webhookId} answered ${response.status}: ${JSON.stringify(response.body)}`);
        this.ledgers[orgId].acknowledge(records);
      },
    };
    // 300 deliveries of 20 records; every 10th re-sends 3 generations of the one before with other fields.
    const deliveries = Array.from({ length: 300 }, (_, i) => ({ orgId: i % 3 === 0 ? BETA : ALPHA, id: `seed-${i}`, records: batchOf(20) }));
    for (let i = 10; i < deliveries.length; i += 10) {
      const previous = deliveries.slice(0, i).reverse().find((d) => d.orgId === deliveries[i].orgId)!;
      deliveries[i].records.splice(0, 3, ...previous.records.slice(0, 3).map((r) => ({ ...r, total_cost: '7.5', native_tokens_prompt: 1 })));
    }
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < deliveries.length) {
          const delivery = deliveries[next++];
          await sender.send(delivery.orgId, delivery.id, delivery.records);
        }
      }),
    );
    for (const orgId of [ALPHA, BETA]) await pipeline.waitForRequests(orgId, sender.ledgers[orgId].size, 60_000);
    // A row of its own (10 days ago) summed by two aggregator batches to a round figure, 0.15 + 0.05: its text
    // must not depend on where batches split (NUMERIC keeps the larger scale: 0.20), or a rebuild differs.
    for (const [id, cost] of [['round-1', '0.15'], ['round-2', '0.05']]) {
      await sender.send(ALPHA, id, [generation({ model: 'openai/o3', total_cost: cost, created_at: new Date(Date.now() - 10 * 86_400_000).toISOString() })]);
      await pipeline.waitForRequests(ALPHA, sender.ledgers[ALPHA].size);
    }
  });

  afterAll(async () => {
    await CliProcess.killAll();
    await pipeline?.stop();
  });

  it('rebuild replays the stream into version 2 beside version 1 and swaps it in: identical rows, the old ones kept', async () => {
    const before = await projectionContent(pipeline.environment.pool);
    expect(before.daily.length).toBeGreaterThan(20);

    const run = await runCli(env, ['projection', 'rebuild']);
    expect(run.stderr).toContain('building projection version 2 beside live version 1 from seq 1');
    expect(run.stderr).toMatch(/rebuild v2 \[#+\]\s+100\.0%\s+302\/302 msgs\s+6,002 events\s+[\d,]+ events\/s\s+ETA 0:00/);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/replayed 302 messages \(6,002 events\) in [\d.]+ s: [\d,]+ events\/s/);
    expect(run.stdout).toContain('version 2 is live; version 1 is retired');

    expect(await projectionContent(pipeline.environment.pool)).toEqual(before);
    expect(await projectionContent(pipeline.environment.pool, '_v1')).toEqual(before);
    expect(await versionsTable(pipeline.environment.pool)).toEqual([
      { version: 1, status: 'retired' },
      { version: 2, status: 'live' },
    ]);
    expect(before.daily).toContainEqual(expect.objectContaining({ org_id: ALPHA, model: 'openai/o3', requests: '2', raw_cost: '0.2', markup_cost: '0.26' }));
    expect(await checkpointOf(pipeline.environment.pool, 'client_model_daily_usage')).toBe(302);
    expect(await checkpointOf(pipeline.environment.pool, 'client_model_daily_usage_v1')).toBe(302);

    // The aggregator carries on into the new tables.
    await sender.send(ALPHA, 'after-swap', batchOf(5));
    await pipeline.waitForRequests(ALPHA, sender.ledgers[ALPHA].size);
    expect(projectionTotals(await pipeline.projection(ALPHA))).toEqual(sender.ledgers[ALPHA].totals());

    const list = await runCli(env, ['projection', 'list']);
    expect(list.code).toBe(0);
    expect(list.stdout.split('\n')[0]).toBe('VERSION\tLOGIC\tSTATUS\tFROM SEQ\tCHECKPOINT\tBEHIND\tROWS\tCREATED\tLIVE FROM\tRETIRED/DROPPED');
    expect(list.stdout).toMatch(/^1\t1\tretired\t1\t302\t-\t\d+\t/m);
    expect(list.stdout).toMatch(/^2\t1\tlive\t1\t303\t0\t\d+\t/m);
  });

  it('verify agrees with the stream, catches a corrupted row, and a rebuild repairs it', async () => {
    const clean = await runCli(env, ['projection', 'verify']);
    expect(clean.code).toBe(0);
    expect(clean.stdout).toMatch(/^no drift: version 2 \(live\), all orgs, stream seq 1\.\.303: \d+ rows and \d+ org-months compared with [\d,]+ events \(\d+ repeats not counted\)$/m);

    const { rows } = await pipeline.environment.pool.query(
      `UPDATE client_model_daily_usage SET requests = requests + 1, raw_cost = raw_cost + 0.000000001
        WHERE (org_id, usage_day, model) = (SELECT org_id, usage_day, model FROM client_model_daily_usage WHERE org_id = $1 ORDER BY usage_day, model LIMIT 1)
        RETURNING to_char(usage_day, 'YYYY-MM-DD') AS day, model, requests::int AS requests`,
      [ALPHA],
    );
    const [corrupted] = rows;

    const drifted = await runCli(env, ['projection', 'verify', '--attempts', '1']);
    expect(drifted.code).toBe(1);
    expect(drifted.stdout).toContain(
      `drift ${ALPHA} ${corrupted.day} ${corrupted.model}: differs: requests projected ${corrupted.requests}, stream ${corrupted.requests - 1}; raw_cost projected `,
    );
    expect(drifted.stdout.trim().split('\n')).toHaveLength(1);
    expect(drifted.stderr).toMatch(/error: DRIFT: 1 rows and 0 org-months differ from the stream/);

    expect((await runCli(env, ['projection', 'verify', '--org', BETA])).code).toBe(0);
    const scoped = await runCli(env, ['projection', 'verify', '--org', ALPHA, '--month', corrupted.day.slice(0, 7), '--attempts', '1']);
    expect(scoped.code).toBe(1);
    expect(scoped.stdout).toContain(`drift ${ALPHA} ${corrupted.day} ${corrupted.model}`);

    const repaired = await runCli(env, ['projection', 'rebuild']);
    expect(repaired.code).toBe(0);
    expect(repaired.stdout).toContain('version 3 is live; version 2 is retired');
    expect((await runCli(env, ['projection', 'verify'])).code).toBe(0);
    // The corrupted row stays in the retired version, for inspection.
    expect((await runCli(env, ['projection', 'verify', '--version', '2', '--attempts', '1'])).code).toBe(1);
  });

  it('rebuild during concurrent ingestion and reads: the swap loses and doubles nothing, readers never notice it, verify finds no drift', async () => {
    let stop = false;
    let sent = 0;
    // A dashboard reader throughout (its own user per request, under the rate limit): every answer 200, and the
    // org's total never goes back, not even at the swap.
    const answers: { status: number; requests: number; at: number }[] = [];
    let rebuilding = { from: 0, to: 0 };
    const reader = (async () => {
      for (let i = 0; i < 150 && !stop; i++) {
        answers.push({ ...(await apiRequests(pipeline, ALPHA, 'Europe/Warsaw')), at: Date.now() });
        await new Promise((r) => setTimeout(r, 40));
      }
    })();
    const previous: Record<string, GenerationRecordBody[]> = {};
    const ingest = (async () => {
      // Bounded: at most 400 deliveries, stopped earlier by the test.
      for (let i = 0; i < 400 && !stop; i++) {
        const orgId = i % 2 ? ALPHA : BETA;
        const records = batchOf(10);
        // Now and then a generation sent before comes again, changed, under a new delivery: it counts once, as first sent.
        if (i % 7 === 0 && previous[orgId]) records.push({ ...previous[orgId][0], total_cost: '3' });
        previous[orgId] = records;
        await sender.send(orgId, `live-${i}`, records);
        sent++;
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    try {
      await waitFor(async () => sent >= 20, { what: 'ingestion under way' });
      const headBefore = await streamHead(pipeline);
      // Small batches stretch the rebuild over many transactions while deliveries keep arriving.
      rebuilding = { from: Date.now(), to: 0 };
      const run = await runCli(env, ['projection', 'rebuild', '--batch', '10']);
      rebuilding = { ...rebuilding, to: Date.now() };
      expect(run.code).toBe(0);
      expect(run.stdout).toContain('version 4 is live; version 3 is retired');
      // It replayed more than the stream held when it started: deliveries arrived during the rebuild and were
      // caught up before the swap.
      const [, first, last] = /seq (\d+)\.\.(\d+)\)/.exec(run.stderr)!.map(Number);
      const replayed = Number(/replayed ([\d,]+) messages/.exec(run.stdout)![1].replace(/,/g, ''));
      expect(replayed).toBeGreaterThan(last - first + 1);
      const sentAtSwap = sent;
      await waitFor(async () => sent >= sentAtSwap + 20, { what: 'ingestion after the swap' });
      expect(await streamHead(pipeline)).toBeGreaterThan(headBefore + 20);
    } finally {
      stop = true;
      await ingest;
      await reader;
    }
    expect(answers.filter((answer) => answer.at > rebuilding.from && answer.at < rebuilding.to).length).toBeGreaterThan(10);
    expect(answers.filter((answer) => answer.status !== 200)).toEqual([]);
    for (let i = 1; i < answers.length; i++) expect(answers[i].requests).toBeGreaterThanOrEqual(answers[i - 1].requests);
    for (const orgId of [ALPHA, BETA]) {
      await pipeline.waitForRequests(orgId, sender.ledgers[orgId].size, 60_000);
      await new Promise((r) => setTimeout(r, 300));
      expect(projectionTotals(await pipeline.projection(orgId))).toEqual(sender.ledgers[orgId].totals());
    }
    const verify = await runCli(env, ['projection', 'verify']);
    expect(verify.stdout).toMatch(/^no drift: version 4 \(live\)/m);
    expect(verify.code).toBe(0);
  });

  it('a rebuild SIGKILLed halfway leaves the live projection serving; a re-run resumes from its checkpoint', async () => {
    const before = await projectionContent(pipeline.environment.pool);
    const head = await streamHead(pipeline);
    // One message per batch: hundreds of transactions, so the kill lands in the middle.
    const rebuild = CliProcess.start(env, ['projection', 'rebuild', '--batch', '1']);
    const atKill = await waitFor(
      async () => {
        const seq = await checkpointOf(pipeline.environment.pool, 'client_model_daily_usage_v5');
        return seq >= 50 && seq;
      },
      { what: 'the rebuild half way', intervalMs: 10, timeoutMs: 60_000 },
    );
    rebuild.kill('SIGKILL');
    expect((await rebuild.wait()).signal).toBe('SIGKILL');
    const killedAt = await checkpointOf(pipeline.environment.pool, 'client_model_daily_usage_v5');
    expect(killedAt).toBeGreaterThanOrEqual(atKill);
    expect(killedAt).toBeLessThan(head);

    // The live tables are untouched and still projected into.
    expect(await projectionContent(pipeline.environment.pool)).toEqual(before);
    expect(await versionsTable(pipeline.environment.pool)).toContainEqual({ version: 5, status: 'building' });
    await sender.send(BETA, 'during-broken-rebuild', batchOf(4));
    await pipeline.waitForRequests(BETA, sender.ledgers[BETA].size);

    const resumed = await runCli(env, ['projection', 'rebuild']);
    expect(resumed.stderr).toContain(`resuming projection version 5 beside live version 4 from seq ${killedAt + 1}`);
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toContain('version 5 is live; version 4 is retired');
    for (const orgId of [ALPHA, BETA]) expect(projectionTotals(await pipeline.projection(orgId))).toEqual(sender.ledgers[orgId].totals());
    expect((await runCli(env, ['projection', 'verify'])).code).toBe(0);
  });

  it('SIGINT stops a rebuild after the batch in hand; running it again finishes the job', async () => {
    const rebuild = CliProcess.start(env, ['projection', 'rebuild', '--batch', '1']);
    await waitFor(async () => (await checkpointOf(pipeline.environment.pool, 'client_model_daily_usage_v6')) >= 20, {
      what: 'the rebuild under way',
      intervalMs: 10,
    });
    rebuild.kill('SIGINT');
    const interrupted = await rebuild.wait();
    expect(interrupted.code).toBe(1);
    expect(interrupted.stderr).toMatch(/error: interrupted: version 6 holds the stream up to seq (\d+); the live projection is untouched/);
    const heldUpTo = Number(/up to seq (\d+)/.exec(interrupted.stderr)![1]);
    expect(await checkpointOf(pipeline.environment.pool, 'client_model_daily_usage_v6')).toBe(heldUpTo);

    const list = await runCli(env, ['projection', 'list']);
    expect(list.stdout).toMatch(new RegExp(`^6\\t1\\tbuilding\\t1\\t${heldUpTo}\\t\\d+\\t`, 'm'));
    const finished = await runCli(env, ['projection', 'rebuild']);
    expect(finished.code).toBe(0);
    expect(finished.stderr).toContain(`resuming projection version 6 beside live version 5 from seq ${heldUpTo + 1}`);
    expect((await runCli(env, ['projection', 'verify'])).code).toBe(0);
  });

  it('--from-seq / --from-time with --no-swap build a partial version that verifies against its part of the stream', async () => {
    const head = await streamHead(pipeline);
    const fromSeq = await runCli(env, ['projection', 'rebuild', '--from-seq', String(head - 9), '--no-swap']);
    expect(fromSeq.code).toBe(0);
    expect(fromSeq.stderr).toContain(`building projection version 7 beside live version 6 from seq ${head - 9}`);
    expect(fromSeq.stdout).toContain(`replayed 10 messages`);
    expect(fromSeq.stdout).toContain(`version 7 is built up to seq ${head} and not live`);
    expect(await versionsTable(pipeline.environment.pool)).toContainEqual({ version: 7, status: 'building' });
    const verify7 = await runCli(env, ['projection', 'verify', '--version', '7', '--attempts', '1']);
    expect(verify7.stdout).toMatch(new RegExp(`^no drift: version 7 \\(building\\), all orgs, stream seq ${head - 9}\\.\\.${head}:`, 'm'));
    expect(verify7.code).toBe(0);
    // A resume cannot change where a version starts.
    expect((await runCli(env, ['projection', 'rebuild', '--from-seq', '1'])).stderr).toContain('version 7 is being built already');
    expect((await runCli(env, ['projection', 'drop', '7'])).code).toBe(0);

    const since = new Date();
    await new Promise((r) => setTimeout(r, 20));
    const recent = new SentUsageLedger();
    for (let i = 0; i < 3; i++) {
      const records = batchOf(5);
      await sender.send(BETA, `since-${i}`, records);
      recent.acknowledge(records);
    }
    await pipeline.waitForRequests(BETA, sender.ledgers[BETA].size);
    const fromTime = await runCli(env, ['projection', 'rebuild', '--from-time', since.toISOString(), '--no-swap']);
    expect(fromTime.code).toBe(0);
    expect(fromTime.stdout).toContain('replayed 3 messages (15 events)');
    const { rows } = await pipeline.environment.pool.query('SELECT start_seq::int AS start_seq, start_time FROM projection_versions WHERE version = 8');
    expect(rows[0]).toEqual({ start_seq: head + 1, start_time: since });
    const { rows: v8 } = await pipeline.environment.pool.query<ProjectionRow>(
      `SELECT org_id, total_tokens::float8 AS total_tokens, requests::float8 AS requests, raw_cost::text, markup_cost::text FROM client_model_daily_usage_v8`,
    );
    expect(projectionTotals(v8)).toEqual(recent.totals());
    expect((await runCli(env, ['projection', 'verify', '--version', '8', '--attempts', '1'])).code).toBe(0);
    const list = await runCli(env, ['projection', 'list']);
    expect(list.stdout).toMatch(new RegExp(`^8\\t1\\tbuilding\\t${head + 1} \\(${since.toISOString().replace(/\./g, '\\.')}\\)\\t${head + 3}\\t0\\t`, 'm'));
    expect((await runCli(env, ['projection', 'drop', '8'])).code).toBe(0);
    expect(await versionsTable(pipeline.environment.pool)).toContainEqual({ version: 6, status: 'live' });
  });

  it('drop removes a retired version; the live one cannot be dropped', async () => {
    const drop = await runCli(env, ['projection', 'drop', '1']);
    expect(drop.code).toBe(0);
    const { rows } = await pipeline.environment.pool.query(`SELECT to_regclass('client_model_daily_usage_v1') AS daily, to_regclass('usage_ledger_v1') AS ledger`);
    expect(rows[0]).toEqual({ daily: null, ledger: null });
    expect(await checkpointOf(pipeline.environment.pool, 'client_model_daily_usage_v1')).toBe(0);

    const live = await runCli(env, ['projection', 'drop', '6']);
    expect(live.code).toBe(1);
    expect(live.stderr).toContain('version 6 is live');
    expect((await runCli(env, ['projection', 'drop', '1'])).stderr).toContain('version 1 was dropped already');
    const list = await runCli(env, ['projection', 'list']);
    expect(list.stdout).toMatch(/^1\t1\tdropped\t1\t-\t-\t-\t/m);
  });
});
