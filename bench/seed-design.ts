// The seed design, as the baseline our ingest is measured against: every usage event is its own transaction
// that reads the (org, day, model) row FOR UPDATE, then updates it or inserts it (the original naive
// `record_usage`). Written here as a PL/pgSQL function, so each event costs one round trip — the fastest form
// that design takes — and driven by several connections at once, as a web server's pool would. It does less
// than our pipeline (no signature, no validation, no log, no exactly-once ledger), so the ratio flatters it.
// Runs in a database of its own, created here and dropped afterwards.
import { performance } from 'node:perf_hooks';
import { Pool } from 'pg';
import { seededRandom } from '@mai/testing';
import { ensureDatabase } from '@mai/persistence';
import { serveAsChild } from './lib/child';
import { benchRecord } from './lib/events';
import { progress } from './lib/progress';
import { LatencySummary, Samples, summarize } from './lib/stats';

export interface SeedDesignSpec {
  readonly adminUrl: string;
  readonly database: string;
  readonly connections: number;
  readonly orgs: number;
  readonly warmupMs: number;
  readonly durationMs: number;
}

export interface SeedDesignResult {
  readonly connections: number;
  readonly events: number;
  readonly eventsPerSecond: number;
  /** Insert races lost to another connection, retried (the naive design's only conflict handling). */
  readonly retries: number;
  readonly transaction: LatencySummary;
}

const SCHEMA = `
CREATE TABLE seed_daily_usage (
  org_id            text    NOT NULL,
  usage_day         date    NOT NULL,
  model             text    NOT NULL,
  prompt_tokens     bigint  NOT NULL,
  completion_tokens bigint  NOT NULL,
  total_tokens      bigint  NOT NULL,
  requests          bigint  NOT NULL,
  raw_cost          numeric NOT NULL,
  markup_cost       numeric NOT NULL,
  updated_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, usage_day, model)
);
CREATE FUNCTION record_usage(p_org text, p_day date, p_model text, p_prompt bigint, p_completion bigint, p_raw numeric, p_rate numeric)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  existing seed_daily_usage%ROWTYPE;
BEGIN
  SELECT * INTO existing FROM seed_daily_usage
   WHERE org_id = p_org AND usage_day = p_day AND model = p_model
   FOR UPDATE;
  IF FOUND THEN
    UPDATE seed_daily_usage SET
      prompt_tokens     = existing.prompt_tokens + p_prompt,
      completion_tokens = existing.completion_tokens + p_completion,
      total_tokens      = existing.total_tokens + p_prompt + p_completion,
      requests          = existing.requests + 1,
      raw_cost          = existing.raw_cost + p_raw,
      markup_cost       = existing.markup_cost + p_raw * p_rate,
      updated_at        = now()
    WHERE org_id = p_org AND usage_day = p_day AND model = p_model;
  ELSE
    INSERT INTO seed_daily_usage (org_id, usage_day, model, prompt_tokens, completion_tokens, total_tokens, requests, raw_cost, markup_cost)
    VALUES (p_org, p_day, p_model, p_prompt, p_completion, p_prompt + p_completion, 1, p_raw, p_raw * p_rate);
  END IF;
END $$;`;

export async function measureSeedDesign(spec: SeedDesignSpec): Promise<SeedDesignResult> {
  const url = new URL(spec.adminUrl);
  url.pathname = `/${spec.database}`;
  await ensureDatabase(url.toString());
  const pool = new Pool({ connectionString: url.toString(), max: spec.connections, application_name: 'bench-seed-design' });
  // A connection closed under us (a Postgres restart elsewhere on a shared server) must not end the process.
  pool.on('error', () => undefined);
  try {
    await pool.query(SCHEMA);
    const latencies = new Samples();
    let events = 0;
    let retries = 0;
    let sequence = 0;
    const start = performance.now();
    const windowStart = start + spec.warmupMs;
    const end = windowStart + spec.durationMs;
    const reporter = setInterval(() => progress(`${events} events recorded in the window so far`, 'seed-design'), 5_000);
    const connection = async (lane: number) => {
      const random = seededRandom(1000 + lane);
      const client = await pool.connect();
      try {
        while (performance.now() < end) {
          const n = sequence++;
          const record = benchRecord(random, `seed-${n}`, Date.now());
          const t0 = performance.now();
          for (;;) {
            try {
              // Autocommit: the function call is the event's whole transaction.
              await client.query('SELECT record_usage($1, $2, $3, $4, $5, $6, $7)', [
                `seed-org-${n % spec.orgs}`,
                record.usageDay,
                record.model,
                record.promptTokens,
                record.completionTokens,
                record.rawCostUsd,
                record.markupRate,
              ]);
              break;
            } catch (error) {
              if ((error as { code?: string }).code !== '23505') throw error; // two first events for one row raced
              retries++;
            }
          }
          if (t0 >= windowStart) {
            latencies.push(performance.now() - t0);
            events++;
          }
        }
      } finally {
        client.release();
      }
    };
    try {
      await Promise.all(Array.from({ length: spec.connections }, (_, lane) => connection(lane)));
    } finally {
      clearInterval(reporter);
    }
    return { connections: spec.connections, events, eventsPerSecond: (events / spec.durationMs) * 1000, retries, transaction: summarize(latencies.toArray()) };
  } finally {
    await pool.end();
    const admin = new Pool({ connectionString: spec.adminUrl, max: 1 });
    await admin.query(`DROP DATABASE IF EXISTS "${spec.database}" WITH (FORCE)`).catch(() => undefined);
    await admin.end();
  }
}

if (require.main === module) serveAsChild(measureSeedDesign);
