// The suite's own account of a scenario: every record posted, every record answered 2xx, and the comparison of
// that ledger with what the projection finally holds (totals to the last decimal, and generation by generation
// through the projection's usage_ledger, so a loss or a double count has a name).
import { Pool } from 'pg';
import { ExpectedTotals, GenerationRecordBody, SentUsageLedger, projectionTotals, signDelivery, waitFor } from '@mai/testing';
import type { Pipeline } from '@mai/testing';

export interface Settlement {
  /** Records posted, retries and deliberate duplicates included. */
  readonly sent: number;
  /** Distinct generations answered 2xx. */
  readonly expected: number;
  /** Requests the projection counts for the org. */
  readonly found: number;
  /** Records counted more than once, plus generations counted without a 2xx to vouch for them. */
  readonly duplicates: number;
  /** Generations answered 2xx that the projection does not hold. */
  readonly lost: string[];
  readonly expectedTotals: ExpectedTotals;
  readonly foundTotals: ExpectedTotals;
}

export class DeliveryLedger {
  private readonly accepted = new SentUsageLedger();
  private readonly acceptedIds = new Set<string>();
  sent = 0;

  constructor(readonly orgId: string) {}

  posted(records: readonly GenerationRecordBody[]): void {
    this.sent += records.length;
  }

  acknowledged(records: GenerationRecordBody[]): void {
    this.accepted.acknowledge(records);
    for (const record of records) this.acceptedIds.add(record.id);
  }

  get size(): number {
    return this.accepted.size;
  }

  /** Waits until the projection holds at least the acknowledged generations, lets stragglers land, compares. */
  async settle(pipeline: Pipeline, timeoutMs = 60_000): Promise<Settlement> {
    await pipeline.waitForRequests(this.orgId, this.accepted.size, timeoutMs);
    await new Promise((r) => setTimeout(r, 750)); // anything counted twice would show up now
    return this.compare(pipeline.environment.pool, await pipeline.projection(this.orgId));
  }

  async compare(pool: Pool, rows: Awaited<ReturnType<Pipeline['projection']>>): Promise<Settlement> {
    const { rows: ledger } = await pool.query<{ generation_id: string }>('SELECT generation_id FROM usage_ledger WHERE org_id = $1', [this.orgId]);
    const projectedIds = new Set(ledger.map((row) => row.generation_id));
    const foundTotals = projectionTotals(rows);
    const unvouched = [...projectedIds].filter((id) => !this.acceptedIds.has(id)).length;
    return {
      sent: this.sent,
      expected: this.accepted.size,
      found: foundTotals.requests,
      duplicates: Math.max(0, foundTotals.requests - projectedIds.size) + unvouched,
      lost: [...this.acceptedIds].filter((id) => !projectedIds.has(id)),
      expectedTotals: this.accepted.totals(),
      foundTotals,
    };
  }
}

export interface PostAnswer {
  /** 0 when no HTTP answer arrived (connection refused or reset, timeout). */
  readonly status: number;
  readonly body: any;
  readonly retryAfter?: string | null;
  readonly error?: string;
}

/** One signed webhook POST with a deadline; never throws. */
export async function postWebhook(ingestUrl: string, orgId: string, secret: string, webhookId: string, body: string, timeoutMs = 15_000): Promise<PostAnswer> {
  const delivery = signDelivery(secret, webhookId, body);
  try {
    const response = await fetch(`${ingestUrl}/v1/webhooks/openrouter/${orgId}`, {
      method: 'POST',
      headers: delivery.headers,
      body: delivery.body,
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // keep the text
    }
    return { status: response.status, body: parsed, retryAfter: response.headers.get('retry-after') };
  } catch (error) {
    return { status: 0, body: null, error: String((error as Error & { cause?: Error }).cause?.message ?? (error as Error).message) };
  }
}

export interface DeliveryOutcome {
  readonly attempts: number;
  readonly statuses: number[];
  readonly final: PostAnswer;
}

/**
 * Delivers records the way a Standard Webhooks sender does: the same webhook-id and body, re-signed, until a
 * 2xx, waiting between attempts. Only "try again later" answers (no answer, 429, 503) are retried.
 */
export async function deliverUntilAccepted(
  ledger: DeliveryLedger,
  target: { ingestUrl: string; secret: string },
  webhookId: string,
  records: GenerationRecordBody[],
  options: { maxAttempts?: number; retryDelayMs?: number; onSend?: () => void; onAnswer?: (answer: PostAnswer, startedAt: number) => void } = {},
): Promise<DeliveryOutcome> {
  const body = JSON.stringify({ data: records });
  const statuses: number[] = [];
  const maxAttempts = options.maxAttempts ?? 300;
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    ledger.posted(records);
    const startedAt = Date.now();
    options.onSend?.();
    const answer = await postWebhook(target.ingestUrl, ledger.orgId, target.secret, webhookId, body);
    options.onAnswer?.(answer, startedAt);
    statuses.push(answer.status);
    if (answer.status === 202) {
      ledger.acknowledged(records);
      return { attempts: attempt, statuses, final: answer };
    }
    if (![0, 429, 503].includes(answer.status)) throw new Error(`delivery ${webhookId} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
    await new Promise((r) => setTimeout(r, options.retryDelayMs ?? 100));
  }
  throw new Error(`delivery ${webhookId} was not accepted in ${maxAttempts} attempts (last: ${statuses.at(-1)})`);
}

/** Waits until `probe` holds; for polling the system from a scenario. */
export const eventually = waitFor;

/** The value of one Prometheus sample from a service's /metrics (summed over label sets), or 0. */
export async function metricValue(serviceUrl: string, name: string, labels: Record<string, string> = {}): Promise<number> {
  const text = await (await fetch(`${serviceUrl}/metrics`, { signal: AbortSignal.timeout(5_000) })).text();
  let total = 0;
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(\{([^}]*)\})? ([^ ]+)/.exec(line);
    if (!match || match[1] !== name) continue;
    const labelText = match[3] ?? '';
    if (Object.entries(labels).every(([key, value]) => labelText.includes(`${key}="${value}"`))) total += Number(match[4]);
  }
  return total;
}
