// Reads NBP's table A JSON (`{"table":"A","code":"USD","rates":[{"no","effectiveDate","mid"}]}`) into domain
// rates, refusing anything that does not look like it: a half-sent or odd body must never become a price.
import { NbpUsdRate, Rate, isCalendarDay } from '@mai/domain';

/** USD/PLN has stayed between 1.9 and 5.0 since NBP's API began; far outside this is a broken answer. */
const PLAUSIBLE_MID = { min: 0.5, max: 50 };

export type NbpTableRead = { ok: true; rates: NbpUsdRate[] } | { ok: false; problem: string };

export function readNbpUsdTable(body: string): NbpTableRead {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return { ok: false, problem: 'body is not JSON' };
  }
  const table = parsed as { table?: unknown; code?: unknown; rates?: unknown };
  if (typeof table !== 'object' || table === null) return { ok: false, problem: 'body is not an object' };
  if (table.table !== undefined && table.table !== 'A') return { ok: false, problem: `table ${String(table.table)} is not table A` };
  if (table.code !== undefined && table.code !== 'USD') return { ok: false, problem: `currency ${String(table.code)} is not USD` };
  if (!Array.isArray(table.rates) || table.rates.length === 0) return { ok: false, problem: 'rates is not a non-empty array' };
  const rates: NbpUsdRate[] = [];
  for (const entry of table.rates as { effectiveDate?: unknown; mid?: unknown }[]) {
    if (typeof entry?.effectiveDate !== 'string' || !isCalendarDay(entry.effectiveDate)) return { ok: false, problem: 'a rate has no valid effectiveDate' };
    if (typeof entry.mid !== 'number' || !(entry.mid > PLAUSIBLE_MID.min && entry.mid < PLAUSIBLE_MID.max)) {
      return { ok: false, problem: `mid ${String(entry.mid)} of ${entry.effectiveDate} is not a plausible USD/PLN rate` };
    }
    rates.push({ effectiveDate: entry.effectiveDate, mid: Rate.of(entry.mid) });
  }
  return { ok: true, rates };
}
