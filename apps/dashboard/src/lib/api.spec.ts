import { ApiError, assertReport, csvFilename, DashboardApi, errorKindForStatus, rangeQuery, type UsageByModel } from './api';

const CONTRACT_EXAMPLE = {
  success: true,
  period: { start: '2026-12-01', end: '2026-12-04', timezone: 'Europe/Warsaw' },
  exchange_rate: { usd_pln: 3.6521, source: 'nbp', effective_date: '2026-12-03' },
  model_usage: [
    {
      model_name: 'anthropic/claude-sonnet-4',
      display_name: 'Claude Sonnet 4',
      provider: 'Anthropic',
      total_tokens: 15750,
      total_requests: 45,
      raw_cost: 0.0961538,
      markup_cost: 0.12499994,
      cost_pln: 0.46,
      days_used: 12,
    },
  ],
  totals: { total_tokens: 15750, total_requests: 45, raw_cost: 0.0961538, markup_cost: 0.12499994, cost_pln: 0.46 },
};

/** docs/API.md "GET /monthly-summary". */
const MONTHLY_SUMMARY_EXAMPLE = {
  success: true,
  month: '2026-12',
  period: { start: '2026-12-01', end: '2026-12-31', timezone: 'Europe/Warsaw' },
  days_elapsed: 4,
  days_with_usage: 2,
  exchange_rate: { usd_pln: 3.6521, source: 'nbp', effective_date: '2026-12-03' },
  average_daily_tokens: 311,
  average_daily_cost: 0.1937,
  average_usage_day_tokens: 622,
  busiest_day: { date: '2026-12-02', total_tokens: 1234 },
  highest_cost_day: { date: '2026-12-03', markup_cost: 0.65, cost_pln: 2.37 },
  total_unique_users: 2,
  top_models: [{ model_name: 'openai/o3', display_name: 'O3', total_tokens: 1234 }],
};

/** docs/API.md "GET /usage-by-model/daily". */
const DAILY_EXAMPLE = {
  success: true,
  period: { start: '2026-12-01', end: '2026-12-04', timezone: 'Europe/Warsaw' },
  exchange_rate: { usd_pln: 3.6521, source: 'fallback', effective_date: null },
  model: 'openai/o3',
  daily_usage: [
    {
      date: '2026-12-02',
      model_name: 'openai/o3',
      display_name: 'O3',
      provider: 'OpenAI',
      total_tokens: 1234,
      total_requests: 1,
      raw_cost: 0.0961538,
      markup_cost: 0.12499994,
      cost_pln: 0.46,
    },
  ],
};

describe('assertReport', () => {
  it('passes the documented usage-by-model answer through as it is', () => {
    expect(assertReport<UsageByModel>(CONTRACT_EXAMPLE, 'model_usage', Array.isArray)).toBe(CONTRACT_EXAMPLE);
  });

  it('treats an answer without the report as a broken answer', () => {
    expect(() => assertReport(MONTHLY_SUMMARY_EXAMPLE, 'model_usage', Array.isArray)).toThrow(ApiError);
    expect(() => assertReport('<!doctype html>', 'model_usage', Array.isArray)).toThrow(/no "model_usage"/);
    expect(() => assertReport({ success: false, error: 'x', status: 500 }, 'model_usage', Array.isArray)).toThrow(ApiError);
  });
});

describe('errors and queries', () => {
  it('classifies statuses by what the page should do', () => {
    expect(errorKindForStatus(401)).toBe('unauthorized');
    expect(errorKindForStatus(403)).toBe('forbidden');
    expect(errorKindForStatus(400)).toBe('bad-request');
    expect(errorKindForStatus(429)).toBe('rate-limited');
    expect(errorKindForStatus(503)).toBe('server');
    expect(new ApiError('forbidden', 'x').orgUnavailable).toBe(true);
    expect(new ApiError('server', 'x').orgUnavailable).toBe(false);
  });

  it('builds the range query', () => {
    expect(rangeQuery({ start: '2026-12-01', end: '2026-12-04' })).toBe('?start=2026-12-01&end=2026-12-04');
    expect(rangeQuery({ start: '2026-12-01', end: '2026-12-04' }, { model: 'openai/gpt-4.1' })).toBe(
      '?start=2026-12-01&end=2026-12-04&model=openai%2Fgpt-4.1',
    );
    expect(rangeQuery(null)).toBe('');
  });

  it('names the CSV from Content-Disposition, else from the range', () => {
    expect(csvFilename('attachment; filename="usage-by-model_acme_2026-12-01_2026-12-04.csv"', null)).toBe('usage-by-model_acme_2026-12-01_2026-12-04.csv');
    expect(csvFilename(null, { start: '2026-12-01', end: '2026-12-04' })).toBe('usage-by-model_2026-12-01_2026-12-04.csv');
  });
});

describe('DashboardApi', () => {
  const ok = (body: unknown) => new Response(JSON.stringify(body), { status: 200, headers: { 'Content-Type': 'application/json' } });

  it('sends the bearer token to the same-origin API path', async () => {
    const calls: [string, RequestInit | undefined][] = [];
    const api = new DashboardApi('tok.en.x', async (input, init) => {
      calls.push([String(input), init]);
      return ok(CONTRACT_EXAMPLE);
    });
    await api.usageByModel({ start: '2026-12-01', end: '2026-12-04' });
    expect(calls[0]![0]).toBe('/api/v1/usage-tracking/my-organization/usage-by-model?start=2026-12-01&end=2026-12-04');
    expect((calls[0]![1]!.headers as Record<string, string>).Authorization).toBe('Bearer tok.en.x');
  });

  it('refuses to call without a token', async () => {
    const api = new DashboardApi(null, async () => ok({}));
    await expect(api.topModels(null)).rejects.toMatchObject({ kind: 'no-token' });
  });

  it('turns the error envelope into an ApiError with the server’s message and Retry-After', async () => {
    const api = new DashboardApi('t', async () => new Response(JSON.stringify({ success: false, error: 'Too Many Requests' }), { status: 429, headers: { 'Retry-After': '12' } }));
    await expect(api.topModels(null)).rejects.toMatchObject({ kind: 'rate-limited', status: 429, message: 'Too Many Requests', retryAfterSeconds: 12 });
  });

  it('reports a failed fetch as a network error', async () => {
    const api = new DashboardApi('t', async () => {
      throw new TypeError('Failed to fetch');
    });
    await expect(api.monthlySummary('2026-12')).rejects.toMatchObject({ kind: 'network' });
  });

  it('asks for the drill-down with the model parameter and reads `daily_usage`', async () => {
    let url = '';
    const api = new DashboardApi('t', async (input) => {
      url = String(input);
      return ok(DAILY_EXAMPLE);
    });
    const daily = await api.dailyUsage({ start: '2026-12-01', end: '2026-12-04' }, 'openai/o3');
    expect(url).toBe('/api/v1/usage-tracking/my-organization/usage-by-model/daily?start=2026-12-01&end=2026-12-04&model=openai%2Fo3');
    expect(daily.daily_usage).toEqual(DAILY_EXAMPLE.daily_usage);
    expect(daily.exchange_rate.effective_date).toBeNull();
  });

  it('reads the monthly summary with its day objects', async () => {
    let url = '';
    const api = new DashboardApi('t', async (input) => {
      url = String(input);
      return ok(MONTHLY_SUMMARY_EXAMPLE);
    });
    const summary = await api.monthlySummary('2026-12');
    expect(url).toBe('/api/v1/usage-tracking/my-organization/monthly-summary?month=2026-12');
    expect(summary.busiest_day).toEqual({ date: '2026-12-02', total_tokens: 1234 });
    expect(summary.highest_cost_day).toEqual({ date: '2026-12-03', markup_cost: 0.65, cost_pln: 2.37 });
  });

  it('a member’s summary has no cost figures', async () => {
    const api = new DashboardApi('t', async () => ok({ ...MONTHLY_SUMMARY_EXAMPLE, average_daily_cost: null, highest_cost_day: null }));
    const summary = await api.monthlySummary(null);
    expect(summary.average_daily_cost).toBeNull();
    expect(summary.highest_cost_day).toBeNull();
  });

  it('reads the top models list out of its envelope', async () => {
    const api = new DashboardApi('t', async () => ok({ success: true, period: DAILY_EXAMPLE.period, top_models: MONTHLY_SUMMARY_EXAMPLE.top_models }));
    expect((await api.topModels(null)).top_models).toEqual([{ model_name: 'openai/o3', display_name: 'O3', total_tokens: 1234 }]);
  });
});
