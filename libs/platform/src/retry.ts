// Keeps retrying a start-up step with capped exponential backoff, so a service started before its database
// or NATS waits for them (reporting not-ready) instead of exiting.
import type { Logger } from 'pino';

export async function retryForever<T>(what: string, step: () => Promise<T>, log: Logger, signal?: AbortSignal): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await step();
    } catch (error) {
      if (signal?.aborted) throw error;
      const delay = Math.min(10_000, 250 * 2 ** Math.min(attempt - 1, 6));
      log.warn({ err: error, attempt, retryInMs: delay }, `${what} failed; retrying`);
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}
