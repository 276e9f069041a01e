// A running pipeline for integration tests: pricing-fx, ingest and aggregator as real processes on a
// fresh database and stream, plus helpers to create orgs and read the projection.
import { OrganizationStore } from '@mai/persistence';
import { ServiceName, ServiceProcess } from './service-process';
import { TestEnvironment, createTestEnvironment } from './test-environment';
import { waitFor } from './wait';

export interface ProjectionRow {
  org_id: string;
  usage_day: string;
  model: string;
  total_tokens: number;
  prompt_tokens: number;
  completion_tokens: number;
  requests: number;
  raw_cost: string;
  markup_cost: string;
}

export interface Pipeline {
  readonly environment: TestEnvironment;
  readonly services: Partial<Record<ServiceName, ServiceProcess>>;
  readonly ingestUrl: string;
  createOrg(orgId: string, timeZone?: string): Promise<string>;
  projection(orgId?: string): Promise<ProjectionRow[]>;
  /** Waits until the projection holds `requests` requests in all for the org. */
  waitForRequests(orgId: string, requests: number, timeoutMs?: number): Promise<void>;
  streamMessages(): Promise<number>;
  stop(): Promise<void>;
}

export async function startPipeline(
  serviceNames: ServiceName[] = ['pricing-fx', 'ingest', 'aggregator'],
  extraEnv: Record<string, string> = {},
): Promise<Pipeline> {
  const environment = await createTestEnvironment(extraEnv);
  const services: Partial<Record<ServiceName, ServiceProcess>> = {};
  try {
    // pricing-fx first: ingest needs the catalog before it can accept anything.
    for (const name of serviceNames) services[name] = await ServiceProcess.start(name, environment.env);
  } catch (error) {
    await Promise.all(Object.values(services).map((s) => s?.kill()));
    await environment.dispose();
    throw error;
  }
  const organizations = new OrganizationStore(environment.pool);
  const projection = async (orgId?: string): Promise<ProjectionRow[]> => {
    const { rows } = await environment.pool.query(
      `SELECT org_id, to_char(usage_day, 'YYYY-MM-DD') AS usage_day, model, total_tokens::float8 AS total_tokens,
              prompt_tokens::float8 AS prompt_tokens, completion_tokens::float8 AS completion_tokens,
              requests::float8 AS requests, raw_cost::text AS raw_cost, markup_cost::text AS markup_cost
         FROM client_model_daily_usage WHERE $1::text IS NULL OR org_id = $1 ORDER BY org_id, usage_day, model`,
      [orgId ?? null],
    );
    return rows;
  };
  return {
    environment,
    services,
    ingestUrl: services.ingest?.url ?? '',
    async createOrg(orgId, timeZone) {
      return (await organizations.create({ orgId, timeZone })).secret;
    },
    projection,
    async waitForRequests(orgId, requests, timeoutMs = 30_000) {
      await waitFor(async () => (await projection(orgId)).reduce((sum, row) => sum + row.requests, 0) >= requests, {
        timeoutMs,
        what: `${requests} requests projected for ${orgId}`,
      });
    },
    async streamMessages() {
      const { connect } = await import('nats');
      const nc = await connect({ servers: environment.env.NATS_URL.split(',') });
      try {
        const info = await (await nc.jetstreamManager()).streams.info(environment.config.usageStream);
        return info.state.messages;
      } finally {
        await nc.close();
      }
    },
    async stop() {
      await ServiceProcess.killAll();
      await environment.dispose();
    },
  };
}
