// The breakdown as CSV (RFC 4180: comma-separated, CRLF, fields quoted when they hold a comma, quote or line
// break). Text that a spreadsheet would run as a formula is prefixed with an apostrophe. Money is written as
// exact decimal text, never in exponent form; cost cells are empty for members.
import { CostFigures, ModelUsageLine, REPORTED_USD_DECIMALS, Usd } from '@mai/domain';

export const USAGE_CSV_COLUMNS = [
  'model_name',
  'display_name',
  'provider',
  'total_tokens',
  'total_requests',
  'raw_cost',
  'markup_cost',
  'cost_pln',
  'days_used',
] as const;

export function usageCsv(lines: readonly ModelUsageLine[]): string {
  const rows = lines.map((line) => [
    text(line.model),
    text(line.displayName),
    text(line.provider),
    String(line.totalTokens),
    String(line.totalRequests),
    ...costCells(line.cost),
    String(line.daysUsed),
  ]);
  return [USAGE_CSV_COLUMNS.join(','), ...rows.map((cells) => cells.join(','))].map((row) => `${row}\r\n`).join('');
}

export function usageCsvFilename(orgId: string, start: string, end: string): string {
  return `usage-by-model_${orgId}_${start}_${end}.csv`;
}

function costCells(cost: CostFigures | null): string[] {
  if (!cost) return ['', '', ''];
  return [usdText(cost.rawCost), usdText(cost.markupCost), cost.costPln];
}

/** 0.125000000 → "0.125": rounded to the reported precision, trailing zeros trimmed. */
function usdText(amount: Usd): string {
  return Usd.of(amount.toFixed(REPORTED_USD_DECIMALS)).toString();
}

function text(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
