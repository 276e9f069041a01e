// What the figures were measured on, printed with them: a ratio from a 2-core VM means something else than
// one from a 64-core server, and a run under load from other work means something else again.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { Pool } from 'pg';
import { connect } from 'nats';
import { BENCH_ROOT } from './child';

export interface Machine {
  readonly nproc: string;
  readonly cpuModel: string;
  readonly memory: string;
  readonly node: string;
  readonly postgres: string;
  readonly nats: string;
  readonly commit: string;
  readonly date: string;
}

const run = (command: string, args: string[]): string => {
  try {
    return execFileSync(command, args, { cwd: BENCH_ROOT, encoding: 'utf8' }).trim();
  } catch {
    return '?';
  }
};

export async function describeMachine(databaseUrl: string, natsUrl: string): Promise<Machine> {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const meminfo = readFileSync('/proc/meminfo', 'utf8');
  const memKb = Number(/^MemTotal:\s+(\d+)/m.exec(meminfo)?.[1] ?? 0);
  const pool = new Pool({ connectionString: databaseUrl, max: 1 });
  const postgres = await pool
    .query<{ server_version: string }>('SHOW server_version')
    .then((r) => r.rows[0].server_version)
    .finally(() => pool.end());
  const nc = await connect({ servers: natsUrl });
  const nats = nc.info?.version ?? '?';
  await nc.close();
  const dirty = run('git', ['status', '--porcelain', '--untracked-files=no']) !== '';
  return {
    nproc: run('nproc', []),
    cpuModel: /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? cpus()[0]?.model ?? '?',
    memory: `${(memKb / 1024 / 1024).toFixed(1)} GiB`,
    node: process.version,
    postgres,
    nats,
    commit: `${run('git', ['rev-parse', '--short', 'HEAD'])}${dirty ? ' (with uncommitted changes)' : ''}`,
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
  };
}

export const loadAverage = (): string => loadavg().map((value) => value.toFixed(2)).join(' / ');
