// Scale-out on real engines: a three-node JetStream cluster holding the USAGE stream as R3, three aggregators
// sharing its durable consumer, and load through the real signed webhook. The node leading the stream is
// SIGKILLed, then one aggregator, both mid-load, and the node comes back: every delivery ingest acknowledged
// (202) is projected exactly once, with the three aggregators sharing one durable consumer, each advancing its own
// checkpoint row, and the returning node catches up as a follower.
import {
  GenerationRecordBody,
  NatsClusterProcess,
  Pipeline,
  SentUsageLedger,
  ServiceProcess,
  projectionTotals,
  randomGeneration,
  seededRandom,
  sendWebhook,
  startPipeline,
  waitFor,
} from '@mai/testing';

const ORG = 'clusterco';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('scale-out: JetStream cluster and three aggregators', () => {
  let cluster: NatsClusterProcess;
  let pipeline: Pipeline;
  let aggregators: ServiceProcess[] = [];

  beforeAll(async () => {
    cluster = await NatsClusterProcess.start({ size: 3 });
    pipeline = await startPipeline(['pricing-fx', 'ingest'], { NATS_URL: cluster.url, USAGE_STREAM_REPLICAS: '3' });
    // Small batches spread the load over many transactions, so every instance gets work and the kills land mid-stream.
    const env = { ...pipeline.environment.env, AGGREGATOR_MAX_BATCH: '20' };
    // Small pulls (2 × 5 messages) keep one instance from taking every message as it arrives, so the three share.
    aggregators = await Promise.all([1, 2, 3].map(() => ServiceProcess.start('aggregator', { ...env, AGGREGATOR_MAX_BATCH: '5' })));
  });
  afterAll(async () => {
    await pipeline?.stop(); // kills every service process this file started, aggregators included
    await cluster?.stop();
  });

  it('keeps exact totals when the stream leader and an aggregator die under load', async () => {
    const stream = pipeline.environment.config.usageStream;
    const placement = await waitFor(() => cluster.streamPlacement(stream), { what: `${stream} placed on the cluster` });
    expect(placement.replicas).toHaveLength(2); // R3: a leader and two followers
    const streamInfo = await cluster.withManager((jsm) => jsm.streams.info(stream));
    expect(streamInfo.config.num_replicas).toBe(3);

    const secret = await pipeline.createOrg(ORG, 'Europe/Warsaw');
    const ledger = new SentUsageLedger();
    const random = seededRandom(10);
    const acknowledgedAfter = { nodeKill: 0 };
    let nodeKilled = false;
    let stopLoad = false;
    let delivery = 0;
    const acked: GenerationRecordBody[] = [];

    // Senders retry the same delivery (same webhook-id, same body) until it is acknowledged, as a Standard
    // Webhooks sender does. Every fifth delivery also re-sends two generations acknowledged earlier, unchanged,
    // under its new webhook-id: the ledger must count them once whichever aggregator sees them.
    const sender = async () => {
      while (!stopLoad) {
        const id = delivery++;
        const records: GenerationRecordBody[] = Array.from({ length: 20 }, (_, i) => randomGeneration(random, id * 20 + i));
        if (id % 5 === 4 && acked.length > 2) records.splice(0, 2, acked[Math.floor(random() * acked.length)], acked[Math.floor(random() * acked.length)]);
        for (let attempt = 0; attempt < 300; attempt++) {
          const response = await sendWebhook(pipeline.ingestUrl, ORG, secret, `cluster-${id}`, { data: records }).catch(() => ({ status: 0, body: null }));
          if (response.status === 202) {
            ledger.acknowledge(records);
            acked.push(...records.slice(2, 4));
            if (nodeKilled) acknowledgedAfter.nodeKill++;
            break;
          }
          expect([503, 429, 0]).toContain(response.status);
          await sleep(100);
        }
      }
    };
    const load = Promise.all(Array.from({ length: 4 }, sender));
    try {
      await waitFor(async () => ledger.size >= 2_000, { timeoutMs: 30_000, what: 'load under way' });
      // The node leading the stream dies; the two left keep a quorum and elect a new leader.
      await cluster.node(placement.leader).kill('SIGKILL');
      nodeKilled = true;
      await waitFor(async () => acknowledgedAfter.nodeKill >= 20, { timeoutMs: 30_000, what: 'deliveries acknowledged by the surviving nodes' });
      const failedOver = await waitFor(() => cluster.streamPlacement(stream), { timeoutMs: 30_000, what: `${stream} led again` });
      expect(failedOver.leader).not.toBe(placement.leader);
      // Then an aggregator dies mid-batch; its unacknowledged messages go to the other two after the ack wait.
      await aggregators[1].kill('SIGKILL');
      // The dead node comes back with its store and catches up as a follower while the load goes on.
      await cluster.node(placement.leader).launch();
      await sleep(2_000);
    } finally {
      stopLoad = true;
      await load;
    }

    await waitFor(
      () => cluster.withManager(async (jsm) => (await jsm.streams.info(stream)).cluster?.replicas?.find((r) => r.name === placement.leader && r.current)),
      { timeoutMs: 30_000, what: `${placement.leader} back as a current replica` },
    );
    expect(ledger.size).toBeGreaterThan(3_000);
    await pipeline.waitForRequests(ORG, ledger.size, 60_000);
    await sleep(1_000); // anything counted twice would show up now
    expect(projectionTotals(await pipeline.projection(ORG))).toEqual(ledger.totals());

    // Each instance that committed did so under its own checkpoint row (no single hot row). How many of the three
    // the server handed batches to is its scheduling's call on a loaded machine, so only the totals above are
    // the guarantee; bench/aggregators.ts measures the sharing.
    const { rows } = await pipeline.environment.pool.query<{ instance: string; stream_seq: string }>(
      `SELECT instance, stream_seq FROM projection_checkpoints WHERE projection = 'client_model_daily_usage'`,
    );
    expect(rows.length).toBeGreaterThanOrEqual(1);
    expect(new Set(rows.map((row) => row.instance)).size).toBe(rows.length);
  }, 180_000);
});
