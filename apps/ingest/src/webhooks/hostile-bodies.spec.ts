// Bodies built to hurt the parser answer 400 (or are read), never throw: a throw here is a 500.
import 'reflect-metadata';
import { readWebhookBody } from './webhook-body';

const record = '"id":"gen-1","model":"openai/o3","total_cost":"0.1","native_tokens_prompt":1,"native_tokens_completion":1,"created_at":"2026-12-04T10:00:00Z"';
const nested = (depth: number) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);

describe('readWebhookBody on hostile bodies', () => {
  it('refuses a known field holding an object nested 100 000 deep, without overflowing the stack', () => {
    expect(readWebhookBody(Buffer.from(`{${record},"user":${nested(100_000)}}`))).toEqual({
      ok: false,
      error: '1 of 1 records are invalid; nothing was accepted',
      details: [{ index: 0, field: 'user', message: expect.stringMatching(/^user must be/) }],
    });
  });

  it('ignores deep nesting in fields it does not know, and keys such as __proto__', () => {
    const read = readWebhookBody(Buffer.from(`{${record},"extra":${nested(100_000)},"__proto__":{"id":"other"},"constructor":{"prototype":{}}}`));
    expect(read).toMatchObject({ ok: true, inputs: [{ id: 'gen-1' }] });
  });

  it('answers deeply nested arrays as data with a reason', () => {
    expect(readWebhookBody(Buffer.from(`{"data":${'['.repeat(100_000)}${']'.repeat(100_000)}}`)).ok).toBe(false);
  });
});
