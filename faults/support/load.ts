// Concurrent senders that run until stopped. The scenario wrapper stops every load still running when a
// scenario ends, passed or failed, so no sender outlives its test.
export interface Load {
  /** Deliveries started so far. */
  readonly deliveries: number;
  /** Stops the senders, waits for each to finish its delivery, and rethrows the first failure. */
  stop(): Promise<void>;
}

const running = new Set<() => Promise<unknown>>();

export function startLoad(senders: number, deliver: (index: number) => Promise<void>): Load {
  let stopped = false;
  let next = 0;
  const loops = Array.from({ length: senders }, async () => {
    while (!stopped) await deliver(next++);
  });
  const halt = () => {
    stopped = true;
    return Promise.allSettled(loops);
  };
  running.add(halt);
  return {
    get deliveries() {
      return next;
    },
    async stop() {
      running.delete(halt);
      const failure = (await halt()).find((result): result is PromiseRejectedResult => result.status === 'rejected');
      if (failure) throw failure.reason;
    },
  };
}

export async function stopAllLoads(): Promise<void> {
  const halts = [...running];
  running.clear();
  await Promise.all(halts.map((halt) => halt()));
}
