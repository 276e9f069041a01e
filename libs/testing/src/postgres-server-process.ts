// A private PostgreSQL cluster on a loopback port with its own data directory, for tests that stop and restart
// the database under load (the shared one on 5432 is never touched). Needs the server binaries (initdb,
// pg_ctl); run as root, the cluster belongs to the `postgres` user, because initdb refuses to run as root.
import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { freePort } from './service-process';
import { canConnect } from './services';

const BIN_DIR = process.env.POSTGRES_BIN_DIR ?? findBinDir();

function findBinDir(): string {
  for (const version of ['17', '16', '15', '14']) {
    const dir = `/usr/lib/postgresql/${version}/bin`;
    if (existsSync(join(dir, 'initdb'))) return dir;
  }
  return ''; // rely on PATH
}

export class PostgresServerProcess {
  private running = false;

  private constructor(
    readonly port: number,
    private readonly baseDir: string,
  ) {}

  /** initdb into a fresh temporary directory and start the server. */
  static async start(): Promise<PostgresServerProcess> {
    const baseDir = mkdtempSync(join(tmpdir(), 'pg-test-'));
    const server = new PostgresServerProcess(await freePort(), baseDir);
    try {
      if (asRoot()) {
        const { uid, gid } = postgresUser();
        chownSync(baseDir, uid, gid);
      }
      await server.run('initdb', ['-D', server.dataDir, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync'], 60_000);
      await server.resume();
      return server;
    } catch (error) {
      await server.destroy();
      throw error;
    }
  }

  get dataDir(): string {
    return join(this.baseDir, 'data');
  }

  /** A URL for `database` on this server (the default `postgres` database is the admin one). */
  url(database = 'postgres'): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  /** Starts the server again on the same port and data (crash recovery runs after an immediate stop). */
  async resume(): Promise<void> {
    const options = `-p ${this.port} -k ${this.baseDir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`;
    await this.run('pg_ctl', ['-D', this.dataDir, '-l', join(this.baseDir, 'server.log'), '-o', options, '-w', '-t', '60', 'start'], 70_000);
    this.running = true;
    const deadline = Date.now() + 15_000;
    while (!(await canConnect(this.url(), 300))) {
      if (Date.now() > deadline) throw new Error(`private postgres on ${this.port} did not accept connections`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** `immediate` is a crash as far as clients can tell: every connection drops, nothing is shut down cleanly. */
  async stop(mode: 'immediate' | 'fast' = 'immediate'): Promise<void> {
    if (!this.running) return;
    await this.run('pg_ctl', ['-D', this.dataDir, '-m', mode, '-w', '-t', '30', 'stop'], 40_000);
    this.running = false;
  }

  /** Stops the server (whatever state it is in) and deletes its data. */
  async destroy(): Promise<void> {
    await this.stop('immediate').catch(() => this.killPostmaster());
    rmSync(this.baseDir, { recursive: true, force: true });
  }

  get serverLog(): string {
    const path = join(this.baseDir, 'server.log');
    return existsSync(path) ? readFileSync(path, 'utf8') : '';
  }

  private killPostmaster(): void {
    // Our own postmaster only: its pid is the first line of the pid file in our data directory.
    const pidFile = join(this.dataDir, 'postmaster.pid');
    if (!existsSync(pidFile)) return;
    const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
    if (Number.isInteger(pid) && pid > 1) {
      try {
        process.kill(pid, 'SIGQUIT');
      } catch {
        // already gone
      }
    }
    this.running = false;
  }

  private run(program: string, args: string[], timeoutMs: number): Promise<void> {
    const binary = BIN_DIR ? join(BIN_DIR, program) : program;
    const [file, argv] = asRoot() ? ['runuser', ['-u', 'postgres', '--', binary, ...args]] : [binary, args];
    return new Promise((resolve, reject) => {
      execFile(file, argv, { timeout: timeoutMs, cwd: this.baseDir }, (error, stdout, stderr) => {
        if (error) reject(new Error(`${program} ${args.at(-1)} failed: ${error.message}\n${stdout}\n${stderr}`));
        else resolve();
      });
    });
  }
}

function asRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

function postgresUser(): { uid: number; gid: number } {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((entry) => entry.startsWith('postgres:'));
  if (!line) throw new Error(`running as ${userInfo().username}, and there is no "postgres" user to own a private cluster`);
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}
