import { DEFAULT_CATALOG, Rate, Usd, buildUsageBreakdown } from '@mai/domain';
import { USAGE_CSV_COLUMNS, usageCsv, usageCsvFilename } from './usage-csv';

const rate = Rate.of('4');
const line = (model: string, displayName: string, provider: string) => ({
  model,
  displayName,
  provider,
  totalTokens: 12,
  totalRequests: 3,
  daysUsed: 2,
  cost: { rawCost: Usd.of('0.0000001'), markupCost: Usd.of('0.00000013'), costPln: '0.00' },
});

describe('usageCsv', () => {
  it('writes a header and one CRLF-terminated row per line, money as plain decimals', () => {
    const { lines } = buildUsageBreakdown({
      catalog: DEFAULT_CATALOG,
      usage: [{ model: 'openai/o3', totalTokens: 1234, totalRequests: 5, rawCost: Usd.of('0.0961538'), markupCost: Usd.of('0.12499994'), daysUsed: 2 }],
      usdPln: rate,
      role: 'admin',
    });
    const csv = usageCsv(lines);
    const rows = csv.split('\r\n');
    expect(rows[0]).toBe(USAGE_CSV_COLUMNS.join(','));
    expect(rows[1]).toBe('openai/o3,O3,OpenAI,1234,5,0.0961538,0.12499994,0.50,2');
    expect(rows).toHaveLength(1 + 12 + 1); // header, 12 models, and the empty string after the last CRLF
    expect(rows[2]).toMatch(/^anthropic\/claude-3\.7-sonnet,Claude 3\.7 Sonnet,Anthropic,0,0,0,0,0\.00,0$/);
  });

  it('never writes an exponent', () => {
    expect(usageCsv([line('a/b', 'A', 'P')])).toContain(',0.0000001,0.00000013,0.00,');
  });

  it('quotes commas, quotes and line breaks, doubling inner quotes', () => {
    const csv = usageCsv([line('a/b', 'Model "Pro", v2', 'Line\nbreak')]);
    expect(csv.split('\r\n')[1]).toBe('a/b,"Model ""Pro"", v2","Line\nbreak",12,3,0.0000001,0.00000013,0.00,2');
  });

  it('defuses text a spreadsheet would run as a formula', () => {
    const csv = usageCsv([line('a/b', '=HYPERLINK("http://x")', '+1'), line('c/d', '@SUM(A1)', '-2')]);
    const [, first, second] = csv.split('\r\n');
    expect(first).toBe(`a/b,"'=HYPERLINK(""http://x"")",'+1,12,3,0.0000001,0.00000013,0.00,2`);
    expect(second.startsWith(`c/d,'@SUM(A1),'-2,`)).toBe(true);
  });

  it('leaves the cost cells empty for members', () => {
    const { lines } = buildUsageBreakdown({ catalog: DEFAULT_CATALOG, usage: [], usdPln: rate, role: 'member' });
    expect(usageCsv(lines).split('\r\n')[1]).toBe('anthropic/claude-3.7-sonnet,Claude 3.7 Sonnet,Anthropic,0,0,,,,0');
  });

  it('names the file after the org and the period', () => {
    expect(usageCsvFilename('acme', '2026-12-01', '2026-12-04')).toBe('usage-by-model_acme_2026-12-01_2026-12-04.csv');
  });
});
