import { backoffDelay, SseParser } from './sse';

describe('SseParser', () => {
  it('parses a named event', () => {
    const parser = new SseParser();
    expect(parser.push('event: usage\ndata: {"n":1}\n\n')).toEqual([{ event: 'usage', data: '{"n":1}', id: null, retry: null }]);
  });

  it('assembles events split across chunks, including a CRLF split in two', () => {
    const parser = new SseParser();
    expect(parser.push('event: usa')).toEqual([]);
    expect(parser.push('ge\r')).toEqual([]);
    expect(parser.push('\ndata: x\r\n\r\n')).toEqual([{ event: 'usage', data: 'x', id: null, retry: null }]);
  });

  it('joins multi-line data and remembers id and retry', () => {
    const parser = new SseParser();
    const [event] = parser.push('id: 7\nretry: 5000\ndata: a\ndata: b\n\n');
    expect(event).toEqual({ event: 'message', data: 'a\nb', id: '7', retry: 5000 });
  });

  it('skips comments and keep-alives, and empty unnamed events', () => {
    const parser = new SseParser();
    expect(parser.push(': connected\n\n: ping\n\n')).toEqual([]);
  });

  it('dispatches a named event without data', () => {
    const parser = new SseParser();
    expect(parser.push('event: usage\n\n').map((e) => e.event)).toEqual(['usage']);
  });

  it('yields several events from one chunk', () => {
    const parser = new SseParser();
    expect(parser.push('event: usage\ndata: 1\n\nevent: usage\ndata: 2\n\n').map((e) => e.data)).toEqual(['1', '2']);
  });
});

describe('backoffDelay', () => {
  it('grows exponentially and is capped', () => {
    const mid = () => 0.5;
    expect(backoffDelay(0, mid)).toBe(750);
    expect(backoffDelay(1, mid)).toBe(1500);
    expect(backoffDelay(3, mid)).toBe(6000);
    expect(backoffDelay(20, mid)).toBe(22500);
  });

  it('stays between half and all of the ceiling', () => {
    expect(backoffDelay(2, () => 0)).toBe(2000);
    expect(backoffDelay(2, () => 1)).toBe(4000);
  });
});
