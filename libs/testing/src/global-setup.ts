// Jest global setup for integration tests: make sure a real PostgreSQL and a real NATS JetStream are
// reachable. Prefer the services named by the environment; fall back to testcontainers where a Docker
// engine exists; otherwise stop with a message that says how to start them.
import { existsSync } from 'node:fs';
import { canConnect, testServiceUrls } from './services';

export default async function globalSetup(): Promise<void> {
  const { databaseUrl, natsUrl } = testServiceUrls();
  const [postgresUp, natsUp] = await Promise.all([canConnect(databaseUrl), canConnect(natsUrl)]);
  if (postgresUp && natsUp) {
    process.env.TEST_DATABASE_URL = databaseUrl;
    process.env.TEST_NATS_URL = natsUrl;
    return;
  }
  const dockerAvailable = existsSync('/var/run/docker.sock') || Boolean(process.env.DOCKER_HOST);
  if (!dockerAvailable) {
    throw new Error(
      [
        'Integration tests need a real PostgreSQL and NATS JetStream, and neither the configured services nor Docker are available.',
        `  PostgreSQL at ${databaseUrl}: ${postgresUp ? 'up' : 'DOWN'}`,
        `  NATS at ${natsUrl}: ${natsUp ? 'up' : 'DOWN'}`,
        'Start them (see README "Services"), e.g.:',
        '  pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start',
        '  nats-server -js -a 127.0.0.1 -p 4222 &',
        'or run `docker compose up -d postgres nats`.',
      ].join('\n'),
    );
  }
  // Docker is here: start what is missing in containers, torn down by testcontainers' reaper after the run.
  const { GenericContainer, Wait } = await import('testcontainers');
  if (!postgresUp) {
    const postgres = await new GenericContainer('postgres:16-alpine')
      .withEnvironment({ POSTGRES_HOST_AUTH_METHOD: 'trust' })
      .withExposedPorts(5432)
      .withWaitStrategy(Wait.forLogMessage(/ready to accept connections/, 2))
      .start();
    process.env.TEST_DATABASE_URL = `postgres://postgres@${postgres.getHost()}:${postgres.getMappedPort(5432)}/postgres`;
  } else process.env.TEST_DATABASE_URL = databaseUrl;
  if (!natsUp) {
    const nats = await new GenericContainer('nats:2.12-alpine').withCommand(['-js']).withExposedPorts(4222).start();
    process.env.TEST_NATS_URL = `nats://${nats.getHost()}:${nats.getMappedPort(4222)}`;
  } else process.env.TEST_NATS_URL = natsUrl;
  process.stderr.write(`integration tests use containers: ${process.env.TEST_DATABASE_URL} ${process.env.TEST_NATS_URL}\n`);
}
