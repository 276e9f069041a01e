// Adding or retiring a model is a catalog change made through the CLI, not a code change: pricing-fx serves
// the new catalog and ingest follows it. Real pricing-fx and ingest processes on real NATS and PostgreSQL.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { PricingClient } from '@mai/platform';
import { Pipeline, WORKSPACE_ROOT, generation, sendWebhook, startPipeline } from '@mai/testing';

jest.setTimeout(60_000);

const run = promisify(execFile);

describe('catalog changes through the CLI', () => {
  let pipeline: Pipeline;
  let secret: string;
  const orgId = 'acme';

  beforeAll(async () => {
    pipeline = await startPipeline(['pricing-fx', 'ingest']);
    secret = await pipeline.createOrg(orgId);
  });
  afterAll(() => pipeline?.stop());

  const cli = (...args: string[]) =>
    run(process.execPath, ['-r', '@swc-node/register', 'apps/cli/src/main.ts', ...args], {
      cwd: WORKSPACE_ROOT,
      env: { PATH: process.env.PATH ?? '', ...pipeline.environment.env },
    });
  const send = (webhookId: string, model: string) => sendWebhook(pipeline.ingestUrl, orgId, secret, webhookId, generation({ model }));
  /** Ingest refreshes its catalog within 2 minutes; a restart stands in for the wait. */
  const ingestCatchesUp = () => pipeline.services.ingest!.restart();
  /** The catalog as pricing-fx serves it now, asked by a new client (clients cache it). */
  async function servedCatalog() {
    const client = new PricingClient(pipeline.environment.config);
    try {
      return (await client.current()).catalog.models;
    } finally {
      await client.onApplicationShutdown();
    }
  }

  it('serves the twelve default models in the contract\'s order', async () => {
    const models = await servedCatalog();
    expect(models).toHaveLength(12);
    expect(models[0]).toEqual({ id: 'anthropic/claude-sonnet-4', displayName: 'Claude Sonnet 4', provider: 'Anthropic' });
  });

  it('meters a model added with `catalog add`, listed last', async () => {
    expect((await send('wh-before-add', 'mistralai/mistral-large-2411')).status).toBe(400);
    const { stdout } = await cli('catalog', 'add', 'mistralai/mistral-large-2411', '--name', 'Mistral Large', '--provider', 'Mistral');
    expect(stdout).toMatch(/^added mistralai\/mistral-large-2411 \(Mistral Large, Mistral\)/);
    await ingestCatchesUp();
    expect(await send('wh-after-add', 'mistralai/mistral-large-2411')).toMatchObject({ status: 202, body: { accepted: 1 } });
    expect((await servedCatalog()).at(-1)).toEqual({ id: 'mistralai/mistral-large-2411', displayName: 'Mistral Large', provider: 'Mistral' });
  });

  it('stops metering a model retired with `catalog retire`, and keeps it listed with the date', async () => {
    await cli('catalog', 'retire', 'openai/o3');
    await ingestCatchesUp();
    expect(await send('wh-after-retire', 'openai/o3')).toMatchObject({ status: 400, body: { details: [expect.objectContaining({ field: 'model' })] } });
    const { stdout } = await cli('catalog', 'list');
    expect(stdout).toMatch(/^openai\/o3\tO3\tOpenAI\t1970-01-01T00:00:00.000Z\t\d{4}-\d{2}-\d{2}T/m);
    expect((await servedCatalog()).map((model) => model.id)).not.toContain('openai/o3');
  });

  it('refuses to add a model twice or retire an unknown one, with exit code 2', async () => {
    await expect(cli('catalog', 'add', 'openai/gpt-4.1', '--name', 'GPT-4.1', '--provider', 'OpenAI')).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/already in the catalog/),
    });
    await expect(cli('catalog', 'retire', 'acme/none')).rejects.toMatchObject({ code: 2, stderr: expect.stringMatching(/not in the catalog/) });
  });
});
