// Where the real PostgreSQL and NATS JetStream for tests are: the ones named by DATABASE_URL / NATS_URL
// (default: the local services), or containers started by global-setup when Docker is available.
import { Socket } from 'node:net';

export const DEFAULT_TEST_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
export const DEFAULT_TEST_NATS_URL = 'nats://127.0.0.1:4222';

export function testServiceUrls(): { databaseUrl: string; natsUrl: string } {
  return {
    databaseUrl: process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL ?? DEFAULT_TEST_DATABASE_URL,
    natsUrl: process.env.TEST_NATS_URL ?? process.env.NATS_URL ?? DEFAULT_TEST_NATS_URL,
  };
}

export function canConnect(url: string, timeoutMs = 1_500): Promise<boolean> {
  const parsed = new URL(url);
  const port = Number(parsed.port || (parsed.protocol.startsWith('nats') ? 4222 : 5432));
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('error', () => done(false));
    socket.connect(port, parsed.hostname, () => done(true));
  });
}
