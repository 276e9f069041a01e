import { ApiError, csvFilename, DashboardApi, errorKindForStatus, normalizeDailyRows, normalizeMonthlySummary, normalizeUsageByModel, rangeQuery } from './api';

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
      markup_cost: 0.125,
      cost_pln: 0.46,
      days_used: 12,
    },
  ],
  totals: { total_tokens: 15750, total_requests: 45, raw_cost: 0.0961538, markup_cost: 0.125, cost_pln: 0.46 },
};

describe('normalizeUsageByModel', () => {
  it('keeps the contract example as it is', () => {
    const { success, ...rest } = CONTRACT_EXAMPLE;
    expect(success).toBe(true);
    expect(normalizeUsageByModel(CONTRACT_EXAMPLE)).toEqual(rest);
  });

  it('keeps null costs null (role: member)', () => {
    const member = {
      ...CONTRACT_EXAMPLE,
      model_usage: [{ ...CONTRACT_EXAMPLE.model_usage[0], raw_cost: null, markup_cost: null, cost_pln: null }],
      totals: { ...CONTRACT_EXAMPLE.totals, raw_cost: null, markup_cost: null, cost_pln: null },
    };
    const usage = normalizeUsageByModel(member);
    expect(usage.model_usage[0]!.markup_cost).toBeNull();
    expect(usage.model_usage[0]!.cost_pln).toBeNull();
    expect(usage.totals.cost_pln).toBeNull();
    expect(usage.totals.total_tokens).toBe(15750);
  });

  it('accepts money as decimal strings', () => {
    const usage = normalizeUsageByModel({ ...CONTRACT_EXAMPLE, totals: { ...CONTRACT_EXAMPLE.totals, markup_cost: '0.125000000', cost_pln: '0.46' } });
    expect(usage.totals.markup_cost).toBe(0.125);
    expect(usage.totals.cost_pln).toBe(0.46);
  });

  it('keeps the rows in the order the API sent', () => {
    const rows = ['b', 'a', 'c'].map((m) => ({ ...CONTRACT_EXAMPLE.model_usage[0], model_name: m }));
    expect(normalizeUsageByModel({ ...CONTRACT_EXAMPLE, model_usage: rows }).model_usage.map((m) => m.model_name)).toEqual(['b', 'a', 'c']);
  });
});

describe('normalizeMonthlySummary', () => {
  it('reads day objects and day strings alike', () => {
    const s = normalizeMonthlySummary({
      success: true,
      average_daily_tokens: 100,
      average_daily_cost: 0.0125,
      average_usage_day_tokens: 200,
      busiest_day: { date: '2026-12-02', total_tokens: 300 },
      highest_cost_day: '2026-12-03',
      total_unique_users: 4,
      top_models: [{ model_name: 'a', total_tokens: 300 }],
    });
    expect(s.busiest_day).toEqual({ date: '2026-12-02', total_tokens: 300 });
    expect(s.highest_cost_day).toEqual({ date: '2026-12-03', markup_cost: null, cost_pln: null });
    expect(s.top_models).toEqual([{ model_name: 'a', total_tokens: 300 }]);
  });

  it('treats missing days as null', () => {
    const s = normalizeMonthlySummary({ average_daily_tokens: 0, busiest_day: null, highest_cost_day: null, average_daily_cost: null });
    expect(s.busiest_day).toBeNull();
    expect(s.highest_cost_day).toBeNull();
    expect(s.average_daily_cost).toBeNull();
  });
});

describe('normalizeDailyRows', () => {
  it('reads `daily_usage` rows and sorts them by day then model', () => {
    const rows = normalizeDailyRows({
      daily_usage: [
        { date: '2026-12-02', model_name: 'b', total_tokens: 1, total_requests: 1, markup_cost: 0.1, cost_pln: 0.37 },
        { date: '2026-12-01', model_name: 'b', total_tokens: 2, total_requests: 1, markup_cost: null, cost_pln: null },
        { date: '2026-12-01', model_name: 'a', total_tokens: 3, total_requests: 1, markup_cost: 0.2, cost_pln: 0.73 },
      ],
    });
    expect(rows.map((r) => `${r.date}/${r.model_name}`)).toEqual(['2026-12-01/a', '2026-12-01/b', '2026-12-02/b']);
    expect(rows[1]!.markup_cost).toBeNull();
  });

  it('tolerates other spellings of the list and of the day', () => {
    const rows = normalizeDailyRows({ rows: [{ day: '2026-12-01', model: 'a', tokens: 5, requests: 2 }] });
    expect(rows).toEqual([
      { date: '2026-12-01', model_name: 'a', display_name: null, provider: null, total_tokens: 5, total_requests: 2, markup_cost: null, cost_pln: null },
    ]);
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
    expect(csvFilename('attachment; filename="usage.csv"', null)).toBe('usage.csv');
    expect(csvFilename("attachment; filename*=UTF-8''u%C5%BCycie.csv", null)).toBe('użycie.csv');
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

  it('asks for the drill-down with the model parameter', async () => {
    let url = '';
    const api = new DashboardApi('t', async (input) => {
      url = String(input);
      return ok({ daily_usage: [] });
    });
    await api.dailyUsage({ start: '2026-12-01', end: '2026-12-04' }, 'anthropic/claude-sonnet-4');
    expect(url).toBe('/api/v1/usage-tracking/my-organization/usage-by-model/daily?start=2026-12-01&end=2026-12-04&model=anthropic%2Fclaude-sonnet-4');
  });
});
