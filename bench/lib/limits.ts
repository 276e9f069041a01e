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
- **100-record webhooks ÷ seed design (target 40×).** End to end an event costs ~20 µs in ingest, ~15–20 µs in the
  aggregator and ~40–55 µs in NATS + PostgreSQL: some 80–100 µs of CPU, i.e. 20 000–30 000 events/s on 2 cores.
  40× the seed design would need ~10 µs per event for *everything*: PostgreSQL's exactly-once ledger insert alone
  (primary key on org + generation id, a fingerprint, ~45 % of a batch's time) costs more. In ingest, after the fixes
  below, the acceptance rules dominate: the org's calendar day through \`Intl.DateTimeFormat.formatToParts\` (~2 µs a
  record, 8 % of ingest), exact decimal parsing (decimal.js, ~7 %), RFC 3339 parsing, and encoding the event. The seed
  design itself is quick here because PostgreSQL group-commits its 16 connections' one-row transactions.
- **Single-record webhooks ÷ raw JetStream (target 0.4×).** A one-record webhook costs ingest 350–650 µs of CPU;
  bare Fastify answers a request for ~50 µs and a raw publish costs its client ~30 µs. The usage rules are under 5 %
  of it. The rest is per-HTTP-request machinery: socket writes (~20 %: the answer, and the publish; a loopback write
  on this VM is tens of µs because the kernel runs the receiver's TCP path on the sender's CPU), garbage collection
  (~8 %), Nest's router and middleware (\`@fastify/middie\`), pino-http's per-request child logger with header
  redaction (~3.5 %, even at LOG_LEVEL=warn), \`AsyncResource.bind\` in Fastify's body parser (~3 %) and the NATS
  client's request bookkeeping. 0.4× would need ~150 µs per request including HTTP: not reachable by trimming; it
  would take several deliveries per JetStream message (a change of the message and Nats-Msg-Id contract) or a
  leaner HTTP edge than Nest.
- **Projection (target 50 000 events/s) and replay (target 100 000 events/s).** Both run the same writer: per batch
  (up to 1 000 messages, 100 000 records) one transaction with the ledger insert, the fold, the daily upserts and
  the checkpoint. PostgreSQL's side (the ledger insert ~45 % of the batch's wall time, the upserts ~15 %) and the
  aggregator's JavaScript (decode and check ~3 µs a record, fold ~3 µs, SHA-256 fingerprint ~2 µs, building the
  \`unnest\` arrays, GC ~17 %) take turns: one batch at a time, so the batch costs the sum of the two, not the
  larger. 100 000/s on two cores would need the ledger written differently (e.g. COPY into a fresh version's
  ledger) and decoding overlapped with writing.
- **Freshness (target 1 s).** The prober sees its record as soon as the batch that carries it commits; it meets
  the target whenever the projection keeps up with half of ingest's peak. When it cannot (neighbours taking a core),
  the lag grows for as long as the load lasts, as the "caught up after the load" column shows.
- **Dashboard queries (targets: p99 ≤ 10 ms at 500 req/s, 0.3× bare Fastify).** A report request costs the gateway
  650–900 µs of CPU, and makes five PostgreSQL round trips: the rate-limit upsert, the org's time zone, and the
  report query inside a row-level-security transaction (\`BEGIN READ ONLY; SET LOCAL ROLE …; set_config\`, the
  query, \`COMMIT\`); monthly-summary runs three queries that way. Socket writes are ~40 % of the gateway's CPU,
  verifying the JWT with WebCrypto ~8 %. At 500 req/s that is most of a core for the gateway plus PostgreSQL and
  the client, so on two cores the tail is queueing. The one-year range also reads 4 380 rows per org (a few ms in
  PostgreSQL). Fewer round trips (caching the org's time zone briefly; one transaction for a report's queries)
  are the levers; both touch the row-level-security design, so they are its owner's call.
- **Peak RSS (target < 200 MB each).** Every service starts at ~120 MB before running a line of its own:
  \`node -r @swc-node/register\` loads the TypeScript compiler (it reads tsconfig with it, ~47 MB) and swc's native
  binding (~27 MB). Above that floor the services hold 60–110 MB under load, the aggregator up to ~250 MB while a
  100 000-record batch is decoded (lowering AGGREGATOR_MAX_BATCH to 300 did not lower it). Running the built
  JavaScript (\`npm run build\`) would drop the floor to bare Node's ~40 MB.

Fixed on the way (each with its tests): webhook signatures verified with node:crypto instead of a pure-JS SHA-256
(25 → 5 µs per one-record webhook, 215 → 14 µs per 100-record one); plainly valid records accepted without
class-validator (1.5 ms → 80 µs per 100 records; class-validator still decides and words every doubtful one); the
fold multiplies by the markup once per row and rate instead of once per record (6.9 → ~3 µs a record, exact);
calendar days checked by arithmetic (1 → 0.15 µs); no async stack trace captured per NATS request (~4–25 µs a
publish).

Found and not fixed: under a backlog of 100-record messages the aggregator can stall for a whole ack wait (10 s by
default, 30 s in this benchmark). Its pulls ask for 2 000 messages (~54 MB at ~27 KB each); while it folds a large
batch it does not read its socket, the server's queue for the connection passes 64 MiB (max_pending), and the
server cuts it ("Slow Consumer Detected" in nats-server.log); the delivered, unacknowledged messages return only
after ack_wait. One 1 M drain measured 18 800 events/s with a 30 s stall and 37 500 without. Capping pulls by bytes
instead made things worse on this nats.js (2.29) and nats-server (2.9): the client's byte budget leaked and it
stopped pulling altogether, so that change was reverted. Fewer messages per pull is the safe bound here.`;
