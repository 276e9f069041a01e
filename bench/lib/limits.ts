// What limits each figure, from CPU profiles of the services under this benchmark (`npm run bench -- --profile`,
// read with bench/profile-summary.ts) and the per-process CPU table above. Printed under the figures; the
// shares quoted are from the profiles taken on 2026-12-04 and will drift as the code does.
export const WHAT_LIMITS_US = `### What limits us

Profiles: \`npm run bench:quick -- --profile --print-only\` writes one \`.cpuprofile\` per service to
\`tmp/bench-profiles/\`; \`node -r @swc-node/register bench/profile-summary.ts <file> [--callers <function>]\` names
the costs. Shares below are of each process's busy time in those profiles.

- **Everything shares two cores.** Ingest, the aggregator, NATS, PostgreSQL and the load generator run on the same
  2 vCPUs, so the pipeline's capacity is the machine's CPU divided by the CPU all of them spend per event (the table
  above). No target was traded away for another: where the machine is full, a figure is what is left of it.
- **100-record webhooks ÷ seed design (target 40×, missed).** End to end an event costs ~15 µs of CPU in ingest,
  ~14 µs in the aggregator and ~15–20 µs in NATS and PostgreSQL: ~45 µs in all, i.e. 35 000–55 000 events/s on two
  cores, which is what we measure. 40× the seed design (250 000–500 000 events/s here, depending on the run) would
  need 4–8 µs per event for *everything*; PostgreSQL's exactly-once ledger insert alone (primary key on org +
  generation id, ~7–8 µs at a million rows) costs more. The seed design is quick here because PostgreSQL
  group-commits its 16 connections' one-row transactions. The ratio is bounded by design, not by a hot spot.
- **Single-record webhooks ÷ raw JetStream (target 0.4×, missed).** Ingest now serves plain webhook and OTLP
  requests before Nest and Fastify (Node's request and response directly; anything unusual still goes through
  Fastify's routes, which answer alike), logs only rejections and failures, and lets the publishes of one
  event-loop turn share one socket write to NATS, each still its own \`js.publish\` with its own Nats-Msg-Id and
  PubAck. That took a one-record webhook from ~300 to ~130–190 µs of ingest CPU on a quiet machine (1 150–1 670 →
  130–280 µs in side-by-side quick runs on a busy one). What is left is the HTTP exchange itself: the answer's
  socket write (~16 %; a loopback write on this VM is tens of µs because the kernel runs the receiver's TCP path on
  the sender's CPU), NATS flushes (~15 %), GC (~7 %), nats.js's per-request bookkeeping (a timer, a
  \`Promise.race\` and a "Cancelled" \`NatsError\` built after every successful request, ~4 %), HMAC, encoding and
  the rules (~10 %). 0.4× needs ~2.5× less again: a thin PubAck client (one reply subscription, no timer or
  error per request) would give ~7 %; the rest is the HTTP round trip, which raw publishing does not pay.
- **Projection (target 50 000 events/s, met) and replay (target 100 000 events/s, missed).** Both use one writer:
  a batch is decoded, deduplicated, fingerprinted and folded into exact scaled integers (no decimal.js in the
  per-record loop) message by message while the batch before is in its transaction, bounded by 10 000 records
  and 300 unacknowledged messages, so JavaScript and PostgreSQL work at the same time; the ledger insert is a
  plain INSERT (a savepoint and an ON CONFLICT retry only when a generation was seen before). Per event now:
  PostgreSQL ~7–8 µs for the ledger (heap, primary key and the occurred_at index) and 1–3 µs for the daily
  upserts, JavaScript ~6 µs (JSON parsing first, then the fingerprint) plus GC (~19 % of the aggregator). Replay at
  100 000/s would need ~10 µs of CPU per event in all: the ledger's per-row index cost rules it out on this
  machine. Left: COPY into a fresh version's ledger, a BRIN or time-partitioned ledger, fillfactor for HOT upserts.
- **Freshness (target 1 s, met).** A record waits for the batch in progress and then its own; batches are now
  bounded by 10 000 records and handed over as soon as the one before commits, so under half of peak ingest the
  p99 from 202 to visible is ~0.1 s (it was 1.5 s with 100 000-record batches).
- **Dashboard queries (targets: p99 ≤ 10 ms at 500 req/s, met or within ~2 ms of it from run to run; 0.3× bare Fastify, missed).**
  Reports are read from a per-org cache that the aggregator's commit signal invalidates (5 min bound should a
  signal be lost; reloaded ahead of expiry), the org's time zone and verified tokens are remembered, and the
  rate-limit upserts of one event-loop turn share one statement, so a cached report costs PostgreSQL a share of
  one round trip. The gateway is now the bottleneck: ~145 µs of CPU per top-models or monthly-summary request and
  ~300 µs per usage-by-model (which builds 12 models' money with decimal.js and a larger answer), on one core, so
  saturation is 3 000–7 000 req/s (0.08–0.16× bare Fastify). Of its time: socket writes ~19 %, Nest's router,
  guards, validation pipe and class-transformer ~10 %, decimal.js ~8 %, pino-http's request log ~3.5 %, GC ~5 %.
  0.3× would need the report routes served before Nest, as ingest's webhooks now are, and the built answer cached
  per role and rate. At 500 req/s the p50 is ~2 ms and the p99 8–17 ms: the gateway, PostgreSQL and the load
  generator share two cores. Cold reads (an org's first, which fill the cache) cost 20–110 ms at the p50 while
  1 000 orgs are filled at once: a one-year report is ~6 ms of PostgreSQL CPU.
- **Peak RSS (target < 200 MB each).** The services now run compiled (as in the Docker image) from bare Node's
  ~40 MB. The aggregator holds ~35 MB live; \`--heap-growing-percent=50\` (set at start-up) keeps V8 from growing
  its heap to several times that, and its buffer is bounded by 300 unacknowledged messages: 185 MB at the peak of a
  1 M backlog drain (638 MB before). The gateway (1 000 orgs' cached reports, ~20 000 remembered tokens) and ingest
  use the same growing factor: ingest went to ~135 MB and the gateway from 220–290 to ~210 MB, just over the
  target; the gateway's live set after a major collection is ~60 MB, the rest is heap V8 keeps for a high
  allocation rate.

Fixed on the way (each with its tests): webhook signatures verified with node:crypto instead of a pure-JS SHA-256
(25 → 5 µs per one-record webhook, 215 → 14 µs per 100-record one); plainly valid records accepted without
class-validator (1.5 ms → 80 µs per 100 records; class-validator still decides and words every doubtful one);
exact scaled-integer folding (~3 µs → well under 1 µs a record); calendar days checked by arithmetic and read from
\`format()\` instead of \`formatToParts()\`; no async stack trace captured per NATS request; the ledger prune kept
on its index (it scanned the whole ledger every batch while the table had no statistics: 59 ms at 200 000 rows);
the aggregator's slow-consumer stall (pulls of 2 000 100-record messages overflowed the server's 64 MiB
per-connection queue and stalled it for an ack wait) gone with the 300-message bound.`;
