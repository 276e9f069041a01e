// Scenario 7: bad input at every field boundary. fast-check breaks one field of a record in a batch of valid
// ones (NaN and 1e308 costs, huge and unstorable strings, wrong types, deep nesting, unicode look-alikes, time
// outside the window), or breaks the body as a whole, or sends random bytes. First in-process through ingest's
// own body reader and acceptance rules (thousands of cases), then signed over HTTP to a real ingest: always a
// 4xx naming the broken record, no crash, nothing published.
import 'reflect-metadata';
import fc from 'fast-check';
import { Catalog, DEFAULT_CATALOG, acceptGeneration } from '@mai/domain';
import { Pipeline, startPipeline } from '@mai/testing';
import { readWebhookBody } from '../apps/ingest/src/webhooks/webhook-body';
import { PostAnswer, postWebhook } from './support/delivery-ledger';
import { brokenBody, brokenField, validRecord } from './support/hostile-records';
import { scenario } from './support/scenario';

const ORG = 'fuzzed';

/** Which records of a body ingest refuses, in-process: the body reader, then the business rules. */
function refusedRecords(text: string): { shapeRefused: boolean; indexes: Set<number> } {
  const read = readWebhookBody(Buffer.from(text));
  if (!read.ok) return { shapeRefused: read.details.length === 0, indexes: new Set(read.details.map((d) => d.index)) };
  const context = { catalog: new Catalog(DEFAULT_CATALOG), markup: [{ effectiveFrom: '1970-01-01T00:00:00.000Z', rate: '1.3' }], timeZone: 'Europe/Warsaw', now: new Date() };
  const indexes = new Set<number>();
  read.inputs.forEach((input, index) => {
    if (!acceptGeneration(input, context).ok) indexes.add(index);
  });
  return { shapeRefused: false, indexes };
}

const withBrokenRecord = ([field, value]: [string, unknown], n: number) =>
  JSON.stringify({ data: [validRecord(`ok-a-${n}`), { ...validRecord(`broken-${n}`), [field]: value }, validRecord(`ok-b-${n}`)] });

describe('faults: bad input', () => {
  let pipeline: Pipeline;
  let secret: string;

  beforeAll(async () => {
    pipeline = await startPipeline(['pricing-fx', 'ingest', 'aggregator']);
    secret = await pipeline.createOrg(ORG);
  });
  afterAll(() => pipeline?.stop());

  scenario('7', 'bad input at every field boundary (fast-check)', async (row) => {
    // In-process: every broken record is refused, and only it (its valid neighbours are not blamed).
    let inProcess = 0;
    fc.assert(
      fc.property(brokenField, (broken) => {
        inProcess++;
        const refused = refusedRecords(withBrokenRecord(broken, inProcess));
        return !refused.shapeRefused && refused.indexes.size === 1 && refused.indexes.has(1);
      }),
      { numRuns: 3_000, seed: 7 },
    );
    fc.assert(
      fc.property(brokenBody, (text) => {
        inProcess++;
        const refused = refusedRecords(text);
        return refused.shapeRefused || refused.indexes.size > 0;
      }),
      { numRuns: 300, seed: 77 },
    );

    // Over HTTP, signed with the org's secret: the signature is right, the content is not.
    const messagesBefore = await pipeline.streamMessages();
    const ingestPid = pipeline.services.ingest!.pid;
    const answers: PostAnswer[] = [];
    const wrongAnswers: string[] = [];
    let n = 0;
    const expectRefused = async (body: string, brokenIndex?: number) => {
      const answer = await postWebhook(pipeline.ingestUrl, ORG, secret, `fuzz-${++n}`, body);
      answers.push(answer);
      const named = brokenIndex === undefined || (Array.isArray(answer.body?.details) && answer.body.details.every((d: { index: number }) => d.index === brokenIndex));
      const ok = answer.status === 400 && typeof answer.body?.error === 'string' && named;
      if (!ok) wrongAnswers.push(`${answer.status} ${JSON.stringify(answer.body).slice(0, 120)} for ${body.slice(0, 120)}`);
      return ok;
    };
    await fc.assert(fc.asyncProperty(brokenField, async (broken) => expectRefused(withBrokenRecord(broken, n), 1)), { numRuns: 150, seed: 7_007 });
    await fc.assert(fc.asyncProperty(brokenBody, async (text) => expectRefused(text)), { numRuns: 60, seed: 7_077 });
    await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 2_000 }), async (bytes) => expectRefused(Buffer.from(bytes).toString('latin1'))), { numRuns: 40, seed: 7_777 });
    // Org ids in the path that are not org ids (unicode, NUL, traversal, 10 KB): unknown org, never a 5xx.
    const paths = await fc.sample(fc.oneof(fc.string({ maxLength: 40, unit: 'grapheme' }), fc.constantFrom('%00', '..%2F..', 'a'.repeat(10_000), 'ACME', 'acme%20', '%F0%9F%98%80')), { numRuns: 30, seed: 70 });
    for (const path of paths) {
      const response = await fetch(`${pipeline.ingestUrl}/v1/webhooks/openrouter/${encodeURI(path)}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }).catch(() => undefined);
      answers.push({ status: response?.status ?? 0, body: null });
      if (!response || response.status >= 500 || response.status < 400) wrongAnswers.push(`${response?.status} for path ${path.slice(0, 40)}`);
    }

    const live = await fetch(`${pipeline.ingestUrl}/health/live`).then((r) => r.status, () => 0);
    const published = (await pipeline.streamMessages()) - messagesBefore;
    const statuses = new Map<number, number>();
    for (const answer of answers) statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
    Object.assign(row, {
      done: `${inProcess} generated bodies through ingest's body reader and acceptance rules in-process (the broken record, and only it, refused), then ${answers.length} signed HTTP requests: broken fields, broken shapes (nesting to 100 000 levels, 1001+ records, NaN/Infinity), random bytes, hostile org paths; answers ${[...statuses].map(([s, c]) => `${s}×${c}`).join(', ')}; ingest still live (${live}), same process; ${published} messages published`,
      sent: answers.length,
      expected: 0,
      found: answers.filter((a) => a.status >= 200 && a.status < 300).length,
    });

    expect(wrongAnswers).toEqual([]);
    expect(live).toBe(200);
    expect(pipeline.services.ingest!.pid).toBe(ingestPid);
    expect(published).toBe(0);
    expect(await pipeline.projection(ORG)).toEqual([]);
  });
});
