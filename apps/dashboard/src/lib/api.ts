// Typed client for the gateway's dashboard API (docs/API.md, contract section 5). Same origin; every call carries
// the bearer token. The types below are the gateway's documented JSON as it is; an answer without the list or
// object a report is about is treated as a broken answer, not patched up.
import type { DateRange, IsoDate, IsoMonth } from './dateRange';

export const API_BASE = '/api/v1/usage-tracking/my-organization';

// ---------------------------------------------------------------------------------------------------------------
// Response types (docs/API.md "Reports"). Money fields are `null` for `role: member`.

export type FxSource = 'nbp' | 'cache' | 'fallback';

export interface Period {
  readonly start: IsoDate;
  readonly end: IsoDate;
  readonly timezone: string;
}

export interface ExchangeRate {
  readonly usd_pln: number;
  readonly source: FxSource;
  /** The NBP table's date; `null` with `source: "fallback"`. */
  readonly effective_date: IsoDate | null;
}

export interface ModelUsage {
  readonly model_name: string;
  readonly display_name: string;
  readonly provider: string;
  readonly total_tokens: number;
  readonly total_requests: number;
  readonly raw_cost: number | null;
  readonly markup_cost: number | null;
  readonly cost_pln: number | null;
  readonly days_used: number;
}

export interface UsageTotals {
  readonly total_tokens: number;
  readonly total_requests: number;
  readonly raw_cost: number | null;
  readonly markup_cost: number | null;
  readonly cost_pln: number | null;
}

/** `GET /usage-by-model`: every catalog model, in the API's order (which the page keeps). */
export interface UsageByModel {
  readonly period: Period;
  readonly exchange_rate: ExchangeRate;
  readonly model_usage: readonly ModelUsage[];
  readonly totals: UsageTotals;
}

export interface TopModel {
  readonly model_name: string;
  readonly display_name: string;
  readonly total_tokens: number;
}

/** `GET /top-models`. */
export interface TopModels {
  readonly period: Period;
  readonly top_models: readonly TopModel[];
}

export interface BusiestDay {
  readonly date: IsoDate;
  readonly total_tokens: number;
}

export interface HighestCostDay {
  readonly date: IsoDate;
  readonly markup_cost: number;
  readonly cost_pln: number;
}

/** `GET /monthly-summary`. */
export interface MonthlySummary {
  readonly month: IsoMonth;
  readonly period: Period;
  readonly days_elapsed: number;
  readonly days_with_usage: number;
  readonly exchange_rate: ExchangeRate;
  readonly average_daily_tokens: number;
  readonly average_daily_cost: number | null;
  readonly average_usage_day_tokens: number;
  readonly busiest_day: BusiestDay | null;
  /** `null` when nothing cost anything, and always for members. */
  readonly highest_cost_day: HighestCostDay | null;
  readonly total_unique_users: number;
  readonly top_models: readonly TopModel[];
}

/** One row of `GET /usage-by-model/daily`: a day and model with usage (the API sends no zero rows). */
export interface DailyModelUsage {
  readonly date: IsoDate;
  readonly model_name: string;
  readonly display_name: string;
  readonly provider: string;
  readonly total_tokens: number;
  readonly total_requests: number;
  readonly raw_cost: number | null;
  readonly markup_cost: number | null;
  readonly cost_pln: number | null;
}

/** `GET /usage-by-model/daily`: rows by date, then model_name. */
export interface DailyUsage {
  readonly period: Period;
  readonly exchange_rate: ExchangeRate;
  readonly model: string | null;
  readonly daily_usage: readonly DailyModelUsage[];
}

// ---------------------------------------------------------------------------------------------------------------
// Errors, classified by what the page should do about them.

export type ApiErrorKind =
  | 'no-token' // nothing to authenticate with
  | 'unauthorized' // 401: token missing, expired or invalid
  | 'forbidden' // 403: the token's org does not exist
  | 'not-found' // 404
  | 'bad-request' // 400: malformed range etc.
  | 'rate-limited' // 429
  | 'server' // 5xx
  | 'network' // fetch failed, or the answer was not JSON
  | 'aborted';

export class ApiError extends Error {
  constructor(
    readonly kind: ApiErrorKind,
    message: string,
    readonly status: number | null = null,
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** 401/403/no token: the page cannot tell which organization to show. */
  get orgUnavailable(): boolean {
    return this.kind === 'no-token' || this.kind === 'unauthorized' || this.kind === 'forbidden';
  }
}

export function errorKindForStatus(status: number): ApiErrorKind {
  if (status === 400) return 'bad-request';
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not-found';
  if (status === 429) return 'rate-limited';
  if (status >= 500) return 'server';
  return 'network';
}

// ---------------------------------------------------------------------------------------------------------------
// Shape check: the one thing each report cannot be without.

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The answer is a successful report that carries `key`; anything else (a proxy's page, an old gateway) is an error. */
export function assertReport<T>(body: unknown, key: string, isExpected: (value: unknown) => boolean): T {
  if (!isObject(body) || body.success !== true || !isExpected(body[key])) {
    throw new ApiError('network', `The server's answer has no "${key}"`);
  }
  return body as T;
}

// ---------------------------------------------------------------------------------------------------------------
// The client.

export function rangeQuery(range: DateRange | null, extra: Record<string, string | undefined> = {}): string {
  const params = new URLSearchParams();
  if (range) {
    params.set('start', range.start);
    params.set('end', range.end);
  }
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) params.set(k, v);
  const q = params.toString();
  return q ? `?${q}` : '';
}

/** The API's `Retry-After` is whole seconds (429, 503). */
function parseRetryAfter(value: string | null): number | null {
  const seconds = value === null ? NaN : Number(value);
  return Number.isFinite(seconds) ? Math.max(0, Math.round(seconds)) : null;
}

export interface CsvFile {
  readonly filename: string;
  readonly blob: Blob;
}

export class DashboardApi {
  constructor(
    private readonly token: string | null,
    private readonly fetchImpl: typeof fetch = (...args) => fetch(...args),
  ) {}

  private async request(path: string, signal?: AbortSignal, accept = 'application/json'): Promise<Response> {
    if (!this.token) throw new ApiError('no-token', 'No access token');
    let res: Response;
    try {
      res = await this.fetchImpl(`${API_BASE}${path}`, {
        headers: { Authorization: `Bearer ${this.token}`, Accept: accept },
        signal,
      });
    } catch (err) {
      if (signal?.aborted) throw new ApiError('aborted', 'Request aborted');
      throw new ApiError('network', err instanceof Error ? err.message : 'Network error');
    }
    if (!res.ok) {
      let message = `HTTP ${res.status}`;
      try {
        const body = (await res.json()) as unknown;
        if (isObject(body) && typeof body.error === 'string') message = body.error; // {"success": false, "error": …}
      } catch {
        /* the body was not JSON; the status says enough */
      }
      throw new ApiError(errorKindForStatus(res.status), message, res.status, parseRetryAfter(res.headers.get('Retry-After')));
    }
    return res;
  }

  private async json(path: string, signal?: AbortSignal): Promise<unknown> {
    const res = await this.request(path, signal);
    try {
      return await res.json();
    } catch {
      throw new ApiError('network', 'The server answered with something other than JSON', res.status);
    }
  }

  async usageByModel(range: DateRange | null, signal?: AbortSignal): Promise<UsageByModel> {
    return assertReport(await this.json(`/usage-by-model${rangeQuery(range)}`, signal), 'model_usage', Array.isArray);
  }

  async topModels(range: DateRange | null, signal?: AbortSignal): Promise<TopModels> {
    return assertReport(await this.json(`/top-models${rangeQuery(range)}`, signal), 'top_models', Array.isArray);
  }

  async monthlySummary(month: IsoMonth | null, signal?: AbortSignal): Promise<MonthlySummary> {
    const q = month ? `?month=${encodeURIComponent(month)}` : '';
    return assertReport(await this.json(`/monthly-summary${q}`, signal), 'top_models', Array.isArray);
  }

  /** One row per day and model with usage; `model` narrows to one model (the drill-down). */
  async dailyUsage(range: DateRange | null, model?: string, signal?: AbortSignal): Promise<DailyUsage> {
    return assertReport(await this.json(`/usage-by-model/daily${rangeQuery(range, { model })}`, signal), 'daily_usage', Array.isArray);
  }

  async usageCsv(range: DateRange | null, signal?: AbortSignal): Promise<CsvFile> {
    const res = await this.request(`/usage-by-model.csv${rangeQuery(range)}`, signal, 'text/csv');
    const blob = await res.blob();
    return { filename: csvFilename(res.headers.get('Content-Disposition'), range), blob };
  }
}

/** The gateway's file name (`attachment; filename="usage-by-model_<org>_<start>_<end>.csv"`), else one naming the range. */
export function csvFilename(contentDisposition: string | null, range: DateRange | null): string {
  const m = contentDisposition ? /filename="([^"]+)"/i.exec(contentDisposition) : null;
  if (m?.[1]) return m[1];
  return range ? `usage-by-model_${range.start}_${range.end}.csv` : 'usage-by-model.csv';
}
