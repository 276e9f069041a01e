// Runs one of our services as a real child process (the way production runs it), so tests can SIGKILL and
// restart it. Output goes to a log file per process for post-mortems.
import { ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';

export type ServiceName = 'ingest' | 'aggregator' | 'pricing-fx' | 'gateway';

const PORT_VARIABLE: Record<ServiceName, string> = {
  ingest: 'INGEST_PORT',
  aggregator: 'AGGREGATOR_PORT',
  'pricing-fx': 'PRICING_PORT',
  gateway: 'GATEWAY_PORT',
};

export const WORKSPACE_ROOT = resolve(__dirname, '../../..');

/**
 * How our programs run: from source through @swc-node/register (tests and development: no build step), or the
 * compiled build in dist/ (`npm run build`; what the Docker image runs, and what the benchmark measures). Chosen by
 * MAI_RUNTIME=dist|source, source by default.
 */
export type AppRuntime = 'source' | 'dist';

export function appRuntime(): AppRuntime {
  return process.env.MAI_RUNTIME === 'dist' ? 'dist' : 'source';
}

/** The node arguments that run one of apps/<app>/src/main.ts in the given runtime. */
export function appNodeArgs(app: ServiceName | 'cli', runtime: AppRuntime = appRuntime()): string[] {
  return runtime === 'dist' ? [join('dist', 'apps', app, 'src', 'main.js')] : ['-r', '@swc-node/register', join('apps', app, 'src', 'main.ts')];
}

export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

export class ServiceProcess {
  /** Every process started by this test file, so none outlives it (a stray child keeps Jest waiting). */
  private static readonly started = new Set<ServiceProcess>();
  private child?: ChildProcess;
  private exited?: Promise<number | null>;

  private constructor(
    readonly name: ServiceName,
    readonly port: number,
    private readonly env: Record<string, string>,
  ) {}

  static async start(name: ServiceName, env: Record<string, string>, options: { waitReady?: boolean } = {}): Promise<ServiceProcess> {
    const service = new ServiceProcess(name, await freePort(), env);
    ServiceProcess.started.add(service);
    await service.spawn(options.waitReady ?? true);
    return service;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  private async spawn(waitReady: boolean): Promise<void> {
    const logDir = join(WORKSPACE_ROOT, 'tmp', 'test-logs');
    mkdirSync(logDir, { recursive: true });
    const log = createWriteStream(join(logDir, `${this.env.USAGE_STREAM ?? 'run'}-${this.name}.log`), { flags: 'a' });
    const child = spawn(process.execPath, appNodeArgs(this.name), {
      cwd: WORKSPACE_ROOT,
      env: { PATH: process.env.PATH ?? '', ...this.env, [PORT_VARIABLE[this.name]]: String(this.port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.pipe(log, { end: false });
    child.stderr?.pipe(log, { end: false });
    this.child = child;
    this.exited = new Promise((resolveExit) => child.once('exit', (code) => resolveExit(code)));
    if (waitReady) await this.waitUntilReady();
  }

  async waitUntilReady(timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const child = this.child;
      if (child && (child.exitCode !== null || child.signalCode !== null)) throw new Error(`${this.name} exited (${child.exitCode ?? child.signalCode}) before becoming ready`);
      try {
        const response = await fetch(`${this.url}/health/ready`);
        if (response.ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 150));
    }
    throw new Error(`${this.name} was not ready within ${timeoutMs} ms`);
  }

  /** SIGKILL: no shutdown hooks, no flushing, as in a crash or an OOM kill. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (!this.child) return;
    // Signalling an exited process is a no-op; the exit promise settles either way.
    this.child.kill(signal);
    await this.exited;
  }

  async waitForExit(): Promise<number | null> {
    return (await this.exited) ?? null;
  }

  async restart(): Promise<void> {
    await this.kill();
    await this.spawn(true);
  }

  async stop(): Promise<void> {
    await this.kill('SIGTERM');
  }

  static async killAll(): Promise<void> {
    await Promise.all([...ServiceProcess.started].map((service) => service.kill()));
    ServiceProcess.started.clear();
  }
}
