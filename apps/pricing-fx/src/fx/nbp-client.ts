// The one HTTP client for NBP's API: table A USD, the current rate or the rates in a date range, with the
// contract's 5 s timeout. Every outcome is a value (never a throw), timed and counted by reason.
import { CalendarDay, NBP_TIMEOUT_MS, NbpUsdRate } from '@mai/domain';
import { fxMetrics } from './fx-metrics';
import { readNbpUsdTable } from './nbp-table';

export type NbpFailure = 'timeout' | 'not_found' | 'server_error' | 'unexpected_status' | 'malformed' | 'network';
export type NbpAnswer = { ok: true; rates: NbpUsdRate[] } | { ok: false; reason: NbpFailure; detail: string };

type Endpoint = 'current' | 'range';

export class NbpClient {
  constructor(private readonly apiUrl: string) {}

  /** The latest published table A USD rate. */
  current(): Promise<NbpAnswer> {
    return this.get('current', `${this.apiUrl}/exchangerates/rates/a/usd/?format=json`);
  }

  /** Every table A USD rate dated from `start` to `end`; none (not a failure) when NBP has no table in range. */
  between(start: CalendarDay, end: CalendarDay): Promise<NbpAnswer> {
    return this.get('range', `${this.apiUrl}/exchangerates/rates/a/usd/${start}/${end}/?format=json`);
  }

  private async get(endpoint: Endpoint, url: string): Promise<NbpAnswer> {
    const stopTimer = fxMetrics.fetchSeconds.startTimer({ endpoint });
    const answer = await this.fetchTable(endpoint, url);
    stopTimer();
    if (answer.ok) fxMetrics.fetches.inc({ endpoint });
    else fxMetrics.failures.inc({ endpoint, reason: answer.reason });
    return answer;
  }

  private async fetchTable(endpoint: Endpoint, url: string): Promise<NbpAnswer> {
    try {
      // The signal bounds the whole exchange, body included.
      const response = await fetch(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(NBP_TIMEOUT_MS) });
      const body = await response.text();
      // NBP answers 404 "Brak danych" for a range without tables (weekends, holidays): an empty answer there.
      if (response.status === 404) return endpoint === 'range' ? { ok: true, rates: [] } : failure('not_found', 'NBP has no current table');
      if (response.status >= 500) return failure('server_error', `NBP answered ${response.status}`);
      if (response.status !== 200) return failure('unexpected_status', `NBP answered ${response.status}`);
      const table = readNbpUsdTable(body);
      return table.ok ? table : failure('malformed', table.problem);
    } catch (error) {
      const name = (error as Error).name;
      if (name === 'TimeoutError' || name === 'AbortError') return failure('timeout', `no answer within ${NBP_TIMEOUT_MS} ms`);
      return failure('network', (error as Error).message);
    }
  }
}

function failure(reason: NbpFailure, detail: string): NbpAnswer {
  return { ok: false, reason, detail };
}
