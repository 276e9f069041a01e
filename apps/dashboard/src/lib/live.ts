// Live refresh: a streaming fetch of the gateway's `GET …/events` (docs/API.md "Live updates"). `usage` means
// "the numbers changed"; the page refetches what it shows. fetch rather than EventSource, so the token travels in
// the Authorization header and never in a URL (the gateway's `?access_token=` exists only for EventSource).
import { API_BASE } from './api';
import { backoffDelay, SseParser } from './sse';

export type LiveStatus = 'connecting' | 'live' | 'reconnecting' | 'off';

export interface LiveOptions {
  readonly token: string;
  readonly onUsage: () => void;
  readonly onStatus: (status: LiveStatus) => void;
  readonly fetchImpl?: typeof fetch;
}

/** Starts the subscription; returns a function that stops it. */
export function subscribeToUsageEvents(options: LiveOptions): () => void {
  const { token, onUsage, onStatus } = options;
  const fetchImpl = options.fetchImpl ?? ((...args: Parameters<typeof fetch>) => fetch(...args));
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let attempt = 0;
  let serverRetryMs: number | null = null;

  const stop = (): void => {
    controller.abort();
    if (timer) clearTimeout(timer);
  };

  const scheduleReconnect = (): void => {
    if (controller.signal.aborted) return;
    onStatus('reconnecting');
    const delay = Math.max(serverRetryMs ?? 0, backoffDelay(attempt));
    attempt += 1;
    timer = setTimeout(() => void connect(), delay);
  };

  const connect = async (): Promise<void> => {
    onStatus(attempt === 0 ? 'connecting' : 'reconnecting');
    let res: Response;
    try {
      res = await fetchImpl(`${API_BASE}/events`, {
        headers: { Authorization: `Bearer ${token}`, Accept: 'text/event-stream' },
        cache: 'no-store',
        signal: controller.signal,
      });
    } catch {
      scheduleReconnect();
      return;
    }
    // The token is not (or no longer) good, e.g. the stream ended because it expired: a retry cannot help.
    if (res.status === 401 || res.status === 403) {
      onStatus('off');
      return;
    }
    // 429 (too many open streams for this user), 503 (NATS down): try again later, with backoff.
    if (!res.ok || !res.body) {
      scheduleReconnect();
      return;
    }

    onStatus('live');
    attempt = 0;
    const parser = new SseParser();
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        for (const event of parser.push(value)) {
          if (event.retry !== null) serverRetryMs = event.retry;
          if (event.event === 'usage') onUsage();
        }
      }
    } catch {
      /* the connection dropped: reconnect below */
    }
    scheduleReconnect();
  };

  void connect();
  return stop;
}
