import type { PubAck } from 'nats';
import { CoalescingPublisher, JetStreamPublisher } from './coalescing-publisher';

const ack = (seq: number): PubAck => ({ stream: 'USAGE', seq, duplicate: false, domain: '' }) as PubAck;

describe('CoalescingPublisher', () => {
  it('hands every publish of one event-loop turn to js.publish in one synchronous pass, answers each with its own ack', async () => {
    const passes: string[][] = [];
    let current: string[] | undefined;
    const js: JetStreamPublisher = {
      publish: jest.fn(async (subject: string) => {
        if (!current) {
          current = [];
          passes.push(current);
          queueMicrotask(() => (current = undefined)); // a pass ends where nats.js would flush
        }
        current.push(subject);
        return ack(Number(subject.split('.').pop()));
      }),
    };
    const publisher = new CoalescingPublisher(js);
    // Three "requests" read in one poll phase: separate macrotasks of the same turn.
    const acks = await new Promise<Promise<PubAck>[]>((resolve) => {
      const started: Promise<PubAck>[] = [];
      for (let i = 1; i <= 3; i++) setTimeout(() => started.push(publisher.publish(`s.${i}`, new Uint8Array([i]), { msgID: `m${i}` })), 0);
      setTimeout(() => resolve(started), 0);
    });
    expect((await Promise.all(acks)).map((a) => a.seq)).toEqual([1, 2, 3]);
    expect(passes).toEqual([['s.1', 's.2', 's.3']]);
    expect(js.publish).toHaveBeenCalledWith('s.2', new Uint8Array([2]), { msgID: 'm2' });

    // A later turn is a pass of its own.
    await publisher.publish('s.4');
    expect(passes).toEqual([['s.1', 's.2', 's.3'], ['s.4']]);
  });

  it('rejects only the publish that failed, whether js.publish threw or its promise rejected', async () => {
    const js: JetStreamPublisher = {
      publish: jest.fn(async (subject: string) => {
        if (subject === 'rejects') throw new Error('no ack');
        return ack(1);
      }),
    };
    (js.publish as jest.Mock).mockImplementationOnce(() => {
      throw new Error('closed');
    });
    const publisher = new CoalescingPublisher(js);
    const [thrown, rejected, fine] = await Promise.allSettled([publisher.publish('throws'), publisher.publish('rejects'), publisher.publish('fine')]);
    expect(thrown).toMatchObject({ status: 'rejected', reason: new Error('closed') });
    expect(rejected).toMatchObject({ status: 'rejected', reason: new Error('no ack') });
    expect(fine).toMatchObject({ status: 'fulfilled', value: { seq: 1 } });
  });
});
