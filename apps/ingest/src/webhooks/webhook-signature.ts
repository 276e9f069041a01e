// Standard Webhooks verification against every secret the org currently honours (a rotated one stays valid
// for 24 h): the ±5 minute timestamp window, then HMAC-SHA256 over "{id}.{timestamp}.{body}" compared in
// constant time with each `v1,` signature sent. The HMAC is node:crypto's (OpenSSL) rather than the
// `standardwebhooks` package's pure-JavaScript SHA-256, which cost ten times as much on a 100-record body;
// the rules are the package's, and webhook-signature.spec.ts checks deliveries signed by it.
import { createHmac, timingSafeEqual } from 'node:crypto';

/** The Standard Webhooks window, either side of our clock. */
export const SIGNATURE_TOLERANCE_SECONDS = 5 * 60;
const SECRET_PREFIX = 'whsec_';

const keys = new Map<string, Buffer>();

/** The HMAC key of a `whsec_<base64>` secret (the part after the prefix, base64-decoded), cached per secret. */
function keyOf(secret: string): Buffer {
  let key = keys.get(secret);
  if (!key) {
    key = Buffer.from(secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret, 'base64');
    if (keys.size > 10_000) keys.clear();
    keys.set(secret, key);
  }
  return key;
}

export type SignatureCheck = { ok: true; webhookId: string } | { ok: false; reason: string };

export function verifyWebhookSignature(
  secrets: readonly string[],
  rawBody: Buffer,
  headers: Record<string, string | string[] | undefined>,
  now = Date.now(),
): SignatureCheck {
  const single = (name: string) => {
    const value = headers[name];
    return Array.isArray(value) ? value[0] : value;
  };
  const webhookId = single('webhook-id');
  const timestamp = single('webhook-timestamp');
  const signature = single('webhook-signature');
  if (!webhookId || !timestamp || !signature) return { ok: false, reason: 'missing webhook-id, webhook-timestamp or webhook-signature header' };
  if (!/^[\x21-\x7e]{1,128}$/.test(webhookId)) return { ok: false, reason: 'webhook-id must be 1 to 128 printable ASCII characters' };
  if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: 'webhook-timestamp must be unix seconds' };
  if (secrets.length === 0) return { ok: false, reason: 'no secret is configured for this organization' };
  const seconds = Number(timestamp);
  const nowSeconds = Math.floor(now / 1000);
  if (nowSeconds - seconds > SIGNATURE_TOLERANCE_SECONDS || seconds > nowSeconds + SIGNATURE_TOLERANCE_SECONDS) {
    return { ok: false, reason: 'webhook-timestamp is outside the accepted ±5 minute window' };
  }
  // Signed over the timestamp as a number (as the reference implementation does), so leading zeros do not matter.
  const signedPrefix = `${webhookId}.${seconds}.`;
  const sent = signature.split(' ').map((candidate) => Buffer.from(candidate));
  for (const secret of secrets) {
    const expected = Buffer.from(`v1,${createHmac('sha256', keyOf(secret)).update(signedPrefix).update(rawBody).digest('base64')}`);
    if (sent.some((candidate) => candidate.length === expected.length && timingSafeEqual(candidate, expected))) return { ok: true, webhookId };
  }
  return { ok: false, reason: 'no signature matches the organization\'s secret' };
}
