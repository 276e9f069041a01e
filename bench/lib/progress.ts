// Progress lines for long runs go to stderr, so stdout stays the result (the table, or a child's JSON).
const started = Date.now();

export function progress(message: string, scope = 'bench'): void {
  const elapsed = ((Date.now() - started) / 1000).toFixed(1).padStart(6);
  process.stderr.write(`[${scope} +${elapsed}s] ${message}\n`);
}
