// `npm run demo`: fills the demo org of a running system (`npm start`) with a month of realistic LLM traffic,
// sent the way OpenRouter would send it: signed webhooks to ingest, 100 generations a request. The dashboard then
// has something to show.
//
//   npm run demo                          # org "demo" (DEMO_ORG), the last 30 days, about 5 000 generations
//   npm run demo -- --org acme --days 14 --volume 2 --seed 7
//
// The traffic is generated per calendar day from a seed, and each generation's id names its day, so running it
// again the same day changes nothing (ingest and the projection drop repeated generation ids) and running it on a
// later day adds only the days, and hours, that are new.
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { SignJWT } from 'jose';
import { Webhook } from 'standardwebhooks';
import { addDays, dayInZone } from '@mai/domain';
import { loadEnvFile, readConfig } from '@mai/config';
import { OrganizationStore, createPool } from '@mai/persistence';

const ROOT = resolve(__dirname, '..');
const BATCH_SIZE = 100;
const HOUR_MS = 3_600_000;

interface Options {
  readonly org: string;
  readonly days: number;
  readonly volume: number;
  readonly seed: number;
}

function readOptions(argv: string[]): Options {
  const value = (name: string): string | undefined => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  };
  const number = (name: string, fallback: number, min: number, max: number): number => {
    const raw = value(name);
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isFinite(n) || n < min || n > max) fail(`--${name} must be a number from ${min} to ${max}, got "${raw}"`);
    return n;
  };
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log('usage: npm run demo -- [--org demo] [--days 30] [--volume 1] [--seed 1]');
    process.exit(0);
  }
  return {
    org: value('org') ?? process.env.DEMO_ORG ?? 'demo',
    // Ingest refuses generations older than 35 days.
    days: Math.round(number('days', 30, 1, 34)),
    volume: number('volume', 1, 0.05, 20),
    seed: Math.round(number('seed', 1, 0, 2 ** 31)),
  };
}

function fail(message: string): never {
  process.stderr.write(`demo: ${message}\n`);
  process.exit(1);
}

// ---------------------------------------------------------------------------------------------------------------
// The traffic: who calls which model, when, with how many tokens, at what price.

/** A small deterministic PRNG (mulberry32), seeded per day so each day's traffic is the same on every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

function pick<T>(random: () => number, items: readonly T[], weight: (item: T) => number): T {
  const total = items.reduce((sum, item) => sum + weight(item), 0);
  let r = random() * total;
  for (const item of items) {
    r -= weight(item);
    if (r < 0) return item;
  }
  return items[items.length - 1];
}

/** Log-normal around a median: prompt and completion sizes have a long tail. */
function logNormal(random: () => number, median: number, sigma: number): number {
  const u = Math.max(random(), 1e-12);
  const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
  return median * Math.exp(sigma * z);
}

interface ModelProfile {
  readonly id: string;
  /** Share of interactive traffic at the start and at the end of the period (teams move between models). */
  readonly share: readonly [number, number];
  /** OpenRouter list prices, USD per million tokens, in hundredths of a cent so costs stay exact integers. */
  readonly inputPrice: number;
  readonly outputPrice: number;
  readonly promptMedian: number;
  readonly completionMedian: number;
}

// Prices as OpenRouter listed them in 2025 (USD per 1M input / output tokens) × 10 000.
const MODELS: readonly ModelProfile[] = [
  { id: 'google/gemini-2.5-flash', share: [22, 24], inputPrice: 3_000, outputPrice: 25_000, promptMedian: 1_800, completionMedian: 420 },
  { id: 'openai/gpt-4o-mini', share: [20, 15], inputPrice: 1_500, outputPrice: 6_000, promptMedian: 900, completionMedian: 260 },
  { id: 'anthropic/claude-sonnet-4', share: [9, 18], inputPrice: 30_000, outputPrice: 150_000, promptMedian: 3_400, completionMedian: 700 },
  { id: 'deepseek/deepseek-chat-v3-0324', share: [9, 11], inputPrice: 2_500, outputPrice: 8_500, promptMedian: 1_500, completionMedian: 520 },
  { id: 'google/gemini-2.5-flash-lite-preview-06-17', share: [8, 8], inputPrice: 1_000, outputPrice: 4_000, promptMedian: 1_200, completionMedian: 300 },
  { id: 'openai/gpt-4.1', share: [8, 6], inputPrice: 20_000, outputPrice: 80_000, promptMedian: 2_600, completionMedian: 620 },
  { id: 'google/gemini-2.5-pro', share: [5, 6], inputPrice: 12_500, outputPrice: 100_000, promptMedian: 4_200, completionMedian: 1_300 },
  { id: 'anthropic/claude-3.7-sonnet', share: [10, 1], inputPrice: 30_000, outputPrice: 150_000, promptMedian: 3_000, completionMedian: 650 },
  { id: 'openai/o4-mini-high', share: [3, 4], inputPrice: 11_000, outputPrice: 44_000, promptMedian: 1_500, completionMedian: 2_600 },
  { id: 'x-ai/grok-4', share: [1, 3], inputPrice: 30_000, outputPrice: 150_000, promptMedian: 2_000, completionMedian: 1_400 },
  { id: 'openai/o3', share: [2, 2], inputPrice: 20_000, outputPrice: 80_000, promptMedian: 2_500, completionMedian: 3_000 },
  // openai/chatgpt-4o-latest: nobody here uses it; the dashboard lists it with zeros.
];
const NIGHTLY_BATCH_MODEL = MODELS.find((m) => m.id === 'google/gemini-2.5-flash-lite-preview-06-17')!;

const PEOPLE = [
  'anna.kowalska', 'piotr.nowak', 'marta.wisniewska', 'tomasz.wojcik', 'kasia.lewandowska', 'michal.kaminski',
  'ola.zielinska', 'jan.szymanski', 'ewa.dabrowska', 'pawel.kozlowski', 'zofia.mazur', 'adam.krawczyk',
  'lena.schmidt', 'david.chen', 'sofia.rossi', 'liam.murphy', 'noah.berg', 'emma.dubois', 'igor.petrov',
  'maja.jankowska', 'kuba.wozniak', 'nina.kowalczyk',
].map((name) => `${name}@demo.example`);
/** A few people do most of the work (Zipf-like). */
const personWeight = (_: string, i: number) => 1 / (i + 1) ** 0.85;
const SERVICES = ['svc-support-bot', 'svc-docs-indexer'];

/** Interactive requests by hour of the org's day: office hours, a lunch dip, a quiet night. */
const WEEKDAY_HOURS = [0.6, 0.4, 0.3, 0.25, 0.25, 0.4, 1, 2.4, 5.5, 8.5, 9.5, 9.2, 6.8, 8, 9.3, 9, 7.8, 5.6, 3.6, 2.8, 2.4, 2, 1.5, 1];
const HOURS = WEEKDAY_HOURS.map((_, h) => h);
const WEEKEND_HOURS = [0.8, 0.5, 0.3, 0.2, 0.2, 0.2, 0.3, 0.5, 0.9, 1.4, 1.8, 2, 2, 1.9, 1.8, 1.8, 1.7, 1.6, 1.6, 1.7, 1.7, 1.5, 1.2, 1];

interface DemoGeneration {
  readonly id: string;
  readonly model: string;
  readonly total_cost: string;
  readonly native_tokens_prompt: number;
  readonly native_tokens_completion: number;
  readonly created_at: string;
  readonly user?: string;
}

/** Hundredths-of-a-cent-per-million × tokens = units of 1e-10 USD: an exact decimal string. */
function costOf(model: ModelProfile, prompt: number, completion: number): string {
  const units = BigInt(prompt) * BigInt(model.inputPrice) + BigInt(completion) * BigInt(model.outputPrice);
  const digits = units.toString().padStart(11, '0');
  return `${digits.slice(0, -10)}.${digits.slice(-10)}`.replace(/\.?0+$/, '') || '0';
}

/** The instant at which the org's wall clock in `timeZone` shows `day` `hh:mm:ss`. */
function zonedInstant(day: string, seconds: number, timeZone: string): Date {
  const wallAsUtc = Date.parse(`${day}T00:00:00Z`) + seconds * 1000;
  const offsetAt = (instant: number): number => {
    const parts = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' }).formatToParts(instant);
    const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
    return Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second')) - Math.floor(instant / 1000) * 1000;
  };
  let instant = wallAsUtc - offsetAt(wallAsUtc);
  instant = wallAsUtc - offsetAt(instant); // once more, in case a DST change lies between the guess and the answer
  return new Date(instant);
}

/** One calendar day of the org's traffic, the same on every run with the same seed. */
function trafficOfDay(day: string, progress: number, options: Options, timeZone: string): DemoGeneration[] {
  const random = prng(hash(`${options.seed}:${day}`));
  const weekday = new Date(`${day}T00:00:00Z`).getUTCDay();
  const weekend = weekday === 0 || weekday === 6;
  const hours = weekend ? WEEKEND_HOURS : WEEKDAY_HOURS;
  // ~230 interactive calls on a weekday, growing ~30 % over the period, a third of that at weekends, ±15 % noise.
  const interactive = Math.round(230 * options.volume * (weekend ? 0.33 : 1) * (0.85 + 0.3 * progress) * (0.85 + 0.3 * random()));
  const generations: DemoGeneration[] = [];
  const add = (model: ModelProfile, second: number, user: string | undefined, promptScale = 1) => {
    const prompt = Math.max(12, Math.round(logNormal(random, model.promptMedian * promptScale, 0.75)));
    const completion = Math.max(1, Math.round(logNormal(random, model.completionMedian, 0.7)));
    generations.push({
      id: `demo-${options.seed}-${day}-${String(generations.length).padStart(5, '0')}`,
      model: model.id,
      total_cost: costOf(model, prompt, completion),
      native_tokens_prompt: prompt,
      native_tokens_completion: completion,
      created_at: zonedInstant(day, second, timeZone).toISOString(),
      ...(user ? { user } : {}),
    });
  };
  const share = (m: ModelProfile) => m.share[0] + (m.share[1] - m.share[0]) * progress;
  for (let i = 0; i < interactive; i++) {
    const hour = pick(random, HOURS, (h) => hours[h]);
    const second = hour * 3600 + Math.floor(random() * 3600);
    const model = pick(random, MODELS, share);
    const r = random();
    // Most calls come from people, some from the support bot; a few arrive without a user.
    const user = r < 0.03 ? undefined : r < 0.15 ? SERVICES[0] : pick(random, PEOPLE, (p) => personWeight(p, PEOPLE.indexOf(p)));
    add(model, second, user);
  }
  // The nightly re-indexing job: short prompts to the cheapest model, 02:00–03:00, every night.
  const nightly = Math.round(40 * options.volume * (0.9 + 0.2 * random()));
  for (let i = 0; i < nightly; i++) add(NIGHTLY_BATCH_MODEL, 2 * 3600 + Math.floor(random() * 3600), SERVICES[1], 0.6);
  return generations.sort((a, b) => a.created_at.localeCompare(b.created_at));
}

// ---------------------------------------------------------------------------------------------------------------
// Sending: signed like OpenRouter's webhooks, retried the way a webhook sender retries.

interface Delivery {
  readonly accepted: number;
  readonly duplicates: number;
}

async function deliver(url: string, webhook: Webhook, webhookId: string, records: readonly DemoGeneration[]): Promise<Delivery> {
  const body = JSON.stringify({ data: records });
  for (let attempt = 1; ; attempt++) {
    const at = new Date();
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'webhook-id': webhookId,
          'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
          'webhook-signature': webhook.sign(webhookId, at, body),
        },
        body,
        signal: AbortSignal.timeout(30_000),
      });
    } catch (error) {
      if (attempt >= 5) fail(`ingest at ${url} is not answering (${(error as Error).message}). Is \`npm start\` running?`);
      await sleep(1000 * attempt);
      continue;
    }
    const text = await response.text();
    if (response.status === 202) return JSON.parse(text) as Delivery;
    // Overloaded or the stream is away: nothing was stored, the same delivery may be sent again.
    if ((response.status === 429 || response.status === 503) && attempt < 10) {
      await sleep(Math.min(30, Number(response.headers.get('retry-after')) || attempt) * 1000);
      continue;
    }
    if (response.status === 401) fail(`ingest refused the signature (${text}): was the secret of the org rotated while this ran?`);
    fail(`ingest answered ${response.status}: ${text.slice(0, 2000)}`);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function progressBar(done: number, total: number, startedAt: number): string {
  const width = 28;
  const filled = Math.round((done / total) * width);
  const rate = done / Math.max(0.001, (Date.now() - startedAt) / 1000);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')} generations  ${Math.round((done / total) * 100)}%  ${Math.round(rate)}/s`;
}

type Pool = ReturnType<typeof createPool>;

/** Which of `ids` the aggregator has projected: its exactly-once ledger holds every generation id it counted. */
async function projectedIds(pool: Pool, org: string, ids: readonly string[]): Promise<Set<string>> {
  const { rows } = await pool.query<{ generation_id: string }>('SELECT generation_id FROM usage_ledger WHERE org_id = $1 AND generation_id = ANY($2::text[])', [org, ids]);
  return new Set(rows.map((r) => r.generation_id));
}

/** Waits until the aggregator has projected every generation sent, so the dashboard shows all of it. */
async function waitForProjection(pool: Pool, org: string, ids: readonly string[], timeoutMs = 90_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  process.stderr.write('waiting for the aggregator…');
  while (Date.now() < deadline) {
    const projected = (await projectedIds(pool, org, ids)).size;
    if (projected >= ids.length) return true;
    if (process.stderr.isTTY) process.stderr.write(`\rwaiting for the aggregator: ${int(projected)}/${int(ids.length)} projected   `);
    await sleep(500);
  }
  return false;
}

const int = (n: number) => n.toLocaleString('en-US');
const usd = (n: number) => `$${n.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;

async function main(): Promise<void> {
  const options = readOptions(process.argv.slice(2));
  loadEnvFile(resolve(ROOT, '.env'));
  const config = readConfig();
  const ingestUrl = `http://localhost:${config.ports.ingest}`;

  const pool = createPool(config.databaseUrl, { max: 2, application_name: 'demo' });
  try {
    let org;
    try {
      org = await new OrganizationStore(pool).findWithSecrets(options.org);
    } catch (error) {
      fail(`cannot read organizations from ${config.databaseUrl.replace(/\/\/[^@]*@/, '//…@')} (${(error as Error).message}). Start the system with \`npm start\` first.`);
    }
    if (!org) fail(`organization "${options.org}" does not exist. \`npm start\` creates "demo"; others: npm run cli -- org create ${options.org}`);
    // The newest secret is the current one; secrets are kept (for HMAC) where ingest reads them.
    const secret = org.secrets[0];
    if (!secret) fail(`organization "${options.org}" has no valid webhook secret: npm run cli -- org rotate-secret ${options.org}`);
    try {
      const ready = await fetch(`${ingestUrl}/health/ready`, { signal: AbortSignal.timeout(3000) });
      if (!ready.ok) fail(`ingest at ${ingestUrl} is not ready (${ready.status}); see the \`npm start\` logs`);
    } catch {
      fail(`nothing answers at ${ingestUrl}. Start the system with \`npm start\` (INGEST_PORT=${config.ports.ingest}).`);
    }

    // Generate: the last `days` calendar days of the org, up to now.
    const now = new Date();
    const today = dayInZone(now, org.timeZone);
    const oldest = now.getTime() - 35 * 24 * HOUR_MS + HOUR_MS; // ingest's acceptance window, with an hour to spare
    const generations: DemoGeneration[] = [];
    for (let i = options.days - 1; i >= 0; i--) {
      const day = addDays(today, -i);
      const progress = options.days === 1 ? 1 : (options.days - 1 - i) / (options.days - 1);
      for (const g of trafficOfDay(day, progress, options, org.timeZone)) {
        const at = Date.parse(g.created_at);
        if (at <= now.getTime() && at >= oldest) generations.push(g);
      }
    }
    if (generations.length === 0) fail('nothing to send (the period holds no generations yet)');

    // A run earlier today (or on an earlier day) sent some of these already: send only what is new.
    const earlier = await projectedIds(pool, org.orgId, generations.map((g) => g.id)).catch(() => new Set<string>());
    const fresh = generations.filter((g) => !earlier.has(g.id));
    if (fresh.length === 0) {
      console.log(`All ${int(generations.length)} generations of this period are already in "${org.orgId}" (sent by an earlier run); nothing to do.`);
      return;
    }

    process.stderr.write(
      `demo: ${int(fresh.length)} generations for "${org.orgId}" (${org.timeZone}), ${addDays(today, -(options.days - 1))} … ${today}` +
        `${earlier.size ? ` (${int(earlier.size)} more were sent by an earlier run)` : ''}, ` +
        `to ${ingestUrl}/v1/webhooks/openrouter/${org.orgId} in batches of ${BATCH_SIZE}\n`,
    );
    const webhook = new Webhook(secret);
    const url = `${ingestUrl}/v1/webhooks/openrouter/${encodeURIComponent(org.orgId)}`;
    const run = randomBytes(4).toString('hex'); // webhook ids: unique per run, the same for a retried batch
    const startedAt = Date.now();
    let accepted = 0;
    let duplicates = 0;
    const tty = process.stderr.isTTY;
    for (let i = 0; i < fresh.length; i += BATCH_SIZE) {
      const batch = fresh.slice(i, i + BATCH_SIZE);
      const answer = await deliver(url, webhook, `demo-${run}-${i / BATCH_SIZE}`, batch);
      accepted += answer.accepted;
      duplicates += answer.duplicates;
      const done = i + batch.length;
      if (tty) process.stderr.write(`\r${progressBar(done, fresh.length, startedAt)}`);
      else if ((i / BATCH_SIZE) % 10 === 9 || done === fresh.length) process.stderr.write(`${progressBar(done, fresh.length, startedAt)}\n`);
    }
    if (tty) process.stderr.write('\n');

    const projected = await waitForProjection(pool, org.orgId, fresh.map((g) => g.id)).catch(() => false);
    process.stderr.write(projected ? '\rthe aggregator has projected every generation                 \n' : ' not yet, it is still catching up\n');

    // Summary: the period's traffic (this run's and any earlier run's), by model, and where to look.
    const byModel = new Map<string, { requests: number; tokens: number; cost: number }>();
    const users = new Set<string>();
    const days = new Set<string>();
    for (const g of generations) {
      const m = byModel.get(g.model) ?? { requests: 0, tokens: 0, cost: 0 };
      m.requests += 1;
      m.tokens += g.native_tokens_prompt + g.native_tokens_completion;
      m.cost += Number(g.total_cost);
      byModel.set(g.model, m);
      if (g.user) users.add(g.user);
      days.add(dayInZone(new Date(g.created_at), org.timeZone));
    }
    const rows = [...byModel.entries()].sort((a, b) => b[1].cost - a[1].cost);
    const total = rows.reduce((t, [, m]) => ({ requests: t.requests + m.requests, tokens: t.tokens + m.tokens, cost: t.cost + m.cost }), { requests: 0, tokens: 0, cost: 0 });
    const pad = (s: string, n: number, right = false) => (right ? s.padStart(n) : s.padEnd(n));
    const lines = [
      '',
      `Sent ${int(fresh.length)} generation${fresh.length === 1 ? '' : 's'} to "${org.orgId}": ${int(accepted)} accepted, ${int(duplicates)} duplicates.` +
        (earlier.size ? ` With the ${int(earlier.size)} of an earlier run, the last ${days.size} days hold:` : ` Over ${days.size} days:`),
      '',
      `  ${pad('model', 44)} ${pad('requests', 9, true)} ${pad('tokens', 13, true)} ${pad('raw cost', 11, true)}`,
      ...rows.map(([model, m]) => `  ${pad(model, 44)} ${pad(int(m.requests), 9, true)} ${pad(int(m.tokens), 13, true)} ${pad(usd(m.cost), 11, true)}`),
      `  ${pad('total', 44)} ${pad(int(total.requests), 9, true)} ${pad(int(total.tokens), 13, true)} ${pad(usd(total.cost), 11, true)}`,
      '',
      `  ${users.size} users · raw cost before the ${config.markupRate}× markup · ${projected ? 'all projected' : 'the aggregator is still catching up'}`,
    ];
    if (config.jwt.secret) {
      const issuedAt = Math.floor(Date.now() / 1000);
      const token = await new SignJWT({ org: org.orgId, role: 'admin' })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject('demo-admin')
        .setIssuer(config.jwt.issuer)
        .setAudience(config.jwt.audience)
        .setIssuedAt(issuedAt)
        .setExpirationTime(issuedAt + 12 * 3600)
        .sign(new TextEncoder().encode(config.jwt.secret));
      lines.push('', `  Dashboard: http://localhost:${config.ports.gateway}/?range=last-30-days#token=${token}`);
    }
    console.log(lines.join('\n'));
  } finally {
    await pool.end();
  }
}

void main().catch((error) => fail((error as Error).stack ?? String(error)));
