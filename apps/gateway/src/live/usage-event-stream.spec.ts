import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import { COALESCE_MS, HEARTBEAT_MS, MAX_STREAM_MS, UsageEventStream } from './usage-event-stream';

/** Just enough of a ServerResponse to watch what the stream writes. */
class FakeResponse extends EventEmitter {
  chunks: string[] = [];
  status = 0;
  headers: Record<string, string> = {};
  writableEnded = false;
  writableLength = 0;
  destroyed = false;
  socket = { setNoDelay: () => undefined };
  writeHead(status: number, headers: Record<string, string>) {
    this.status = status;
    this.headers = headers;
    return this;
  }
  write(chunk: string) {
    this.chunks.push(chunk);
    return true;
  }
  end() {
    this.writableEnded = true;
    this.emit('close');
  }
  destroy() {
    this.destroyed = true;
  }
  get text() {
    return this.chunks.join('');
  }
}

describe('UsageEventStream', () => {
  beforeEach(() => jest.useFakeTimers({ now: Date.parse('2026-12-04T10:00:00Z') }));
  afterEach(() => jest.useRealTimers());

  const open = (endsAt = new Date(Date.now() + 3_600_000)) => {
    const response = new FakeResponse();
    const stream = new UsageEventStream(response as unknown as ServerResponse, 'acme', endsAt);
    stream.open();
    return { response, stream };
  };

  it('opens as an event stream with a reconnect delay', () => {
    const { response } = open();
    expect(response.status).toBe(200);
    expect(response.headers['Content-Type']).toBe('text/event-stream; charset=utf-8');
    expect(response.headers['Cache-Control']).toBe('no-store');
    expect(response.text).toBe('retry: 3000\n: connected\n\n');
  });

  it('turns a burst of changes into one usage event', () => {
    const { response, stream } = open();
    stream.usageChanged();
    stream.usageChanged();
    stream.usageChanged();
    jest.advanceTimersByTime(COALESCE_MS);
    expect(response.text.match(/event: usage/g)).toHaveLength(1);
    expect(response.text).toContain('id: 1\nevent: usage\ndata: {"org":"acme","at":"2026-12-04T10:00:00.100Z"}\n\n');
    stream.usageChanged();
    jest.advanceTimersByTime(COALESCE_MS);
    expect(response.text).toContain('id: 2\nevent: usage');
  });

  it('sends a heartbeat comment every 15 s', () => {
    const { response } = open();
    jest.advanceTimersByTime(HEARTBEAT_MS * 2);
    expect(response.text.match(/: heartbeat\n\n/g)).toHaveLength(2);
  });

  it('ends when the token expires, and after an hour at most', () => {
    const soon = open(new Date(Date.now() + 5_000));
    const closed = jest.fn();
    soon.stream.onClose(closed);
    jest.advanceTimersByTime(5_000);
    expect(soon.response.writableEnded).toBe(true);
    expect(closed).toHaveBeenCalledTimes(1);

    const late = open(new Date(Date.now() + 7 * 86_400_000));
    jest.advanceTimersByTime(MAX_STREAM_MS - 1);
    expect(late.response.writableEnded).toBe(false);
    jest.advanceTimersByTime(1);
    expect(late.response.writableEnded).toBe(true);
  });

  it('stops writing once the client is gone', () => {
    const { response, stream } = open();
    response.emit('close');
    const written = response.chunks.length;
    stream.usageChanged();
    jest.advanceTimersByTime(HEARTBEAT_MS * 3);
    expect(response.chunks).toHaveLength(written);
  });

  it('drops a client that stopped reading instead of buffering without bound', () => {
    const { response, stream } = open();
    const closed = jest.fn();
    stream.onClose(closed);
    response.writableLength = 1024 * 1024;
    jest.advanceTimersByTime(HEARTBEAT_MS);
    expect(response.destroyed).toBe(true);
    expect(closed).toHaveBeenCalled();
  });
});
