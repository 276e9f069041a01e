import { readNbpUsdTable } from './nbp-table';

// NBP's own answer for GET /api/exchangerates/rates/a/usd/?format=json.
const current = '{"table":"A","currency":"dolar amerykański","code":"USD","rates":[{"no":"235/A/NBP/2026","effectiveDate":"2026-12-03","mid":3.6521}]}';

describe('readNbpUsdTable', () => {
  it('reads the mid rate exactly, as NBP wrote it', () => {
    const read = readNbpUsdTable(current);
    expect(read.ok && read.rates.map((r) => [r.effectiveDate, r.mid.toString()])).toEqual([['2026-12-03', '3.6521']]);
  });

  it('reads every table of a date-range answer', () => {
    const range = JSON.stringify({
      table: 'A',
      code: 'USD',
      rates: [
        { no: '233/A/NBP/2026', effectiveDate: '2026-12-01', mid: 3.6612 },
        { no: '234/A/NBP/2026', effectiveDate: '2026-12-02', mid: 3.659 },
      ],
    });
    const read = readNbpUsdTable(range);
    expect(read.ok && read.rates.map((r) => r.mid.toString())).toEqual(['3.6612', '3.659']);
  });

  it.each([
    ['a body cut short', '{"table":"A","rates":[{', /not JSON/],
    ['an HTML error page', '<html>Brak danych</html>', /not JSON/],
    ['another currency', current.replace('"USD"', '"EUR"'), /not USD/],
    ['another table', current.replace('"A"', '"B"'), /not table A/],
    ['no rates', '{"table":"A","code":"USD","rates":[]}', /non-empty array/],
    ['a mid given as a string', current.replace('3.6521', '"3.6521"'), /plausible/],
    ['a zero mid', current.replace('3.6521', '0'), /plausible/],
    ['a mid in grosze', current.replace('3.6521', '365.21'), /plausible/],
    ['a bad date', current.replace('2026-12-03', '2026-13-03'), /effectiveDate/],
    ['JSON null', 'null', /not an object/],
  ])('refuses %s', (_case, body, problem) => {
    expect(readNbpUsdTable(body)).toEqual({ ok: false, problem: expect.stringMatching(problem) });
  });
});
