// The USAGE stream (the log of record) and its dead-letter companion, created or updated at start-up.
import { DiscardPolicy, JetStreamManager, RetentionPolicy, StorageType, nanos, StreamConfig } from 'nats';
import { ServiceConfig, subjectsFor } from '@mai/config';

/** Retried webhook deliveries inside this window are dropped by the stream itself (Nats-Msg-Id). */
export const DUPLICATE_WINDOW_MS = 10 * 60 * 1000;

export function usageStreamConfig(config: Pick<ServiceConfig, 'usageStream' | 'subjectPrefix'>): Partial<StreamConfig> & { name: string } {
  return {
    name: config.usageStream,
    subjects: [subjectsFor(config).usageRecordedAll],
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    discard: DiscardPolicy.Old,
    // The log is kept for good: it is what projections are rebuilt from (see docs/OPERATIONS.md).
    max_age: 0,
    duplicate_window: nanos(DUPLICATE_WINDOW_MS),
    num_replicas: 1,
  };
}

export function deadLetterStreamConfig(config: Pick<ServiceConfig, 'usageStream' | 'subjectPrefix'>): Partial<StreamConfig> & { name: string } {
  return {
    name: `${config.usageStream}_DLQ`,
    subjects: [subjectsFor(config).deadLetterAll],
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    max_age: nanos(30 * 86_400_000),
    num_replicas: 1,
  };
}

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

export async function ensureUsageStreams(jsm: JetStreamManager, config: Pick<ServiceConfig, 'usageStream' | 'subjectPrefix'>): Promise<void> {
  await ensureStream(jsm, usageStreamConfig(config));
  await ensureStream(jsm, deadLetterStreamConfig(config));
}
