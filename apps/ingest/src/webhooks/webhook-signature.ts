// Standard Webhooks verification against every secret the org currently honours (a rotated one stays valid
// for 24 h). The library checks the ±5 minute timestamp window and compares signatures in constant time.
import { Webhook, WebhookVerificationError } from 'standardwebhooks';

const verifiers = new Map<string, Webhook>();

function verifierFor(secret: string): Webhook {
  let verifier = verifiers.get(secret);
  if (!verifier) {
    verifier = new Webhook(secret);
    if (verifiers.size > 10_000) verifiers.clear();
    verifiers.set(secret, verifier);
  }
  return verifier;
}

export type SignatureCheck = { ok: true; webhookId: string } | { ok: false; reason: string };

export function verifyWebhookSignature(
  secrets: readonly string[],
  rawBody: Buffer,
  headers: Record<string, string | string[] | undefined>,
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
  const signed = { 'webhook-id': webhookId, 'webhook-timestamp': timestamp, 'webhook-signature': signature };
  let lastReason = 'no secret is configured for this organization';
  for (const secret of secrets) {
    try {
      verifierFor(secret).verify(rawBody, signed, { jsonParse: false } as never);
      return { ok: true, webhookId };
    } catch (error) {
      if (!(error instanceof WebhookVerificationError)) throw error;
      lastReason = /too old|too new/i.test(error.message) ? 'webhook-timestamp is outside the accepted ±5 minute window' : 'no signature matches the organization\'s secret';
      if (/too old|too new/i.test(error.message)) break;
    }
  }
  return { ok: false, reason: lastReason };
}
