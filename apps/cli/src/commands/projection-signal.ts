// Tells the gateways that projected numbers changed outside the aggregator: after `org delete-data` (that org)
// and after `projection rebuild` swaps a version in (every org). The same core-NATS signal the aggregator sends
// after each commit (`usage.v1.projected.<org>`, or `…projected._all`): gateways drop their cached reports on it.
// Best effort, like the aggregator's: without it, cached answers still expire within the gateway's cache TTL.
import { connect } from 'nats';

export async function announceProjectionChange(natsUrl: string, subject: string, warn: (line: string) => void): Promise<boolean> {
  try {
    const connection = await connect({ servers: natsUrl.split(','), name: 'mai-usage-cli', timeout: 5_000 });
    try {
      connection.publish(subject);
      await connection.flush();
    } finally {
      await connection.close();
    }
    return true;
  } catch (error) {
    warn(`warning: could not tell the gateways (${subject}): ${(error as Error).message}; their cached reports expire within 30 s`);
    return false;
  }
}
