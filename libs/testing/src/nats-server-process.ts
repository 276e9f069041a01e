// A private nats-server with JetStream on a loopback port and its own store, for tests that kill and restart
// the message server (the shared one on 4222 is never touched).
import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './service-process';
import { canConnect } from './services';

const NATS_SERVER_BINARY = process.env.NATS_SERVER_BIN ?? (require('node:fs').existsSync('/usr/sbin/nats-server') ? '/usr/sbin/nats-server' : 'nats-server');

export class NatsServerProcess {
  private child?: ChildProcess;
  private exited: Promise<void> = Promise.resolve();
  private constructor(
    readonly port: number,
    readonly storeDir: string,
  ) {}

  static async start(): Promise<NatsServerProcess> {
    const server = new NatsServerProcess(await freePort(), mkdtempSync(join(tmpdir(), 'nats-test-')));
    await server.launch();
    return server;
  }

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  private async launch(): Promise<void> {
    const child = spawn(NATS_SERVER_BINARY, ['-a', '127.0.0.1', '-p', String(this.port), '-js', '-sd', this.storeDir], { stdio: 'ignore' });
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      if (await canConnect(this.url, 300)) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`nats-server on ${this.port} did not start`);
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    // A process killed by a signal keeps exitCode null, so ask the exit promise, not exitCode.
    this.child?.kill(signal);
    await this.exited;
  }

  async restart(): Promise<void> {
    await this.kill();
    await this.launch();
  }

  async stop(): Promise<void> {
    await this.kill('SIGTERM');
    rmSync(this.storeDir, { recursive: true, force: true });
  }
}
