// A markup change made through the CLI applies to usage from its start on and to nothing before it, even to
// usage that arrives after the change; and replaying the stream into an empty database gives the same totals.
// Real pricing-fx, ingest and aggregator processes on a real NATS JetStream and PostgreSQL.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Pool } from 'pg';
import { Pipeline, ServiceProcess, TestEnvironment, WORKSPACE_ROOT, createTestEnvironment, generation, sendWebhook, startPipeline, waitFor } from '@mai/testing';

jest.setTimeout(90_000);

const run = promisify(execFile);

describe('markup changes from a date on', () => {
  let pipeline: Pipeline;
  let secret: string;
  const orgId = 'acme';

  beforeAll(async () => {
    pipeline = await startPipeline();
    secret = await pipeline.createOrg(orgId);
  });
  afterAll(() => pipeline?.stop());

  async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    try {
      const { stdout, stderr } = await run(process.execPath, ['-r', '@swc-node/register', 'apps/cli/src/main.ts', ...args], {
        cwd: WORKSPACE_ROOT,
        env: { PATH: process.env.PATH ?? '', ...pipeline.environment.env },
      });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failed = error as { code: number; stdout: string; stderr: string };
      return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
    }
  }

  const at = (instant: Date, offsetMs: number) => new Date(instant.getTime() + offsetMs).toISOString();
  const totalsByModel = (rows: { model: string; requests: number; raw_cost: string; markup_cost: string }[]) =>
    Object.fromEntries(rows.map((row) => [row.model, { requests: row.requests, raw: row.raw_cost, markup: row.markup_cost }]));

  it('refuses a --from in the past, or too soon for ingest to know of it', async () => {
    const past = await cli('markup', 'set', '1.5', '--from', '2026-01-01');
    expect(past).toMatchObject({ code: 2, stderr: expect.stringMatching(/too early: a markup change applies only to usage that has not happened yet/) });
    const tooSoon = await cli('markup', 'set', '1.5', '--from', at(new Date(), 60_000));
    expect(tooSoon).toMatchObject({ code: 2, stderr: expect.stringMatching(/at least 10 minutes from now/) });
  });

  it('prices usage before the change at the old markup and usage from it on at the new one, whenever it arrives', async () => {
    const from = new Date(Date.now() + 10 * 60_000 + 60_000);
    const scheduled = await cli('markup', 'set', '1.5', '--from', from.toISOString());
    expect(scheduled).toMatchObject({ code: 0, stdout: expect.stringContaining(`markup 1.5 from ${from.toISOString()} on`) });

    // Instead of waiting the ten minutes the CLI asks for, move the change (and when it was made) back by ten
    // minutes: as if the operator had run the command then. Ingest restarts with a snapshot taken after the
    // change, as every ingest has within those minutes.
    await pipeline.environment.pool.query(
      `UPDATE markup_rates SET effective_from = effective_from - interval '10 minutes', created_at = created_at - interval '10 minutes' WHERE rate = 1.5`,
    );
    const change = new Date(from.getTime() - 10 * 60_000); // about a minute from now
    await pipeline.services.ingest!.restart();

    const send = (webhookId: string, records: object[]) => sendWebhook(pipeline.ingestUrl, orgId, secret, webhookId, { data: records });
    const delivered = await send('wh-around-the-change', [
      generation({ model: 'openai/gpt-4o-mini', total_cost: '0.1', created_at: at(change, -2 * 86_400_000) }),
      generation({ model: 'openai/o3', total_cost: '0.2', created_at: at(change, -1) }),
      generation({ model: 'openai/gpt-4.1', total_cost: '0.2', created_at: change.toISOString() }),
      generation({ model: 'openai/o3', total_cost: '0.4', created_at: at(change, 30_000) }),
    ]);
    expect(delivered).toMatchObject({ status: 202, body: { accepted: 4 } });
    await pipeline.waitForRequests(orgId, 4);

    expect(totalsByModel(await totalsPerModel(pipeline.environment.pool))).toEqual({
      'openai/gpt-4o-mini': { requests: 1, raw: '0.1', markup: '0.13' }, // two days before: 1.3
      'openai/o3': { requests: 2, raw: '0.6', markup: '0.86' }, // 0.2 × 1.3 (a millisecond before) + 0.4 × 1.5
      'openai/gpt-4.1': { requests: 1, raw: '0.2', markup: '0.3' }, // at the very instant: 1.5
    });
  });

  it('leaves recorded usage alone when the markup changes again, and a replay reproduces the same rows', async () => {
    const before = await projectionRows(pipeline.environment.pool);
    expect(await cli('markup', 'set', '2', '--from', at(new Date(), 11 * 60_000))).toMatchObject({ code: 0 });
    const listed = await cli('markup', 'list');
    expect(listed.stdout.trim().split('\n').map((line) => line.split('\t').slice(1, 3))).toEqual([
      ['RATE', 'STATUS'],
      ['1.3', 'in force'],
      ['1.5', 'scheduled'], // about a minute from now
      ['2', 'scheduled'],
    ]);

    // A second projector reads the same stream from the start into a fresh database.
    const replayDatabase: TestEnvironment = await createTestEnvironment();
    const replay = await ServiceProcess.start('aggregator', {
      ...pipeline.environment.env,
      DATABASE_URL: replayDatabase.env.DATABASE_URL,
      AGGREGATOR_DURABLE: 'replay-x',
    });
    try {
      const replayed = await waitFor(
        async () => {
          const rows = await projectionRows(replayDatabase.pool);
          return rows.length === before.length && rows;
        },
        { what: 'the replay to project every row' },
      );
      expect(replayed).toEqual(before);
      expect(await projectionRows(pipeline.environment.pool)).toEqual(before);
    } finally {
      await replay.kill();
      await replayDatabase.dispose();
    }
  });
});

async function projectionRows(pool: Pool) {
  const { rows } = await pool.query(
    `SELECT org_id, to_char(usage_day, 'YYYY-MM-DD') AS usage_day, model, prompt_tokens::text, completion_tokens::text,
            total_tokens::text, requests::text, raw_cost::text, markup_cost::text
       FROM client_model_daily_usage ORDER BY org_id, usage_day, model`,
  );
  return rows;
}

async function totalsPerModel(pool: Pool): Promise<{ model: string; requests: number; raw_cost: string; markup_cost: string }[]> {
  const { rows } = await pool.query(
    `SELECT model, sum(requests)::int AS requests, sum(raw_cost)::text AS raw_cost, sum(markup_cost)::text AS markup_cost
       FROM client_model_daily_usage GROUP BY model`,
  );
  return rows;
}
