// Typed client for the gateway's dashboard API (contract section 5). Same origin; every call carries the bearer
// token. Responses are normalized at this edge so components only ever see the shapes declared here.
import type { DateRange, IsoDate, IsoMonth } from './dateRange';

export const API_BASE = '/api/v1/usage-tracking/my-organization';

// ---------------------------------------------------------------------------------------------------------------
// Response types (section 5). Cost fields are `null` for `role: member`.

export type FxSource = 'nbp' | 'cache' | 'fallback';

export interface Period {
  readonly start: IsoDate;
  readonly end: IsoDate;
  readonly timezone: string;
}

export interface ExchangeRate {
  readonly usd_pln: number;
  readonly source: FxSource | string;
  readonly effective_date: IsoDate;
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

export interface UsageByModel {
  readonly period: Period;
  readonly exchange_rate: ExchangeRate | null;
  readonly model_usage: readonly ModelUsage[];
  readonly totals: UsageTotals;
}

export interface TopModel {
  readonly model_name: string;
  readonly total_tokens: number;
  readonly display_name?: string;
}

export interface DayTokens {
  readonly date: IsoDate;
  readonly total_tokens: number;
}

export interface DayCost {
  readonly date: IsoDate;
  readonly markup_cost: number | null;
  readonly cost_pln: number | null;
}

export interface MonthlySummary {
  readonly month: IsoMonth | null;
  readonly average_daily_tokens: number;
  readonly average_daily_cost: number | null;
  readonly average_usage_day_tokens: number;
  readonly busiest_day: DayTokens | null;
  readonly highest_cost_day: DayCost | null;
  readonly total_unique_users: number;
  readonly top_models: readonly TopModel[];
}

export interface DailyModelUsage {
  readonly date: IsoDate;
  readonly model_name: string;
  readonly display_name: string | null;
  readonly provider: string | null;
  readonly total_tokens: number;
  readonly total_requests: number;
  readonly markup_cost: number | null;
  readonly cost_pln: number | null;
}

// ---------------------------------------------------------------------------------------------------------------
// Errors, classified by what the page should do about them.

export type ApiErrorKind =
  | 'no-token' // nothing to authenticate with
  | 'unauthorized' // 401: token missing, expired or invalid
  | 'forbidden' // 403: the token names no usable org
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
  if (status === 400 || status === 422) return 'bad-request';
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not-found';
  if (status === 429) return 'rate-limited';
  if (status >= 500) return 'server';
  return 'network';
}

// ---------------------------------------------------------------------------------------------------------------
// Normalizers: tolerate decimal strings for money and a few spellings of the daily rows' fields.

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function num(v: unknown): number {
  const n = typeof v === 'string' ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) ? n : 0;
}

function numOrNull(v: unknown): number | null {
  if (v === null || v === undefined || v === '') return null;
  const n = typeof v === 'string' ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) ? n : null;
}

function str(v: unknown, fallback = ''): string {
  return typeof v === 'string' ? v : fallback;
}

function strOrNull(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? v : null;
}

function pickDate(row: Json): IsoDate {
  return str(row.date ?? row.day ?? row.usage_date ?? row.usage_day);
}

export function normalizeModelUsage(row: Json): ModelUsage {
  const model_name = str(row.model_name ?? row.model);
  return {
    model_name,
    display_name: str(row.display_name, model_name),
    provider: str(row.provider ?? row.provider_name),
    total_tokens: num(row.total_tokens),
    total_requests: num(row.total_requests),
    raw_cost: numOrNull(row.raw_cost),
    markup_cost: numOrNull(row.markup_cost),
    cost_pln: numOrNull(row.cost_pln),
    days_used: num(row.days_used),
  };
}

export function normalizeUsageByModel(body: Json): UsageByModel {
  const period = isObject(body.period) ? body.period : {};
  const fx = isObject(body.exchange_rate) ? body.exchange_rate : null;
  const totals = isObject(body.totals) ? body.totals : {};
  const rows = Array.isArray(body.model_usage) ? body.model_usage.filter(isObject).map(normalizeModelUsage) : [];
  return {
    period: { start: str(period.start), end: str(period.end), timezone: str(period.timezone, 'UTC') },
    exchange_rate: fx
      ? { usd_pln: num(fx.usd_pln), source: str(fx.source, 'nbp'), effective_date: str(fx.effective_date) }
      : null,
    model_usage: rows,
    totals: {
      total_tokens: num(totals.total_tokens),
      total_requests: num(totals.total_requests),
      raw_cost: numOrNull(totals.raw_cost),
      markup_cost: numOrNull(totals.markup_cost),
      cost_pln: numOrNull(totals.cost_pln),
    },
  };
}

export function normalizeTopModels(list: unknown): TopModel[] {
  if (!Array.isArray(list)) return [];
  return list.filter(isObject).map((row) => ({
    model_name: str(row.model_name ?? row.model),
    total_tokens: num(row.total_tokens),
    ...(typeof row.display_name === 'string' ? { display_name: row.display_name } : {}),
  }));
}

function normalizeDayTokens(v: unknown): DayTokens | null {
  if (typeof v === 'string' && v) return { date: v, total_tokens: 0 };
  if (!isObject(v)) return null;
  const date = pickDate(v);
  return date ? { date, total_tokens: num(v.total_tokens ?? v.tokens) } : null;
}

function normalizeDayCost(v: unknown): DayCost | null {
  if (typeof v === 'string' && v) return { date: v, markup_cost: null, cost_pln: null };
  if (!isObject(v)) return null;
  const date = pickDate(v);
  return date ? { date, markup_cost: numOrNull(v.markup_cost ?? v.cost), cost_pln: numOrNull(v.cost_pln) } : null;
}

export function normalizeMonthlySummary(body: Json): MonthlySummary {
  // Some gateways nest the figures under `summary`; accept both.
  const s = isObject(body.summary) ? { ...body, ...body.summary } : body;
  return {
    month: strOrNull(s.month),
    average_daily_tokens: num(s.average_daily_tokens),
    average_daily_cost: numOrNull(s.average_daily_cost),
    average_usage_day_tokens: num(s.average_usage_day_tokens),
    busiest_day: normalizeDayTokens(s.busiest_day),
    highest_cost_day: normalizeDayCost(s.highest_cost_day),
    total_unique_users: num(s.total_unique_users),
    top_models: normalizeTopModels(s.top_models),
  };
}

export function normalizeDailyRows(body: Json): DailyModelUsage[] {
  const list = [body.daily_usage, body.daily, body.rows, body.data, body.usage].find(Array.isArray) as unknown[] | undefined;
  if (!list) return [];
  return list
    .filter(isObject)
    .map((row) => ({
      date: pickDate(row),
      model_name: str(row.model_name ?? row.model),
      display_name: strOrNull(row.display_name),
      provider: strOrNull(row.provider ?? row.provider_name),
      total_tokens: num(row.total_tokens ?? row.tokens),
      total_requests: num(row.total_requests ?? row.requests),
      markup_cost: numOrNull(row.markup_cost),
      cost_pln: numOrNull(row.cost_pln),
    }))
    .filter((row) => row.date !== '' && row.model_name !== '')
    .sort((a, b) => (a.date === b.date ? a.model_name.localeCompare(b.model_name) : a.date < b.date ? -1 : 1));
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

function parseRetryAfter(value: string | null): number | null {
  if (!value) return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, Math.round(seconds));
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, Math.round((at - Date.now()) / 1000));
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
        if (isObject(body) && typeof body.error === 'string') message = body.error;
        else if (isObject(body) && typeof body.message === 'string') message = body.message;
      } catch {
        /* the body was not JSON; the status says enough */
      }
      throw new ApiError(errorKindForStatus(res.status), message, res.status, parseRetryAfter(res.headers.get('Retry-After')));
    }
    return res;
  }

  private async json(path: string, signal?: AbortSignal): Promise<Json> {
    const res = await this.request(path, signal);
    let body: unknown;
    try {
      body = await res.json();
    } catch {
      throw new ApiError('network', 'The server answered with something other than JSON', res.status);
    }
    if (!isObject(body)) throw new ApiError('network', 'Unexpected response shape', res.status);
    return body;
  }

  async usageByModel(range: DateRange | null, signal?: AbortSignal): Promise<UsageByModel> {
    return normalizeUsageByModel(await this.json(`/usage-by-model${rangeQuery(range)}`, signal));
  }

  async topModels(range: DateRange | null, signal?: AbortSignal): Promise<TopModel[]> {
    return normalizeTopModels((await this.json(`/top-models${rangeQuery(range)}`, signal)).top_models);
  }

  async monthlySummary(month: IsoMonth | null, signal?: AbortSignal): Promise<MonthlySummary> {
    const q = month ? `?month=${encodeURIComponent(month)}` : '';
    return normalizeMonthlySummary(await this.json(`/monthly-summary${q}`, signal));
  }

  async dailyUsage(range: DateRange | null, model?: string, signal?: AbortSignal): Promise<DailyModelUsage[]> {
    return normalizeDailyRows(await this.json(`/usage-by-model/daily${rangeQuery(range, { model })}`, signal));
  }

  async usageCsv(range: DateRange | null, signal?: AbortSignal): Promise<CsvFile> {
    const res = await this.request(`/usage-by-model.csv${rangeQuery(range)}`, signal, 'text/csv');
    const blob = await res.blob();
    return { filename: csvFilename(res.headers.get('Content-Disposition'), range), blob };
  }
}

/** The server's file name from Content-Disposition, else one naming the range. */
export function csvFilename(contentDisposition: string | null, range: DateRange | null): string {
  const m = contentDisposition ? /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(contentDisposition) : null;
  if (m?.[1]) {
    try {
      return decodeURIComponent(m[1]);
    } catch {
      return m[1];
    }
  }
  return range ? `usage-by-model_${range.start}_${range.end}.csv` : 'usage-by-model.csv';
}
