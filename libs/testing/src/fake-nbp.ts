// A local stand-in for the NBP API (api.nbp.pl) that serves NBP's exact JSON shape and can be told to fail
// the ways the real one does: 404 (no table that day), 500, malformed JSON, or hanging past the timeout.
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';

export type FakeNbpMode = 'ok' | '404' | '500' | 'malformed' | 'hang';

export interface FakeNbp {
  /** Base URL to use as NBP_API_URL (…/api). */
  readonly url: string;
  mode: FakeNbpMode;
  /** The latest table A USD rate served: { effectiveDate, mid }. */
  rate: { effectiveDate: string; mid: number; no?: string };
  /** Rates by effective date, for date-range queries (booking-rate lookups). */
  history: { effectiveDate: string; mid: number; no?: string }[];
  readonly requests: string[];
  close(): Promise<void>;
}

export async function startFakeNbp(initial: Partial<Pick<FakeNbp, 'mode' | 'rate' | 'history'>> = {}): Promise<FakeNbp> {
  const state = {
    mode: initial.mode ?? ('ok' as FakeNbpMode),
    rate: initial.rate ?? { effectiveDate: '2026-12-03', mid: 3.6521 },
    history: initial.history ?? [],
    requests: [] as string[],
  };
  const hanging = new Set<ServerResponse>();
  const table = (rates: { effectiveDate: string; mid: number; no?: string }[]) => ({
    table: 'A',
    currency: 'dolar amerykański',
    code: 'USD',
    rates: rates.map((r) => ({ no: r.no ?? `${r.effectiveDate.replace(/-/g, '').slice(2)}/A/NBP/${r.effectiveDate.slice(0, 4)}`, effectiveDate: r.effectiveDate, mid: r.mid })),
  });
  const server: Server = createServer((request: IncomingMessage, response: ServerResponse) => {
    state.requests.push(request.url ?? '');
    if (state.mode === 'hang') {
      hanging.add(response);
      return;
    }
    if (state.mode === '404') return void response.writeHead(404, { 'content-type': 'text/plain' }).end('404 NotFound - Not Found - Brak danych');
    if (state.mode === '500') return void response.writeHead(500).end('Internal Server Error');
    if (state.mode === 'malformed') return void response.writeHead(200, { 'content-type': 'application/json' }).end('{"table":"A","rates":[{');
    const url = new URL(request.url ?? '/', 'http://localhost');
    // /api/exchangerates/rates/a/usd/{startDate}/{endDate}/ — rates in a range, from `history`.
    const range = /\/exchangerates\/rates\/a\/usd\/(\d{4}-\d{2}-\d{2})\/(\d{4}-\d{2}-\d{2})\/?$/i.exec(url.pathname);
    if (range) {
      const rates = state.history.filter((r) => r.effectiveDate >= range[1] && r.effectiveDate <= range[2]);
      if (rates.length === 0) return void response.writeHead(404).end('404 NotFound - Not Found - Brak danych');
      return void response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(table(rates)));
    }
    if (/\/exchangerates\/rates\/a\/usd\/?$/i.test(url.pathname)) {
      return void response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(table([state.rate])));
    }
    response.writeHead(400).end('400 BadRequest');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const fake: FakeNbp = {
    url: `http://127.0.0.1:${port}/api`,
    get mode() {
      return state.mode;
    },
    set mode(mode) {
      state.mode = mode;
    },
    get rate() {
      return state.rate;
    },
    set rate(rate) {
      state.rate = rate;
    },
    get history() {
      return state.history;
    },
    set history(history) {
      state.history = history;
    },
    requests: state.requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const response of hanging) response.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return fake;
}
