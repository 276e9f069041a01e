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
- **100-record webhooks ÷ seed design (target 40×).** End to end an event costs ~13 µs of CPU in ingest, ~13 µs in
  the aggregator and ~15–35 µs in NATS and PostgreSQL on a quiet machine (about twice that with busy neighbours):
  40–60 µs in all, i.e. 30 000–50 000 events/s on 2 cores. 40× the seed design (~500 000 events/s here) would need
  ~4 µs per event for *everything*; PostgreSQL's exactly-once ledger insert alone (primary key on org + generation
  id, a fingerprint; ~45 % of a batch's time) costs more than that. In ingest, after the fixes
  below, the acceptance rules dominate: the org's calendar day through \`Intl.DateTimeFormat.formatToParts\` (~2 µs a
  record, 8 % of ingest), exact decimal parsing (decimal.js, ~7 %), RFC 3339 parsing, and encoding the event. The seed
  design itself is quick here because PostgreSQL group-commits its 16 connections' one-row transactions.
- **Single-record webhooks ÷ raw JetStream (target 0.4×).** A one-record webhook costs ingest ~300 µs of CPU on a
  quiet machine (up to 650 µs with busy neighbours); bare Fastify answers a request for ~16–50 µs and a raw publish
  costs its client ~30 µs. The usage rules are under 5 % of it. The rest is per-HTTP-request machinery: socket writes (~20 %: the answer, and the publish; a loopback write
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
- **Freshness (target 1 s).** The prober sees its record when the batch that carries it commits. Half of ingest's
  peak is close to what the aggregator can project, so it runs full batches (up to 1 000 messages, 100 000 records,
  about a second each at that rate): a record waits for the batch in progress and then for its own, 1–2 s. At
  10 000–15 000 events/s (quick runs) p99 was 0.4–0.7 s. A smaller AGGREGATOR_MAX_BATCH would bound the wait
  at some cost in throughput; when the projection falls behind outright (neighbours taking a core) the lag grows for
  as long as the load lasts, as the "caught up after the load" column shows.
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
  binding (~27 MB); running the built JavaScript (\`npm run build\`) would start at bare Node's ~40 MB. Above that,
  much of the peak is V8 growing its heap lazily under a high allocation rate (its default limit on this 24 GB
  machine is ~4 GB): in a pair of quick runs, \`--env NODE_OPTIONS=--max-old-space-size=128\` took ingest's peak
  from 273 to 192 MB and the aggregator's from 382 to 303 MB (whether it costs throughput was lost in the noise).
  The aggregator also holds, outside the JS heap, up to max_ack_pending = 4 000 delivered messages (~110 MB of
  100-record messages) beside the 100 000-record batch it is folding, which is why the 1 M drain peaks highest;
  lowering AGGREGATOR_MAX_BATCH to 300 did not change that.

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
