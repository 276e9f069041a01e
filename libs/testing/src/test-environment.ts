// One isolated world per test file: its own database, its own stream name and subject prefix, so test runs
// (and files within a run) never see each other's data on the shared PostgreSQL and NATS.
import { randomBytes } from 'node:crypto';
import { Pool } from 'pg';
import { connect } from 'nats';
import { ServiceConfig, readConfig } from '@mai/config';
import { createPool, ensureDatabase, migrate } from '@mai/persistence';
import { testServiceUrls } from './services';

export interface TestEnvironment {
  readonly runId: string;
  /** Environment variables for services started in this world. */
  readonly env: Record<string, string>;
  readonly config: ServiceConfig;
  /** A pool on this world's database, migrated. */
  readonly pool: Pool;
  dispose(): Promise<void>;
}

export const TEST_JWT_SECRET = 'test-secret-that-is-at-least-32-bytes-long!';

export async function createTestEnvironment(extraEnv: Record<string, string> = {}): Promise<TestEnvironment> {
  const runId = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  const { databaseUrl: adminUrl, natsUrl } = testServiceUrls();
  const url = new URL(adminUrl);
  url.pathname = `/usage_t_${runId}`;
  const env: Record<string, string> = {
    DATABASE_URL: url.toString(),
    NATS_URL: natsUrl,
    USAGE_STREAM: `USAGE_T_${runId.toUpperCase()}`,
    NATS_SUBJECT_PREFIX: `t${runId}.`,
    JWT_SECRET: TEST_JWT_SECRET,
    // Never the real NBP: pricing-fx asks for its rate at start-up and in the background. Nothing listens on
    // the discard port, so NBP simply "fails"; tests about rates pass a startFakeNbp() url instead.
    NBP_API_URL: 'http://127.0.0.1:9/api',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
    // A killed aggregator's unacked batch comes back after this; short keeps crash tests quick.
    AGGREGATOR_ACK_WAIT_MS: '2000',
    ...extraEnv,
  };
  const config = readConfig(env);
  await ensureDatabase(config.databaseUrl);
  const pool = createPool(config.databaseUrl, { max: 5, application_name: 'tests' });
  await migrate(pool);
  return {
    runId,
    env,
    config,
    pool,
    async dispose() {
      await pool.end();
      const admin = createPool(adminUrl, { max: 1 });
      await admin.query(`DROP DATABASE IF EXISTS "usage_t_${runId}" WITH (FORCE)`).catch(() => undefined);
      await admin.end();
      const nc = await connect({ servers: natsUrl });
      const jsm = await nc.jetstreamManager();
      for (const stream of [config.usageStream, `${config.usageStream}_DLQ`]) await jsm.streams.delete(stream).catch(() => undefined);
      await nc.close();
    },
  };
}
