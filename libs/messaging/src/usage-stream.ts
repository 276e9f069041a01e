// The USAGE stream (the log of record) and its dead-letter companion, created or updated at start-up.
import { DiscardPolicy, JetStreamManager, RetentionPolicy, StorageType, nanos, StreamConfig } from 'nats';
import { ServiceConfig, subjectsFor } from '@mai/config';

/** Replicas default to 1 (a single server); a JetStream cluster runs the stream as R3 (USAGE_STREAM_REPLICAS). */
export type StreamSettings = Pick<ServiceConfig, 'usageStream' | 'subjectPrefix'> & Partial<Pick<ServiceConfig, 'usageStreamReplicas'>>;

/** Retried webhook deliveries inside this window are dropped by the stream itself (Nats-Msg-Id). */
export const DUPLICATE_WINDOW_MS = 10 * 60 * 1000;

export function usageStreamConfig(config: StreamSettings): Partial<StreamConfig> & { name: string } {
  return {
    name: config.usageStream,
    subjects: [subjectsFor(config).usageRecordedAll],
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    discard: DiscardPolicy.Old,
    // The log is kept for good: it is what projections are rebuilt from (see docs/OPERATIONS.md).
    max_age: 0,
    duplicate_window: nanos(DUPLICATE_WINDOW_MS),
    num_replicas: config.usageStreamReplicas ?? 1,
  };
}

export function deadLetterStreamConfig(config: StreamSettings): Partial<StreamConfig> & { name: string } {
  return {
    name: `${config.usageStream}_DLQ`,
    subjects: [subjectsFor(config).deadLetterAll],
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    max_age: nanos(30 * 86_400_000),
    num_replicas: config.usageStreamReplicas ?? 1,
  };
}

/**
 * Creates the stream, or brings an existing one up to date, except its replica count: moving a live log
 * between R1 and R3 is an operator's decision (`nats stream edit --replicas`, docs/OPERATIONS.md), never a
 * side effect of one service starting with a different setting.
 */
async function ensureStream(jsm: JetStreamManager, desired: Partial<StreamConfig> & { name: string }): Promise<void> {
  try {
    const current = await jsm.streams.info(desired.name);
    const { num_replicas: _replicas, ...rest } = desired;
    await jsm.streams.update(desired.name, { ...current.config, ...rest, num_replicas: current.config.num_replicas });
  } catch (error) {
    if (!/stream not found/i.test(String((error as Error).message))) throw error;
    await jsm.streams.add(desired);
  }
}

export async function ensureUsageStreams(jsm: JetStreamManager, config: StreamSettings): Promise<void> {
  await ensureStream(jsm, usageStreamConfig(config));
  await ensureStream(jsm, deadLetterStreamConfig(config));
}
