// The markup in force at a moment. The markup can change from a date on; usage keeps the rate that was in
// force when it happened, so each usage record carries its rate and replays never re-price history.
import { Rate } from './money';

export interface MarkupPeriod {
  /** ISO instant from which this rate applies (inclusive). */
  readonly effectiveFrom: string;
  /** Decimal string, e.g. "1.3". */
  readonly rate: string;
}

export type MarkupSchedule = readonly MarkupPeriod[];

/** The rate in force at `instant`: the latest period that started at or before it. */
export function markupRateAt(schedule: MarkupSchedule, instant: Date): Rate {
  let inForce: MarkupPeriod | undefined;
  for (const period of schedule) {
    if (Date.parse(period.effectiveFrom) <= instant.getTime()) {
      if (!inForce || Date.parse(period.effectiveFrom) >= Date.parse(inForce.effectiveFrom)) inForce = period;
    }
  }
  if (!inForce) throw new RangeError(`no markup rate in force at ${instant.toISOString()}`);
  return Rate.of(inForce.rate);
}
