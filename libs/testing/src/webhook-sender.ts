// Sends signed webhooks the way a Standard Webhooks sender does, for tests and benchmarks.
import { Webhook } from 'standardwebhooks';

export interface GenerationRecordBody {
  id: string;
  model: string;
  total_cost: number | string;
  native_tokens_prompt?: number;
  native_tokens_completion?: number;
  tokens_prompt?: number;
  tokens_completion?: number;
  created_at: string;
  user?: string;
  provider_name?: string;
  [extra: string]: unknown;
}

export interface SignedDelivery {
  readonly headers: Record<string, string>;
  readonly body: string;
}

export function signDelivery(secret: string, webhookId: string, body: string, at = new Date()): SignedDelivery {
  const signature = new Webhook(secret).sign(webhookId, at, body);
  return {
    body,
    headers: {
      'content-type': 'application/json',
      'webhook-id': webhookId,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': signature,
    },
  };
}

export async function sendWebhook(
  ingestUrl: string,
  orgId: string,
  secret: string,
  webhookId: string,
  payload: unknown,
  options: { at?: Date; rawBody?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: any; headers: Headers }> {
  const delivery = signDelivery(secret, webhookId, options.rawBody ?? JSON.stringify(payload), options.at);
  const response = await fetch(`${ingestUrl}/v1/webhooks/openrouter/${orgId}`, {
    method: 'POST',
    headers: { ...delivery.headers, ...options.headers },
    body: delivery.body,
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // keep the text
  }
  return { status: response.status, body, headers: response.headers };
}

let counter = 0;
/** A valid generation record for `model`, happening now unless told otherwise. */
export function generation(overrides: Partial<GenerationRecordBody> = {}): GenerationRecordBody {
  counter += 1;
  return {
    id: `gen-${Date.now().toString(36)}-${counter}`,
    model: 'openai/gpt-4o-mini',
    total_cost: '0.0015',
    native_tokens_prompt: 120,
    native_tokens_completion: 30,
    created_at: new Date().toISOString(),
    ...overrides,
  };
}
