// npm run cli -- org delete-data <orgId> --confirm [--by NAME]: erases an organization's usage data on request
// (GDPR). Order matters: first the org's messages leave the stream (its own subject, and its dead letters),
// so no replay can bring them back; then, once every durable consumer (the aggregator) has settled what it had
// already taken, so no batch in flight re-creates a row, its rows go from every projection version, in one
// transaction with an audit record. The organization itself (name, time zone, secrets) stays registered.
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { JetStreamManager } from 'nats';
import { subjectsFor } from '@mai/config';
import { isOrgId } from '@mai/domain';
import { OrgDataErasure, OrganizationStore, ProjectionVersions } from '@mai/persistence';
import { CliContext, UsageError } from '../cli-context';
import { connectToStreams } from '../projection/usage-stream-reader';
import { announceProjectionChange } from './projection-signal';

const USAGE = 'usage: org delete-data <orgId> --confirm [--by NAME] [--wait-seconds 30]';

export async function deleteOrgData(args: string[], context: CliContext): Promise<void> {
  const { positionals, values } = parseArgs({
    args,
    allowPositionals: true,
    options: { confirm: { type: 'boolean', default: false }, by: { type: 'string' }, 'wait-seconds': { type: 'string', default: '30' } },
  });
  if (positionals.length !== 1) throw new UsageError(USAGE);
  const [orgId] = positionals;
  if (!isOrgId(orgId)) throw new UsageError(`org id "${orgId}" is not valid`);
  if (!values.confirm) {
    throw new UsageError(`this erases every usage record of ${orgId} from the stream and from every projection version, for good; add --confirm`);
  }
  const waitSeconds = Number(values['wait-seconds']);
  if (!Number.isFinite(waitSeconds) || waitSeconds < 0) throw new UsageError('--wait-seconds must be a number of seconds');
  const requestedBy = values.by?.trim() || process.env.SUDO_USER || safeUserName();

  const pool = await context.database();
  if (!(await new OrganizationStore(pool).find(orgId))) process.stderr.write(`note: no organization ${orgId} is registered; erasing whatever data it left\n`);
  const hold = await new ProjectionVersions(pool).tryRebuildLock('shared');
  if (!hold) throw new Error('a projection rebuild is running; let it finish (or interrupt it) and erase again');
  const link = await connectToStreams(context.config.natsUrl);
  try {
    const subjects = subjectsFor(context.config);
    const stream = context.config.usageStream;
    const streamMessages = await purge(link.jsm, stream, subjects.usageRecorded(orgId));
    const deadLetterMessages = await purge(link.jsm, `${stream}_DLQ`, subjects.deadLetter(orgId));
    context.print(`purged ${streamMessages} messages of ${orgId} from the stream ${stream} and ${deadLetterMessages} from ${stream}_DLQ`);

    const head = await link.jsm.streams.info(stream).then(
      (info) => info.state.last_seq,
      () => undefined, // no stream: nothing was ever consumed
    );
    const behind = head === undefined ? [] : await waitForConsumers(link.jsm, stream, head, waitSeconds * 1000);
    if (behind.length > 0) {
      process.stderr.write(
        `warning: the consumers ${behind.join(', ')} still hold unacknowledged messages from before the purge; ` +
          `if they project usage of ${orgId}, run this command again once they have caught up\n`,
      );
    }

    const erasure = await new OrgDataErasure(pool).erase({ orgId, requestedBy, streamMessages, deadLetterMessages });
    context.print(
      `deleted ${erasure.dailyRows} daily rows, ${erasure.monthlyUserRows} monthly user rows and ${erasure.ledgerRows} ledger rows of ${orgId}` +
        ` from projection versions ${erasure.versions.join(', ') || '(none)'}`,
    );
    context.print(`recorded as erasure #${erasure.id} of ${orgId}, requested by ${erasure.requestedBy}, at ${erasure.deletedAt.toISOString()}`);
    // Dashboards (and the gateways' report caches) learn of it as of any other change to the org's numbers.
    await announceProjectionChange(context.config.natsUrl, subjects.projected(orgId), (line) => process.stderr.write(`${line}\n`));
  } finally {
    await link.close();
    await hold.release();
  }
}

async function purge(jsm: JetStreamManager, stream: string, subject: string): Promise<number> {
  try {
    return (await jsm.streams.purge(stream, { filter: subject })).purged;
  } catch (error) {
    if (/stream not found/i.test(String((error as Error).message))) return 0;
    throw error;
  }
}

/**
 * Waits until every durable consumer of the stream has nothing in flight from before `head` (all acked up to it,
 * or nothing unacknowledged at all): then no batch that read the org's messages before the purge can still
 * commit. Answers the consumers still behind when `timeoutMs` runs out.
 */
async function waitForConsumers(jsm: JetStreamManager, stream: string, head: number, timeoutMs: number): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const behind: string[] = [];
    for await (const consumer of jsm.consumers.list(stream)) {
      if (!consumer.config.durable_name) continue; // replays and verifications (ephemeral) project nothing live
      if (consumer.num_ack_pending > 0 && consumer.ack_floor.stream_seq < head) behind.push(consumer.name);
    }
    if (behind.length === 0 || Date.now() >= deadline) return behind;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

function safeUserName(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}
