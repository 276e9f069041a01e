// `npm start`: runs the whole system on this machine — pricing-fx, ingest, aggregator and gateway, each its
// own process with prefixed logs — then prints where the dashboard and the webhook are.
// Needs PostgreSQL and NATS with JetStream (see README "Services"); creates the database itself.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import concurrently from 'concurrently';
import { SignJWT } from 'jose';
import { loadEnvFile, readConfig } from '@mai/config';
import { OrganizationStore, createPool, ensureDatabase, migrate } from '@mai/persistence';
import { canConnect } from '@mai/testing';

const ROOT = resolve(__dirname, '..');
const ENV_FILE = resolve(ROOT, '.env');
const DEMO_ORG = process.env.DEMO_ORG ?? 'demo';
const SERVICES = ['pricing-fx', 'ingest', 'aggregator', 'gateway'] as const;

/** A development JWT secret, written once to .env so the CLI and every service agree on it. */
function ensureDevelopmentSecret(): void {
  if (process.env.JWT_SECRET || process.env.JWT_JWKS_URL) return;
  const existing = existsSync(ENV_FILE) ? readFileSync(ENV_FILE, 'utf8') : '';
  if (/^JWT_SECRET=/m.test(existing)) return;
  writeFileSync(ENV_FILE, `${existing}${existing && !existing.endsWith('\n') ? '\n' : ''}JWT_SECRET=${randomBytes(48).toString('base64url')}\n`);
  console.log(`wrote a development JWT_SECRET to ${ENV_FILE}`);
}

async function checkServices(natsUrl: string, databaseUrl: string): Promise<void> {
  const [postgres, nats] = await Promise.all([canConnect(databaseUrl), canConnect(natsUrl.split(',')[0])]);
  if (postgres && nats) return;
  console.error(
    [
      'The system needs PostgreSQL and NATS with JetStream:',
      `  PostgreSQL ${databaseUrl}: ${postgres ? 'up' : 'NOT REACHABLE'}`,
      `  NATS ${natsUrl}: ${nats ? 'up' : 'NOT REACHABLE'}`,
      'Start them with `docker compose up -d postgres nats`, or natively (README "Services").',
    ].join('\n'),
  );
  process.exit(1);
}

function buildDashboardIfMissing(): void {
  if (existsSync(resolve(ROOT, 'apps/dashboard/dist/index.html'))) return;
  console.log('building the dashboard (first start)…');
  const build = spawnSync(process.execPath, [resolve(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'apps/dashboard/vite.config.ts', '--logLevel', 'warn'], { cwd: ROOT, stdio: 'inherit' });
  if (build.status !== 0) console.warn('the dashboard build failed; the API still runs (see `npx vite build --config apps/dashboard/vite.config.ts`)');
}

async function waitUntilReady(port: number, deadline: number): Promise<boolean> {
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/health/ready`)).ok) return true;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}

async function main(): Promise<void> {
  ensureDevelopmentSecret();
  loadEnvFile(ENV_FILE);
  const config = readConfig();
  await checkServices(config.natsUrl, config.databaseUrl);
  buildDashboardIfMissing();

  await ensureDatabase(config.databaseUrl);
  const pool = createPool(config.databaseUrl, { max: 2 });
  await migrate(pool);
  const organizations = new OrganizationStore(pool);
  let demoSecret: string | undefined;
  if (!(await organizations.find(DEMO_ORG))) demoSecret = (await organizations.create({ orgId: DEMO_ORG, name: 'Demo Org', timeZone: 'Europe/Warsaw' })).secret;
  await pool.end();

  const { result } = concurrently(
    SERVICES.map((name) => ({ name, command: `node -r @swc-node/register apps/${name}/src/main.ts`, env: process.env })),
    { prefix: 'name', killOthers: ['failure'], prefixColors: ['magenta', 'cyan', 'yellow', 'green'], cwd: ROOT },
  );

  const ports = [config.ports.pricing, config.ports.ingest, config.ports.aggregator, config.ports.gateway];
  const deadline = Date.now() + 90_000;
  const ready = await Promise.all(ports.map((port) => waitUntilReady(port, deadline)));
  const now = Math.floor(Date.now() / 1000);
  const token = config.jwt.secret
    ? await new SignJWT({ org: DEMO_ORG, role: 'admin' })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject('demo-admin')
        .setIssuer(config.jwt.issuer)
        .setAudience(config.jwt.audience)
        .setIssuedAt(now)
        .setExpirationTime(now + 12 * 3600)
        .sign(new TextEncoder().encode(config.jwt.secret))
    : undefined;
  const banner = [
    '',
    '────────────────────────────────────────────────────────────────────────',
    ready.every(Boolean) ? ' mai-usage is running' : ' mai-usage started, but not every service is ready yet (see the logs above)',
    '',
    ` Dashboard:      http://localhost:${config.ports.gateway}/${token ? `#token=${token}` : ''}`,
    ` Webhook URL:    http://localhost:${config.ports.ingest}/v1/webhooks/openrouter/${DEMO_ORG}`,
    ` Broadcast URL:  http://localhost:${config.ports.ingest}/v1/otlp/${DEMO_ORG}/v1/traces`,
    ` API docs:       http://localhost:${config.ports.gateway}/api/docs`,
    demoSecret ? ` Webhook secret for "${DEMO_ORG}" (shown once): ${demoSecret}` : ` Demo org "${DEMO_ORG}" exists; rotate its secret with: npm run cli -- org rotate-secret ${DEMO_ORG}`,
    ` Fill it with a month of traffic:  npm run demo`,
    '────────────────────────────────────────────────────────────────────────',
    '',
  ];
  console.log(banner.join('\n'));
  await result.catch(() => process.exit(1));
}

void main();
