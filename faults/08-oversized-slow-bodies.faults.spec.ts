// Scenario 8: oversized and slow bodies against a real ingest. Bodies over 1 MiB (declared, chunked, or
// announced as 10 GiB) are answered 413; slowloris sockets dribbling body bytes or header lines are answered 408
// and closed once the request deadline passes (INGEST_REQUEST_TIMEOUT_MS, shortened here to 3 s), while honest
// webhooks keep being served; ingest's resident memory stays flat.
import { readFileSync } from 'node:fs';
import { Socket } from 'node:net';
import { Pipeline, signDelivery, startPipeline } from '@mai/testing';
import { postWebhook } from './support/delivery-ledger';
import { validRecord } from './support/hostile-records';
import { scenario } from './support/scenario';

const ORG = 'bodies';
const MAX_BODY = 1024 * 1024;
const REQUEST_TIMEOUT_MS = 3_000;
const PATH = `/v1/webhooks/openrouter/${ORG}`;

interface RawAnswer {
  /** The status of the first response line, 0 when the server closed without one. */
  readonly status: number;
  /** When the server closed the connection, from the first byte sent. */
  readonly closedAfterMs: number;
}

/**
 * Sends `head` on a raw socket, then `chunks` one every `everyMs`, and waits for the server to answer or close
 * (bounded by `giveUpMs`, after which the socket is closed by us and `closedAfterMs` is the give-up time).
 */
function rawRequest(port: number, head: string, chunks: (Buffer | string)[], everyMs: number, giveUpMs: number): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const startedAt = Date.now();
    let received = '';
    let next = 0;
    let timer: NodeJS.Timeout | undefined;
    const giveUp = setTimeout(() => socket.destroy(), giveUpMs);
    socket.on('data', (data) => (received += data.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearInterval(timer);
      clearTimeout(giveUp);
      const status = /^HTTP\/1\.1 (\d{3})/.exec(received)?.[1];
      resolve({ status: status ? Number(status) : 0, closedAfterMs: Date.now() - startedAt });
    });
    socket.connect(port, '127.0.0.1', () => {
      socket.write(head);
      const send = () => {
        if (next < chunks.length && !socket.destroyed) socket.write(chunks[next++]);
      };
      if (everyMs === 0) while (next < chunks.length) send();
      else timer = setInterval(send, everyMs);
    });
    // Close our side only after the answer, so a 413 sent early is still read.
    socket.on('data', () => /\r\n\r\n/.test(received) && setTimeout(() => socket.destroy(), 50));
  });
}

function residentKiB(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'));
  return Number(/(\d+)/.exec(line ?? '')?.[1] ?? NaN);
}

describe('faults: oversized and slow bodies', () => {
  let pipeline: Pipeline;
  let secret: string;

  beforeAll(async () => {
    pipeline = await startPipeline(['pricing-fx', 'ingest'], { INGEST_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS) });
    secret = await pipeline.createOrg(ORG);
  });
  afterAll(() => pipeline?.stop());

  scenario('8', 'oversized and slow bodies', async (row) => {
    const ingest = pipeline.services.ingest!;
    const port = ingest.port;
    const signedHead = (webhookId: string, body: string, extra: string) => {
      const { headers } = signDelivery(secret, webhookId, body);
      return `POST ${PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')}${extra}\r\n`;
    };
    let n = 0;
    const honest = () => postWebhook(pipeline.ingestUrl, ORG, secret, `honest-${++n}`, JSON.stringify(validRecord(`honest-${n}`)));
    for (let i = 0; i < 20; i++) expect((await honest()).status).toBe(202); // warm up before measuring memory
    const rssBefore = residentKiB(ingest.pid!);
    const messagesBefore = await pipeline.streamMessages();
    const hostile: RawAnswer[] = [];

    // Exactly 1 MiB is allowed; one byte more is not.
    const atLimit = JSON.stringify({ data: [validRecord('at-limit')], padding: '' });
    const exactly = atLimit.replace('"padding":""', `"padding":"${'x'.repeat(MAX_BODY - atLimit.length)}"`);
    expect(Buffer.byteLength(exactly)).toBe(MAX_BODY);
    expect((await postWebhook(pipeline.ingestUrl, ORG, secret, 'exactly-1mib', exactly)).status).toBe(202);
    const overBy1 = exactly.replace('"padding":"', '"padding":"x');

    const rounds: number[] = [];
    for (let round = 0; round < 3; round++) {
      const answers = await Promise.all([
        // Declared one byte too large, sent whole. (Bodies go out 100 ms after the headers, or in paced chunks:
        // ingest answers 413 and closes at once, and bytes still arriving then make the kernel reset the
        // connection, which can discard the answer before the client reads it.)
        ...Array.from({ length: 10 }, (_, i) => rawRequest(port, signedHead(`over-${round}-${i}`, overBy1, `content-length: ${MAX_BODY + 1}\r\n`), [overBy1], 100, 10_000)),
        // Chunked, no length: 2 MiB in 64 KiB chunks.
        ...Array.from({ length: 5 }, (_, i) => {
          const chunk = 'y'.repeat(64 * 1024);
          const chunks = Array.from({ length: 32 }, () => `${chunk.length.toString(16)}\r\n${chunk}\r\n`).concat(['0\r\n\r\n']);
          return rawRequest(port, signedHead(`chunked-${round}-${i}`, '', 'transfer-encoding: chunked\r\n'), chunks, 20, 10_000);
        }),
        // Announced as 10 GiB; 1 KiB ever arrives.
        ...Array.from({ length: 5 }, (_, i) => rawRequest(port, signedHead(`huge-${round}-${i}`, '', `content-length: ${10 * 1024 ** 3}\r\n`), ['z'.repeat(1024)], 100, 10_000)),
      ]);
      hostile.push(...answers);
      expect(answers.map((a) => a.status)).toEqual(answers.map(() => 413));
      rounds.push(residentKiB(ingest.pid!));
    }

    // Slowloris: 100 sockets dribble body bytes, 50 dribble header lines, one every 300 ms.
    const honestDuring: number[] = [];
    const slowStartedAt = Date.now();
    const slow = Promise.all([
      ...Array.from({ length: 100 }, (_, i) => rawRequest(port, signedHead(`slow-body-${i}`, 'x'.repeat(5_000), 'content-length: 5000\r\n'), Array.from({ length: 5_000 }, () => 'x'), 300, REQUEST_TIMEOUT_MS + 10_000)),
      ...Array.from({ length: 50 }, (_, i) => rawRequest(port, `POST ${PATH} HTTP/1.1\r\n`, Array.from({ length: 500 }, (_, j) => `x-slow-${i}-${j}: 1\r\n`), 300, REQUEST_TIMEOUT_MS + 10_000)),
    ]);
    // Honest senders are served meanwhile.
    while (Date.now() - slowStartedAt < REQUEST_TIMEOUT_MS - 500) {
      const startedAt = Date.now();
      expect((await honest()).status).toBe(202);
      honestDuring.push(Date.now() - startedAt);
      await new Promise((r) => setTimeout(r, 200));
    }
    const slowAnswers = await slow;
    hostile.push(...slowAnswers);
    await new Promise((r) => setTimeout(r, 1_000));
    const rssAfter = residentKiB(ingest.pid!);
    const published = (await pipeline.streamMessages()) - messagesBefore;
    const latest = Math.max(...slowAnswers.map((a) => a.closedAfterMs));
    const slowStatuses = [...new Set(slowAnswers.map((a) => a.status))];

    Object.assign(row, {
      done: `3 rounds of 20 oversized requests (1 MiB + 1 byte declared; 2 MiB chunked; 10 GiB announced) → 413, exactly 1 MiB → 202; 150 slowloris sockets (100 dribbling body bytes, 50 header lines, every 300 ms) → ${slowStatuses.join('/')} and closed by ${(latest / 1000).toFixed(1)} s with a ${REQUEST_TIMEOUT_MS / 1000} s deadline; honest webhooks meanwhile: ${honestDuring.length}× 202, slowest ${Math.max(...honestDuring)} ms; ingest VmRSS ${Math.round(rssBefore / 1024)} → ${rounds.map((r) => Math.round(r / 1024)).join(' → ')} → ${Math.round(rssAfter / 1024)} MiB`,
      sent: hostile.length,
      expected: 0,
      found: hostile.filter((a) => a.status >= 200 && a.status < 300).length,
    });

    for (const answer of slowAnswers) {
      expect(answer.status).toBe(408);
      expect(answer.closedAfterMs).toBeLessThan(REQUEST_TIMEOUT_MS + 2_500);
    }
    expect(Math.max(...honestDuring)).toBeLessThan(1_000);
    // Flat: no growth from round to round, and less than 64 MiB over the whole attack.
    expect(rounds[2] - rounds[0]).toBeLessThan(16 * 1024);
    expect(rssAfter - rssBefore).toBeLessThan(64 * 1024);
    // Only the honest webhooks and the 1 MiB one were stored.
    expect(published).toBe(1 + honestDuring.length);
  }, 120_000);
});
