// Jest global teardown of the faults project: renders the rows the scenarios recorded into docs/RELIABILITY.md
// when every scenario ran, or into tmp/faults/RELIABILITY.partial.md when only some did (a single file, -t).
import { writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { PARTIAL_DOC, RELIABILITY_DOC, SCENARIO_NUMBERS, WORKSPACE, readRows, renderReliabilityDoc } from './reliability-table';

export default async function globalTeardown(): Promise<void> {
  const rows = readRows();
  if (rows.length === 0) return;
  const startedAt = new Date(process.env.FAULTS_STARTED_AT ?? Date.now());
  const doc = renderReliabilityDoc(rows, { startedAt, seconds: (Date.now() - startedAt.getTime()) / 1000 });
  const covered = new Set(rows.map((row) => String(parseInt(row.id, 10))));
  const complete = SCENARIO_NUMBERS.every((n) => covered.has(n));
  const target = complete ? RELIABILITY_DOC : PARTIAL_DOC;
  writeFileSync(target, doc);
  const failed = rows.filter((row) => row.result !== 'pass').length;
  process.stderr.write(`\nfaults: ${rows.length} rows (${failed} failed) written to ${relative(WORKSPACE, target)}${complete ? '' : ' (not every scenario ran)'}\n`);
}
