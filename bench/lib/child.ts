// Benchmark work that must not share a process with the services or the orchestrator (load generators,
// baselines) runs as a child: the spec goes in as JSON on argv, the result comes back over IPC, progress goes to
// stderr. A child exits when its parent goes away, so an interrupted run leaves nothing behind.
import { ChildProcess, spawn } from 'node:child_process';
import { join, resolve } from 'node:path';

export const BENCH_ROOT = resolve(__dirname, '../..');

const running = new Set<ChildProcess>();

export interface ChildRun<T> {
  readonly pid: number | undefined;
  readonly result: Promise<T>;
}

/** Starts `bench/<script>` with `spec`; the promise settles with what the child hands back, or its failure. */
export function startChild<T>(script: string, spec: unknown, options: { timeoutMs: number; env?: Record<string, string>; onStarted?: () => void }): ChildRun<T> {
  const child = spawn(process.execPath, ['-r', '@swc-node/register', join('bench', script), '--spec', JSON.stringify(spec)], {
    cwd: BENCH_ROOT,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  running.add(child);
  const result = new Promise<T>((resolveResult, reject) => {
    let value: { ok: true; value: T } | { ok: false; error: string } | undefined;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${script} did not finish within ${options.timeoutMs} ms`));
    }, options.timeoutMs);
    child.on('message', (message: { ok: boolean; value?: T; error?: string; started?: boolean }) => {
      if (message.started) return options.onStarted?.();
      value = message.ok ? { ok: true, value: message.value as T } : { ok: false, error: String(message.error) };
    });
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      running.delete(child);
      if (value?.ok) resolveResult(value.value);
      else reject(new Error(`${script} failed (${signal ?? `exit ${code}`})${value && !value.ok ? `: ${value.error}` : ''}`));
    });
  });
  return { pid: child.pid, result };
}

export function runChild<T>(script: string, spec: unknown, options: { timeoutMs: number; env?: Record<string, string>; onStarted?: () => void }): Promise<T> {
  return startChild<T>(script, spec, options).result;
}

/** Kills every child still running (cleanup after a failure or Ctrl-C). */
export function killChildren(): void {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
}

/** Tells the parent that the child is about to start the measured work (its start-up is over). */
export function notifyStarted(): void {
  process.send?.({ started: true });
}

/** The child's side: read the spec, run, hand the result back, exit. */
export function serveAsChild<S, T>(work: (spec: S) => Promise<T>): void {
  const at = process.argv.indexOf('--spec');
  if (at < 0 || !process.send) {
    process.stderr.write('run this through bench/run.ts (it passes --spec JSON over an IPC channel)\n');
    process.exit(2);
  }
  // The parent went away (Ctrl-C, crash): stop at once rather than keep loading the machine.
  process.on('disconnect', () => process.exit(3));
  const spec = JSON.parse(process.argv[at + 1]) as S;
  work(spec).then(
    (value) => process.send!({ ok: true, value }, () => process.exit(0)),
    (error: unknown) => {
      process.stderr.write(`${(error as Error)?.stack ?? String(error)}\n`);
      process.send!({ ok: false, error: (error as Error)?.message ?? String(error) }, () => process.exit(1));
    },
  );
}
