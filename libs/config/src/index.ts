// Process configuration from the environment (contract §1), validated once at start-up so that a bad value
// stops the process with a clear message instead of failing later, deep inside a request.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

export interface ServiceConfig {
  readonly natsUrl: string;
  readonly databaseUrl: string;
  /** Stream holding `usage.v1.recorded.<orgId>`; tests use their own name so runs never collide. */
  readonly usageStream: string;
  /** Prefix for every subject we use (empty in production; `t<run>.` in tests). */
  readonly subjectPrefix: string;
  /** Replicas of the USAGE stream when it is created: 1 on a single server, 3 on a JetStream cluster. */
  readonly usageStreamReplicas: number;
  readonly nbpApiUrl: string;
  readonly jwt: { readonly secret?: string; readonly jwksUrl?: string; readonly issuer: string; readonly audience: string };
  readonly markupRate: string;
  readonly fxFallbackUsdPln: string;
  readonly logLevel: string;
  readonly ports: { readonly gateway: number; readonly ingest: number; readonly aggregator: number; readonly pricing: number };
}

export class ConfigError extends Error {}

let envFileLoaded = false;
/** Reads `./.env` once, if present, without overriding variables already set (what `npm start` writes). */
export function loadEnvFile(path = resolve(process.cwd(), '.env')): void {
  if (envFileLoaded) return;
  envFileLoaded = true;
  if (existsSync(path)) process.loadEnvFile(path);
}

function port(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > 65535) throw new ConfigError(`${name} must be a port number, got "${raw}"`);
  return value;
}

function decimal(env: NodeJS.ProcessEnv, name: string, fallback: string): string {
  const raw = (env[name] ?? '').trim() || fallback;
  if (!/^\d{1,6}(\.\d{1,12})?$/.test(raw) || Number(raw) <= 0) throw new ConfigError(`${name} must be a positive decimal, got "${raw}"`);
  return raw;
}

function url(env: NodeJS.ProcessEnv, name: string, fallback: string, protocols: string[]): string {
  const raw = (env[name] ?? '').trim() || fallback;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(`${name} must be a URL, got "${raw}"`);
  }
  if (!protocols.includes(parsed.protocol)) throw new ConfigError(`${name} must use ${protocols.join(' or ')}, got "${raw}"`);
  return raw.replace(/\/+$/, '');
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): ServiceConfig {
  if (env === process.env) loadEnvFile();
  const subjectPrefix = env.NATS_SUBJECT_PREFIX ?? '';
  if (subjectPrefix !== '' && !/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*\.$/.test(subjectPrefix)) {
    throw new ConfigError(`NATS_SUBJECT_PREFIX must be empty or dot-separated tokens ending in ".", got "${subjectPrefix}"`);
  }
  const usageStream = env.USAGE_STREAM || 'USAGE';
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(usageStream)) throw new ConfigError(`USAGE_STREAM must be a stream name, got "${usageStream}"`);
  const replicasRaw = (env.USAGE_STREAM_REPLICAS ?? '').trim() || '1';
  const usageStreamReplicas = Number(replicasRaw);
  // JetStream allows 1 to 5; an even count buys no extra fault tolerance over the odd one below it.
  if (!Number.isInteger(usageStreamReplicas) || usageStreamReplicas < 1 || usageStreamReplicas > 5) {
    throw new ConfigError(`USAGE_STREAM_REPLICAS must be an integer from 1 to 5, got "${replicasRaw}"`);
  }
  const jwtSecret = env.JWT_SECRET || undefined;
  if (jwtSecret !== undefined && Buffer.byteLength(jwtSecret) < 32) throw new ConfigError('JWT_SECRET must be at least 32 bytes');
  const logLevel = env.LOG_LEVEL || 'info';
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(logLevel)) throw new ConfigError(`LOG_LEVEL "${logLevel}" is not a pino level`);
  return {
    natsUrl: env.NATS_URL || 'nats://127.0.0.1:4222',
    databaseUrl: url(env, 'DATABASE_URL', 'postgres://postgres@127.0.0.1:5432/usage', ['postgres:', 'postgresql:']),
    usageStream,
    subjectPrefix,
    usageStreamReplicas,
    nbpApiUrl: url(env, 'NBP_API_URL', 'https://api.nbp.pl/api', ['http:', 'https:']),
    jwt: {
      secret: jwtSecret,
      jwksUrl: env.JWT_JWKS_URL || undefined,
      issuer: env.JWT_ISSUER || 'mai-usage',
      audience: env.JWT_AUDIENCE || 'mai-dashboard',
    },
    markupRate: decimal(env, 'MARKUP_RATE', '1.3'),
    fxFallbackUsdPln: decimal(env, 'FX_FALLBACK_USD_PLN', '4.0'),
    logLevel,
    ports: {
      gateway: port(env, 'GATEWAY_PORT', 3000),
      ingest: port(env, 'INGEST_PORT', 3001),
      aggregator: port(env, 'AGGREGATOR_PORT', 3002),
      pricing: port(env, 'PRICING_PORT', 3003),
    },
  };
}

/** The last token of `projectedEveryOrg`. */
export const PROJECTED_EVERY_ORG_TOKEN = '_all';

/** NATS subjects, all derived from one prefix so that test runs and deployments can share a server. */
export function subjectsFor(config: Pick<ServiceConfig, 'subjectPrefix'>) {
  const p = config.subjectPrefix;
  return {
    usageRecorded: (orgId: string) => `${p}usage.v1.recorded.${orgId}`,
    usageRecordedAll: `${p}usage.v1.recorded.*`,
    deadLetter: (orgId: string) => `${p}usage.v1.deadletter.${orgId}`,
    deadLetterAll: `${p}usage.v1.deadletter.>`,
    /** Core NATS (not stored): "this org's numbers changed", published after each projection commit. */
    projected: (orgId: string) => `${p}usage.v1.projected.${orgId}`,
    projectedAll: `${p}usage.v1.projected.*`,
    /**
     * "Every org's numbers may have changed" (a rebuilt projection swapped in): matches `projectedAll`, and its
     * last token can never be an org id (those start with a letter or digit).
     */
    projectedEveryOrg: `${p}usage.v1.projected.${PROJECTED_EVERY_ORG_TOKEN}`,
    pricing: {
      catalog: `${p}pricing.v1.catalog`,
      markup: `${p}pricing.v1.markup`,
      usdPln: `${p}pricing.v1.fx.usd-pln`,
      usdPlnForDay: `${p}pricing.v1.fx.usd-pln.booked`,
    },
  } as const;
}

export type Subjects = ReturnType<typeof subjectsFor>;
