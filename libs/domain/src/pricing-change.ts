// What an operator may change in the catalog and the markup schedule, and from when. Usage records carry the
// markup in force when they happened, so a change can only ever apply to usage that has not happened yet.
import { parseRfc3339 } from './calendar';
import { CatalogModel, MODEL_ID_PATTERN } from './catalog';
import { MAX_CLOCK_SKEW_MS } from './generation-record';
import { Rate } from './money';
import { USAGE_BOUNDS } from './usage-event';

/** Ingest stamps records from a pricing snapshot at most this old (PricingClient refetches beyond it). */
export const PRICING_SNAPSHOT_MAX_AGE_MS = 2 * 60_000;
/**
 * How far ahead a markup change must start. Ingest may stamp with a snapshot up to
 * PRICING_SNAPSHOT_MAX_AGE_MS old, for records up to MAX_CLOCK_SKEW_MS ahead of its clock; a change that starts
 * later than both (plus a margin for clocks) is in every snapshot before any usage it applies to arrives.
 */
export const MARKUP_CHANGE_LEAD_MS = PRICING_SNAPSHOT_MAX_AGE_MS + MAX_CLOCK_SKEW_MS + 3 * 60_000;
/** A typo guard: "130" meant 1.3. */
export const MAX_MARKUP_RATE = 10;

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/** `--from` as an instant: an RFC 3339 instant, or a `YYYY-MM-DD` date meaning 00:00 UTC that day. */
export function parseEffectiveFrom(text: string): Date | undefined {
  return parseRfc3339(DATE_ONLY.test(text) ? `${text}T00:00:00Z` : text);
}

export type MarkupChange = { ok: true; rate: Rate; effectiveFrom: Date } | { ok: false; reason: string };

/** Checks a markup change requested at `now`: a sane rate, starting far enough ahead to re-price nothing. */
export function markupChange(rateText: string, fromText: string, now: Date): MarkupChange {
  let rate: Rate;
  try {
    rate = Rate.of(rateText);
  } catch {
    return { ok: false, reason: `the rate must be a positive decimal such as 1.3, got "${rateText}"` };
  }
  if (rate.toNumber() > MAX_MARKUP_RATE) return { ok: false, reason: `the rate must be at most ${MAX_MARKUP_RATE} (1.3 means +30 %), got ${rateText}` };
  const effectiveFrom = parseEffectiveFrom(fromText);
  if (!effectiveFrom) return { ok: false, reason: `--from must be YYYY-MM-DD (00:00 UTC) or an ISO instant with a zone, got "${fromText}"` };
  const earliest = new Date(now.getTime() + MARKUP_CHANGE_LEAD_MS);
  if (effectiveFrom < earliest) {
    return {
      ok: false,
      reason:
        `--from ${effectiveFrom.toISOString()} is too early: a markup change applies only to usage that has not happened yet, ` +
        `so it must start at least ${MARKUP_CHANGE_LEAD_MS / 60_000} minutes from now (${earliest.toISOString()} or later)`,
    };
  }
  return { ok: true, rate, effectiveFrom };
}

/** What is wrong with a model to add to the catalog, if anything. */
export function catalogModelIssue(model: CatalogModel): string | undefined {
  if (!MODEL_ID_PATTERN.test(model.id)) return `model id "${model.id}" must look like vendor/name as OpenRouter writes it, e.g. openai/gpt-4.1`;
  if (model.displayName.trim().length === 0 || model.displayName.length > 128) return '--name must be 1 to 128 characters';
  if (model.provider.trim().length === 0 || model.provider.length > USAGE_BOUNDS.providerMaxLength) {
    return `--provider must be 1 to ${USAGE_BOUNDS.providerMaxLength} characters`;
  }
  return undefined;
}
