// Test-only crash points, so fault tests can kill the aggregator at exact moments of a batch
// (AGGREGATOR_FAULT=crash-before-commit:3 kills the process inside the 3rd batch's transaction).
export type FaultPoint = 'crash-before-commit' | 'crash-after-commit';

export function faultInjector(spec = process.env.AGGREGATOR_FAULT): (point: FaultPoint, batchNumber: number) => void {
  const match = /^(crash-before-commit|crash-after-commit):(\d+)$/.exec(spec ?? '');
  if (!match) return () => undefined;
  const [, point, batch] = match;
  return (at, batchNumber) => {
    if (at === point && batchNumber === Number(batch)) process.kill(process.pid, 'SIGKILL');
  };
}
