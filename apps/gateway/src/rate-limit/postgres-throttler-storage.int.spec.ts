// The rate-limit counters on a real PostgreSQL: hits batched per event-loop turn must count exactly as one
// upsert per request would, across instances (two storages on two pools stand for two gateways).
import { Pool } from 'pg';
import { createPool } from '@mai/persistence';
import { TestEnvironment, createTestEnvironment } from '@mai/testing';
import { PostgresThrottlerStorage } from './postgres-throttler-storage';

const MINUTE = 60_000;
const LIMIT = 100;

let environment: TestEnvironment;
let otherPool: Pool;
let gatewayA: PostgresThrottlerStorage;
let gatewayB: PostgresThrottlerStorage;

beforeAll(async () => {
  environment = await createTestEnvironment();
  otherPool = createPool(environment.config.databaseUrl, { max: 5, application_name: 'tests-second-gateway' });
  gatewayA = new PostgresThrottlerStorage(environment.pool);
  gatewayB = new PostgresThrottlerStorage(otherPool);
});

afterAll(async () => {
  await otherPool?.end();
  await environment?.dispose();
});

test('150 concurrent hits of one user over two instances: each hit gets its own count, exactly 100 pass', async () => {
  const hits = await Promise.all(Array.from({ length: 150 }, (_, i) => (i % 2 ? gatewayA : gatewayB).increment('user-a', MINUTE, LIMIT)));
  expect(hits.map((hit) => hit.totalHits).sort((a, b) => a - b)).toEqual(Array.from({ length: 150 }, (_, i) => i + 1));
  expect(hits.filter((hit) => !hit.isBlocked)).toHaveLength(LIMIT);
  for (const hit of hits.filter((h) => h.isBlocked)) expect(hit.timeToBlockExpire).toBeGreaterThanOrEqual(1);
  const { rows } = await environment.pool.query(`SELECT hits FROM gateway_rate_limits WHERE key = 'user-a'`);
  expect(rows).toEqual([{ hits: 150 }]);
});

test('users counted in the same turn keep separate counts, in arrival order', async () => {
  const [b1, c1, b2, b3, c2] = await Promise.all([
    gatewayA.increment('user-b', MINUTE, LIMIT),
    gatewayA.increment('user-c', MINUTE, LIMIT),
    gatewayA.increment('user-b', MINUTE, LIMIT),
    gatewayA.increment('user-b', MINUTE, LIMIT),
    gatewayA.increment('user-c', MINUTE, LIMIT),
  ]);
  expect([b1, b2, b3].map((hit) => hit.totalHits)).toEqual([1, 2, 3]);
  expect([c1, c2].map((hit) => hit.totalHits)).toEqual([1, 2]);
  expect((await gatewayB.increment('user-b', MINUTE, LIMIT)).totalHits).toBe(4);
});

test('a window that has ended starts again at the hits of the turn that finds it ended', async () => {
  await Promise.all([gatewayA.increment('user-d', 1_000, 2), gatewayA.increment('user-d', 1_000, 2), gatewayA.increment('user-d', 1_000, 2)]).then((hits) =>
    expect(hits.map((hit) => hit.isBlocked)).toEqual([false, false, true]),
  );
  await new Promise((resolve) => setTimeout(resolve, 1_100));
  const again = await Promise.all([gatewayB.increment('user-d', 1_000, 2), gatewayB.increment('user-d', 1_000, 2)]);
  expect(again.map((hit) => hit.totalHits)).toEqual([1, 2]);
});

test('a failed upsert fails every hit of its turn instead of letting them through', async () => {
  const broken = createPool(environment.config.databaseUrl, { max: 1, application_name: 'tests-broken-gateway' });
  const storage = new PostgresThrottlerStorage(broken);
  await broken.end();
  await expect(Promise.all([storage.increment('user-e', MINUTE, LIMIT), storage.increment('user-f', MINUTE, LIMIT)])).rejects.toThrow();
});
