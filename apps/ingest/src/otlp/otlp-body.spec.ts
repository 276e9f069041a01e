import { gzipSync } from 'node:zlib';
import { decodeOtlpBody, otlpDeliveryId } from './otlp-body';
import { exportAnswer } from './partial-success';

const LIMIT = 1024 * 1024;
const json = Buffer.from('{"resourceSpans":[]}');

describe('decodeOtlpBody', () => {
  it('passes plain JSON through, with or without a Content-Type', async () => {
    expect(await decodeOtlpBody(json, { contentType: 'application/json; charset=utf-8' }, LIMIT)).toEqual({ ok: true, bytes: json });
    expect(await decodeOtlpBody(json, {}, LIMIT)).toEqual({ ok: true, bytes: json });
  });

  it('inflates gzip, as OTLP exporters send it', async () => {
    expect(await decodeOtlpBody(gzipSync(json), { contentType: 'application/json', contentEncoding: 'gzip' }, LIMIT)).toEqual({ ok: true, bytes: json });
  });

  it('refuses a gzip bomb with 413 once the output passes the limit, without inflating it all', async () => {
    const bomb = gzipSync(Buffer.alloc(64 * LIMIT));
    expect(bomb.length).toBeLessThan(100 * 1024);
    const before = process.memoryUsage().arrayBuffers;
    expect(await decodeOtlpBody(bomb, { contentEncoding: 'gzip' }, LIMIT)).toEqual({ ok: false, status: 413, error: expect.stringMatching(/after decompression/) });
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(16 * LIMIT);
  });

  it('accepts a body of exactly the limit after decompression', async () => {
    expect(await decodeOtlpBody(gzipSync(Buffer.alloc(LIMIT, 32)), { contentEncoding: 'gzip' }, LIMIT)).toMatchObject({ ok: true });
  });

  it('answers 400 for bytes that are not gzip, and 415 for protobuf or another encoding', async () => {
    expect(await decodeOtlpBody(json, { contentEncoding: 'gzip' }, LIMIT)).toMatchObject({ ok: false, status: 400 });
    expect(await decodeOtlpBody(json, { contentType: 'application/x-protobuf' }, LIMIT)).toMatchObject({ ok: false, status: 415, error: expect.stringMatching(/OTLP\/JSON/) });
    expect(await decodeOtlpBody(json, { contentEncoding: 'br' }, LIMIT)).toMatchObject({ ok: false, status: 415 });
  });
});

describe('otlpDeliveryId', () => {
  it('is the same for a retried request and differs for another one', () => {
    expect(otlpDeliveryId(Buffer.from(json))).toBe(otlpDeliveryId(Buffer.from(json)));
    expect(otlpDeliveryId(json)).not.toBe(otlpDeliveryId(Buffer.from('{}')));
    expect(otlpDeliveryId(json)).toMatch(/^otlp-[\w-]{43}$/);
  });
});

describe('exportAnswer', () => {
  it('is {} when every span was used', () => {
    expect(exportAnswer([])).toEqual({});
  });

  it('reports rejected spans as OTLP partialSuccess, naming at most five', () => {
    const rejected = Array.from({ length: 7 }, (_, i) => ({ traceId: 't', spanId: `s${i}`, reason: 'cost: must not be negative' }));
    const answer = exportAnswer(rejected);
    expect(answer.partialSuccess?.rejectedSpans).toBe(7);
    expect(answer.partialSuccess?.errorMessage).toMatch(/^7 generation spans were not counted: span s0 of trace t: cost: must not be negative;/);
    expect(answer.partialSuccess?.errorMessage).toMatch(/span s4 .*; and 2 more$/);
  });
});
