// The floor for the query benchmark: a bare Fastify hello-world on the same machine, in the same run, measured
// with the same client. The gateway's request rate is reported as a fraction of this one's.
//
//   HELLO_PORT=4000 node -r @swc-node/register bench/hello-fastify.ts
import Fastify from 'fastify';

async function main(): Promise<void> {
  const app = Fastify({ logger: false, keepAliveTimeout: 10_000 });
  app.get('/', async () => ({ hello: 'world' }));
  app.get('/health/ready', async () => ({ ok: true }));
  await app.listen({ port: Number(process.env.HELLO_PORT ?? 4000), host: '127.0.0.1' });
  const stop = () => void app.close().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
