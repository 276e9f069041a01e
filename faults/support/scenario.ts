// One row of the reliability table per scenario: `scenario(...)` is a Jest test that fills in its row as it
// goes and records it whether it passes or fails, so the table never claims a pass the run did not see.
import { stopAllLoads } from './load';
import { ScenarioRow, appendRow } from './reliability-table';

export type RowDraft = {
  -readonly [K in keyof Omit<ScenarioRow, 'id' | 'scenario' | 'result' | 'seconds'>]: ScenarioRow[K];
};

export function scenario(id: string, title: string, body: (row: RowDraft) => Promise<void>, timeoutMs = 180_000): void {
  it(`${id}. ${title}`, async () => {
    const row: RowDraft = { done: '', sent: '—', expected: '—', found: '—', duplicates: '—' };
    const startedAt = Date.now();
    let result = 'pass';
    try {
      await body(row);
    } catch (error) {
      result = `FAIL: ${String((error as Error)?.message ?? error).replace(/\x1b\[[0-9;]*m/g, '').split('\n').find((line) => line.trim()) ?? 'error'}`.slice(0, 200);
      throw error;
    } finally {
      await stopAllLoads();
      appendRow({ id, scenario: title, ...row, result, seconds: (Date.now() - startedAt) / 1000 });
    }
  }, timeoutMs);
}
