// Live refresh: a streaming fetch of the gateway's server-sent events. `usage` means "the numbers changed".
// fetch (not EventSource) so the bearer token can travel in a header; `access_token` is sent as well because
// the contract names it for clients that cannot set headers.
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
      res = await fetchImpl(`${API_BASE}/events?access_token=${encodeURIComponent(token)}`, {
        headers: { Authorization: `Bearer ${token}`, Accept: 'text/event-stream' },
        cache: 'no-store',
        signal: controller.signal,
      });
    } catch {
      scheduleReconnect();
      return;
    }
    // No events endpoint, or a token it will not take: stay on manual refresh rather than hammering it.
    if (res.status === 404 || res.status === 401 || res.status === 403 || res.status === 405 || res.status === 501) {
      onStatus('off');
      return;
    }
    const contentType = res.headers.get('Content-Type') ?? '';
    if (!res.ok || !res.body || !contentType.includes('text/event-stream')) {
      if (res.ok && !contentType.includes('text/event-stream')) {
        onStatus('off'); // e.g. an SPA fallback answering index.html: there is no stream here
        return;
      }
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
