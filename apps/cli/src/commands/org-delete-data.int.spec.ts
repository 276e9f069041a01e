// Erasing an organization's usage data (GDPR) against the real pipeline, gateway included: after
// `org delete-data`, neither the stream, nor any projection version, nor the API, nor a replay shows any of it,
// the other org is untouched, and the erasure is on record.
import { SignJWT } from 'jose';
import { connect } from 'nats';
import { Pool } from 'pg';
import { addDays, dayInZone } from '@mai/domain';
import { Pipeline, SentUsageLedger, TEST_JWT_SECRET, projectionTotals, randomGeneration, seededRandom, sendWebhook, startPipeline } from '@mai/testing';
import { CliProcess, runCli } from '../testing/cli-process';

const VICTIM = 'leaving-co';
const KEEPER = 'staying-co';
const API = '/api/v1/usage-tracking/my-organization';

async function tokenFor(orgId: string): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ org: orgId, role: 'admin' })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(`admin@${orgId}.test`)
    .setIssuer('mai-usage')
    .setAudience('mai-dashboard')
    .setIssuedAt(now)
    .setExpirationTime(now + 600)
    .sign(new TextEncoder().encode(TEST_JWT_SECRET));
}

async function rowsOf(pool: Pool, orgId: string, suffix: string): Promise<{ daily: number; users: number; ledger: number }> {
  const count = async (table: string) => Number((await pool.query(`SELECT count(*) AS n FROM ${table}${suffix} WHERE org_id = $1`, [orgId])).rows[0].n);
  return { daily: await count('client_model_daily_usage'), users: await count('org_monthly_users'), ledger: await count('usage_ledger') };
}

describe('org delete-data: erasing an organization\'s usage on request', () => {
  let pipeline: Pipeline;
  let env: Record<string, string>;
  const ledgers: Record<string, SentUsageLedger> = { [VICTIM]: new SentUsageLedger(), [KEEPER]: new SentUsageLedger() };
  const secrets: Record<string, string> = {};
  const random = seededRandom(42);
  let generations = 0;
  // Records happen within the last 3 days (UTC orgs): ask for the last 4.
  const period = () => `start=${addDays(dayInZone(new Date(), 'UTC'), -4)}&end=${dayInZone(new Date(), 'UTC')}`;

  const send = async (orgId: typeof VICTIM | typeof KEEPER, webhookId: string, size: number) => {
    const records = Array.from({ length: size }, () => randomGeneration(random, generations++));
    const response = await sendWebhook(pipeline.ingestUrl, orgId, secrets[orgId], webhookId, { data: records });
    expect(response.status).toBe(202);
    ledgers[orgId].acknowledge(records);
  };
  const usageByModel = async (orgId: string) => {
    const response = await fetch(`${pipeline.services.gateway!.url}${API}/usage-by-model?${period()}`, { headers: { authorization: `Bearer ${await tokenFor(orgId)}` } });
    expect(response.status).toBe(200);
    return (await response.json()) as { totals: { total_tokens: number; total_requests: number; raw_cost: number }; model_usage: { total_requests: number }[] };
  };
  const streamSubjects = async (): Promise<Record<string, number>> => {
    const nc = await connect({ servers: env.NATS_URL });
    try {
      const info = await (await nc.jetstreamManager()).streams.info(pipeline.environment.config.usageStream, { subjects_filter: '>' });
      return info.state.subjects ?? {};
    } finally {
      await nc.close();
    }
  };

  beforeAll(async () => {
    pipeline = await startPipeline(['pricing-fx', 'ingest', 'aggregator', 'gateway']);
    env = pipeline.environment.env;
    secrets[VICTIM] = await pipeline.createOrg(VICTIM);
    secrets[KEEPER] = await pipeline.createOrg(KEEPER);
    for (let i = 0; i < 30; i++) await send(i % 2 ? VICTIM : KEEPER, `before-${i}`, 10);
    for (const orgId of [VICTIM, KEEPER]) await pipeline.waitForRequests(orgId, ledgers[orgId].size);
    // A rebuild first, so that a retired version (1) holds the org's rows too, and the gateway reads swapped-in tables.
    const rebuild = await runCli(env, ['projection', 'rebuild']);
    expect(rebuild.stdout).toContain('version 2 is live; version 1 is retired');
  });

  afterAll(async () => {
    await CliProcess.killAll();
    await pipeline?.stop();
  });

  it('is refused without --confirm, and then nothing is touched', async () => {
    const refused = await runCli(env, ['org', 'delete-data', VICTIM]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('add --confirm');
    expect((await rowsOf(pipeline.environment.pool, VICTIM, '')).daily).toBeGreaterThan(0);
    expect((await streamSubjects())[`${env.NATS_SUBJECT_PREFIX}usage.v1.recorded.${VICTIM}`]).toBe(15);
  });

  it('removes the org from the stream, every projection version, the ledger and the API, and records the erasure', async () => {
    const before = await usageByModel(VICTIM);
    expect(before.totals.total_requests).toBe(ledgers[VICTIM].size);
    const keeperBefore = await usageByModel(KEEPER);
    const keeperRows = { live: await rowsOf(pipeline.environment.pool, KEEPER, ''), retired: await rowsOf(pipeline.environment.pool, KEEPER, '_v1') };
    const victimRows = await rowsOf(pipeline.environment.pool, VICTIM, '');

    const erase = await runCli(env, ['org', 'delete-data', VICTIM, '--confirm', '--by', 'dpo@example.test']);
    expect(erase.stderr).toBe('');
    expect(erase.code).toBe(0);
    expect(erase.stdout).toContain(`purged 15 messages of ${VICTIM} from the stream ${pipeline.environment.config.usageStream} and 0 from ${pipeline.environment.config.usageStream}_DLQ`);
    expect(erase.stdout).toContain(
      `deleted ${victimRows.daily * 2} daily rows, ${victimRows.users * 2} monthly user rows and ${victimRows.ledger * 2} ledger rows of ${VICTIM} from projection versions 1, 2`,
    );
    expect(erase.stdout).toMatch(new RegExp(`recorded as erasure #1 of ${VICTIM}, requested by dpo@example\\.test, at \\d{4}-`));

    // The stream: no message on the org's subject; the other org's are all there.
    const subjects = await streamSubjects();
    expect(subjects[`${env.NATS_SUBJECT_PREFIX}usage.v1.recorded.${VICTIM}`]).toBeUndefined();
    expect(subjects[`${env.NATS_SUBJECT_PREFIX}usage.v1.recorded.${KEEPER}`]).toBe(15);
    // The tables, live and retired.
    for (const suffix of ['', '_v1']) expect(await rowsOf(pipeline.environment.pool, VICTIM, suffix)).toEqual({ daily: 0, users: 0, ledger: 0 });
    expect(await rowsOf(pipeline.environment.pool, KEEPER, '')).toEqual(keeperRows.live);
    expect(await rowsOf(pipeline.environment.pool, KEEPER, '_v1')).toEqual(keeperRows.retired);
    // The API.
    const after = await usageByModel(VICTIM);
    expect(after.totals).toMatchObject({ total_tokens: 0, total_requests: 0, raw_cost: 0 });
    expect(after.model_usage.every((line) => line.total_requests === 0)).toBe(true);
    expect(await usageByModel(KEEPER)).toEqual(keeperBefore);
    // The record.
    const { rows } = await pipeline.environment.pool.query('SELECT * FROM org_data_deletions');
    expect(rows).toEqual([
      expect.objectContaining({
        org_id: VICTIM,
        requested_by: 'dpo@example.test',
        stream_messages: '15',
        dead_letter_messages: '0',
        daily_rows: String(victimRows.daily * 2),
        monthly_user_rows: String(victimRows.users * 2),
        ledger_rows: String(victimRows.ledger * 2),
        versions: [1, 2],
      }),
    ]);
  });

  it('a replay of the stream shows none of it either, and the org counts new usage from zero', async () => {
    const rebuild = await runCli(env, ['projection', 'rebuild']);
    expect(rebuild.code).toBe(0);
    expect(rebuild.stdout).toContain('replayed 15 messages (150 events)');
    expect(await rowsOf(pipeline.environment.pool, VICTIM, '')).toEqual({ daily: 0, users: 0, ledger: 0 });
    expect(projectionTotals(await pipeline.projection(KEEPER))).toEqual(ledgers[KEEPER].totals());
    expect((await runCli(env, ['projection', 'verify'])).code).toBe(0);

    const fresh = new SentUsageLedger();
    ledgers[VICTIM] = fresh;
    await send(VICTIM, 'after-erasure', 3);
    await pipeline.waitForRequests(VICTIM, 3);
    expect((await usageByModel(VICTIM)).totals.total_requests).toBe(3);
    expect(projectionTotals(await pipeline.projection(VICTIM))).toEqual(fresh.totals());
  });
});
