// What an interrupted run (Ctrl-C, SIGTERM) must still undo: every child and service killed, every database and
// stream the run made dropped. Phases register their undo work while it is pending.
import { ServiceProcess } from '@mai/testing';
import { killChildren } from './child';
import { progress } from './progress';

const pending = new Set<() => Promise<unknown>>();

/** Registers `undo` until the returned release function is called (normally from the phase's own finally). */
export function undoOnInterrupt(undo: () => Promise<unknown>): () => void {
  pending.add(undo);
  return () => pending.delete(undo);
}

export function cleanUpOnSignals(): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    progress(`${signal}: stopping every process of this run and dropping its databases and streams`);
    killChildren();
    const undo = Promise.allSettled([ServiceProcess.killAll(), ...[...pending].map((fn) => fn())]);
    const deadline = new Promise((resolve) => setTimeout(resolve, 20_000));
    void Promise.race([undo, deadline]).then(() => process.exit(130));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
