import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { Webhook } from 'standardwebhooks';
import { verifyWebhookSignature } from './webhook-signature';

const secret = () => `whsec_${randomBytes(32).toString('base64')}`;
const NOW = Date.UTC(2026, 11, 4, 12, 0, 0);

/** A delivery signed by the reference Standard Webhooks implementation. */
function signed(key: string, body: string, options: { id?: string; at?: number } = {}) {
  const id = options.id ?? 'msg_2a5bRvGk1yPq';
  const at = new Date(options.at ?? NOW);
  return {
    body: Buffer.from(body),
    headers: { 'webhook-id': id, 'webhook-timestamp': String(Math.floor(at.getTime() / 1000)), 'webhook-signature': new Webhook(key).sign(id, at, body) },
  };
}

describe('verifyWebhookSignature', () => {
  const key = secret();
  const record = '{"id":"gen-1","model":"openai/gpt-4o-mini","total_cost":"0.0015","native_tokens_prompt":120,"native_tokens_completion":30,"created_at":"2026-12-04T11:59:00Z"}';
  const batch = `{"data":[${Array.from({ length: 100 }, () => record).join(',')}]}`;

  it('accepts what the reference implementation signs, for one record and for a 100-record batch', () => {
    for (const body of [record, batch]) {
      const delivery = signed(key, body);
      expect(verifyWebhookSignature([key], delivery.body, delivery.headers, NOW)).toEqual({ ok: true, webhookId: 'msg_2a5bRvGk1yPq' });
    }
  });

  it('accepts any one matching signature of several, and a rotated secret beside the current one', () => {
    const delivery = signed(key, record);
    const headers = { ...delivery.headers, 'webhook-signature': `v1,${Buffer.alloc(32).toString('base64')} ${delivery.headers['webhook-signature']}` };
    expect(verifyWebhookSignature([secret(), key], delivery.body, headers, NOW)).toMatchObject({ ok: true });
  });

  it('refuses a changed body, another secret, a signature of another version, and an org without secrets', () => {
    const delivery = signed(key, record);
    expect(verifyWebhookSignature([key], Buffer.from(record.replace('0.0015', '0.0016')), delivery.headers, NOW)).toEqual({ ok: false, reason: expect.stringMatching(/no signature matches/) });
    expect(verifyWebhookSignature([secret()], delivery.body, delivery.headers, NOW)).toEqual({ ok: false, reason: expect.stringMatching(/no signature matches/) });
    const v2 = { ...delivery.headers, 'webhook-signature': delivery.headers['webhook-signature'].replace(/^v1,/, 'v2,') };
    expect(verifyWebhookSignature([key], delivery.body, v2, NOW)).toMatchObject({ ok: false });
    expect(verifyWebhookSignature([], delivery.body, delivery.headers, NOW)).toEqual({ ok: false, reason: expect.stringMatching(/no secret/) });
  });

  it('takes timestamps up to five minutes either side and no further', () => {
    for (const [offsetSeconds, ok] of [[-300, true], [300, true], [-301, false], [301, false]] as const) {
      const delivery = signed(key, record, { at: NOW + offsetSeconds * 1000 });
      const check = verifyWebhookSignature([key], delivery.body, delivery.headers, NOW);
      expect(check.ok).toBe(ok);
      if (!ok) expect(check).toEqual({ ok: false, reason: expect.stringMatching(/±5 minute/) });
    }
  });

  it('reads the timestamp as a number, as the reference does (leading zeros are signed away)', () => {
    const delivery = signed(key, record);
    expect(verifyWebhookSignature([key], delivery.body, { ...delivery.headers, 'webhook-timestamp': `0${delivery.headers['webhook-timestamp']}` }, NOW)).toMatchObject({ ok: true });
  });

  it('refuses missing or malformed headers before any HMAC', () => {
    const delivery = signed(key, record);
    expect(verifyWebhookSignature([key], delivery.body, { ...delivery.headers, 'webhook-id': undefined }, NOW)).toEqual({ ok: false, reason: expect.stringMatching(/missing/) });
    expect(verifyWebhookSignature([key], delivery.body, { ...delivery.headers, 'webhook-id': 'with space' }, NOW)).toEqual({ ok: false, reason: expect.stringMatching(/printable ASCII/) });
    expect(verifyWebhookSignature([key], delivery.body, { ...delivery.headers, 'webhook-timestamp': '12e3' }, NOW)).toEqual({ ok: false, reason: expect.stringMatching(/unix seconds/) });
  });

  it('agrees with the reference implementation on random deliveries, keys and tampering', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 16, maxLength: 64 }),
        fc.string({ maxLength: 2000 }),
        fc.stringMatching(/^[\x21-\x7e]{1,40}$/),
        fc.integer({ min: -400, max: 400 }),
        fc.boolean(),
        (keyBytes, body, id, offsetSeconds, tamper) => {
          const key = `whsec_${Buffer.from(keyBytes).toString('base64')}`;
          const delivery = signed(key, body, { id, at: NOW + offsetSeconds * 1000 });
          const sentBody = tamper ? Buffer.concat([delivery.body, Buffer.from('x')]) : delivery.body;
          let reference = true;
          try {
            // The reference reads the clock itself: compare with it at our NOW. No JSON parsing: signatures only.
            jest.spyOn(Date, 'now').mockReturnValue(NOW);
            new Webhook(key).verify(sentBody, delivery.headers, { jsonParse: false } as never);
          } catch {
            reference = false;
          } finally {
            jest.restoreAllMocks();
          }
          expect(verifyWebhookSignature([key], sentBody, delivery.headers, NOW).ok).toBe(reference);
        },
      ),
      { numRuns: 300 },
    );
  });
});
