// Scenario 12: Postgres row-level security as defence in depth (migration 007). The gateway reads as
// mai_gateway_reader with mai.org_id set for its transaction (withOrgScope), so even a query that forgets its
// org filter sees one org only, and nothing at all when no org is set; the reader can touch nothing else. The
// aggregator, as the tables' owner, is unaffected; the policies survive a projection table swap by rename.
import { Pool, PoolClient } from 'pg';
import { withOrgScope } from '@mai/persistence';
import { Pipeline, generation, sendWebhook, startPipeline } from '@mai/testing';
import { scenario } from './support/scenario';
import { API, call, hs256Token } from './support/tokens';

/** Runs `sql` as the reader role without any org set, in a transaction that is rolled back. */
async function asReaderWithoutOrg<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN; SET LOCAL ROLE mai_gateway_reader');
    return await work(client);
  } finally {
    await client.query('ROLLBACK').catch(() => undefined);
    client.release();
  }
}

const errorCode = (promise: Promise<unknown>) => promise.then(() => 'allowed', (error: { code?: string }) => error.code ?? 'error');

describe('faults: row-level security', () => {
  let pipeline: Pipeline;

  beforeAll(async () => {
    pipeline = await startPipeline(['pricing-fx', 'ingest', 'aggregator', 'gateway']);
  });
  afterAll(() => pipeline?.stop());

  scenario('12', 'row-level security behind the gateway\'s org filter', async (row) => {
    const pool = pipeline.environment.pool;
    const secrets = { acme: await pipeline.createOrg('acme'), globex: await pipeline.createOrg('globex') };
    await pipeline.createOrg('empty-org');
    const send = (org: 'acme' | 'globex', id: string, tokens: number) =>
      sendWebhook(pipeline.ingestUrl, org, secrets[org], id, generation({ model: 'openai/o3', native_tokens_prompt: tokens, native_tokens_completion: 0, user: `${org}-user` }));
    expect((await send('acme', 'rls-a', 111)).status).toBe(202);
    expect((await send('globex', 'rls-g', 999)).status).toBe(202);
    await pipeline.waitForRequests('acme', 1);
    await pipeline.waitForRequests('globex', 1);

    let probes = 0;
    let foreignRows = 0;
    const orgsSeen = async (orgId: string, table: string) => {
      probes++;
      // Deliberately no WHERE: the policy is what filters.
      const { rows } = await withOrgScope(pool, orgId, (client) => client.query<{ org_id: string }>(`SELECT DISTINCT org_id FROM ${table}`));
      const orgs = rows.map((r) => r.org_id);
      foreignRows += orgs.filter((org) => org !== orgId).length;
      return orgs;
    };
    expect(await orgsSeen('acme', 'client_model_daily_usage')).toEqual(['acme']);
    expect(await orgsSeen('globex', 'client_model_daily_usage')).toEqual(['globex']);
    expect(await orgsSeen('acme', 'org_monthly_users')).toEqual(['acme']);
    expect(await orgsSeen('empty-org', 'client_model_daily_usage')).toEqual([]);
    expect(await orgsSeen('', 'client_model_daily_usage')).toEqual([]);
    probes++;
    const withoutOrg = await asReaderWithoutOrg(pool, async (client) => (await client.query('SELECT count(*)::int AS n FROM client_model_daily_usage')).rows[0].n);
    expect(withoutOrg).toBe(0);

    // The reader can read the projection and nothing else, and write nothing.
    const denied: Record<string, string> = {};
    for (const sql of [
      'SELECT * FROM usage_ledger',
      'SELECT * FROM org_webhook_secrets',
      'SELECT * FROM org_ingest_tokens',
      'SELECT * FROM projection_checkpoints',
      "INSERT INTO client_model_daily_usage VALUES ('acme', '2026-01-01', 'openai/o3', 1, 1, 2, 1, 1, 1.3)",
      "UPDATE client_model_daily_usage SET requests = requests + 1000 WHERE org_id = 'acme'",
      'DELETE FROM client_model_daily_usage',
    ]) {
      probes++;
      denied[sql] = await asReaderWithoutOrg(pool, (client) => errorCode(client.query(sql)));
    }
    for (const code of Object.values(denied)) expect(code).toBe('42501'); // insufficient_privilege
    probes++;
    const inScope = await errorCode(withOrgScope(pool, 'acme', (client) => client.query("UPDATE client_model_daily_usage SET requests = 0 WHERE org_id = 'acme'")));
    expect(inScope).toBe('25006'); // read-only transaction

    // The owner (the aggregator's role) is not subject to the policies: the pipeline kept projecting.
    const owner = await pool.query('SELECT count(DISTINCT org_id)::int AS n FROM client_model_daily_usage');
    expect(owner.rows[0].n).toBe(2);

    // The gateway, reading through the policies, answers each org its own numbers.
    const acmeAnswer = await call(pipeline.services.gateway!.url, `${API}/usage-by-model`, await hs256Token({ org: 'acme' }));
    expect(acmeAnswer.status).toBe(200);
    expect(acmeAnswer.body.totals.total_tokens).toBe(111);

    // A rebuilt projection table swapped in by renames keeps the protection: a new table gets it from
    // mai_secure_projection_table (the rebuild copies the live table's access the same way), renamed tables
    // keep their policies and grants.
    await pool.query(`CREATE TABLE client_model_daily_usage_v99 (LIKE client_model_daily_usage INCLUDING ALL)`);
    await pool.query(`INSERT INTO client_model_daily_usage_v99 SELECT * FROM client_model_daily_usage`);
    await pool.query(`SELECT mai_secure_projection_table('client_model_daily_usage_v99')`);
    await pool.query(`BEGIN; ALTER TABLE client_model_daily_usage RENAME TO client_model_daily_usage_v98;
                      ALTER TABLE client_model_daily_usage_v99 RENAME TO client_model_daily_usage; COMMIT`);
    expect(await orgsSeen('acme', 'client_model_daily_usage')).toEqual(['acme']);
    expect(await orgsSeen('globex', 'client_model_daily_usage_v98')).toEqual(['globex']);
    const protectedTables = await pool.query<{ relname: string; rls: boolean; policies: number; reader_can_select: boolean }>(
      `SELECT c.relname, c.relrowsecurity AS rls, (SELECT count(*)::int FROM pg_policy p WHERE p.polrelid = c.oid) AS policies,
              has_table_privilege('mai_gateway_reader', c.oid, 'SELECT') AS reader_can_select
         FROM pg_class c WHERE c.relname IN ('client_model_daily_usage', 'client_model_daily_usage_v98', 'org_monthly_users') ORDER BY c.relname`,
    );
    expect(protectedTables.rows).toEqual([
      { relname: 'client_model_daily_usage', rls: true, policies: 1, reader_can_select: true },
      { relname: 'client_model_daily_usage_v98', rls: true, policies: 1, reader_can_select: true },
      { relname: 'org_monthly_users', rls: true, policies: 1, reader_can_select: true },
    ]);
    const afterSwap = await call(pipeline.services.gateway!.url, `${API}/usage-by-model`, await hs256Token({ org: 'globex' }));
    expect(afterSwap.body.totals.total_tokens).toBe(999);

    Object.assign(row, {
      done: `${probes} queries as mai_gateway_reader: unfiltered SELECTs under each org's scope, with an empty org and with none; reads of the ledger, secrets, ingest tokens and checkpoints; INSERT/UPDATE/DELETE (all 42501, or 25006 inside the read-only scope); then a projection table swapped by ALTER TABLE … RENAME after mai_secure_projection_table on the new one; the gateway answered each org its own totals before and after`,
      sent: probes,
      expected: 0,
      found: foreignRows,
    });
    expect(foreignRows).toBe(0);
  });
});
