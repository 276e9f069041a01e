// A private three-node JetStream cluster on loopback ports, each node its own nats-server process with its own
// store, for tests that kill a node under load (the shared server on 4222 is never touched). Configs, stores
// and stores live in one temporary directory that `stop()` removes; logs stay in tmp/test-logs for post-mortems.
import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { JetStreamManager, connect } from 'nats';
import { WORKSPACE_ROOT, freePort } from './service-process';
import { canConnect } from './services';
import { waitFor } from './wait';

const NATS_SERVER_BINARY = process.env.NATS_SERVER_BIN ?? (existsSync('/usr/sbin/nats-server') ? '/usr/sbin/nats-server' : 'nats-server');

/** Every node started by this process, so none outlives it even when a test fails before its cleanup. */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export class NatsClusterNode {
  private child?: ChildProcess;
  private exited: Promise<void> = Promise.resolve();

  constructor(
    readonly name: string,
    readonly port: number,
    readonly routePort: number,
    private readonly configFile: string,
    readonly logFile: string,
  ) {}

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Starts the process and waits until it accepts client connections (not until JetStream has a leader). */
  async launch(): Promise<void> {
    const child = spawn(NATS_SERVER_BINARY, ['-c', this.configFile], { stdio: 'ignore' });
    running.add(child);
    this.child = child;
    this.exited = new Promise((resolve) =>
      child.once('exit', () => {
        running.delete(child);
        resolve();
      }),
    );
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      if (await canConnect(this.url, 300)) return;
      if (!this.running) throw new Error(`nats-server ${this.name} exited at start; see ${this.logFile}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`nats-server ${this.name} did not start on ${this.port}; see ${this.logFile}`);
  }

  /** SIGKILL by default: no shutdown, no flush, as when a machine dies. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    this.child?.kill(signal);
    await this.exited;
  }
}

export class NatsClusterProcess {
  private constructor(
    readonly nodes: readonly NatsClusterNode[],
    private readonly dir: string,
  ) {}

  /**
   * Starts `size` servers (default 3) routed to each other as one JetStream cluster and waits until the
   * cluster has elected its meta leader, so streams can be created at once.
   */
  static async start(options: { size?: number; clusterName?: string } = {}): Promise<NatsClusterProcess> {
    const size = options.size ?? 3;
    const dir = mkdtempSync(join(tmpdir(), 'nats-cluster-'));
    const logDir = join(WORKSPACE_ROOT, 'tmp', 'test-logs');
    mkdirSync(logDir, { recursive: true });
    const ports = await distinctFreePorts(size * 2);
    const names = Array.from({ length: size }, (_, i) => `n${i + 1}`);
    const routes = names.map((_, i) => `nats://127.0.0.1:${ports[size + i]}`);
    const nodes = names.map((name, i) => {
      const configFile = join(dir, `${name}.conf`);
      const logFile = join(logDir, `${basename(dir)}-${name}.log`);
      // The shape of infra/nats/cluster/nats.conf, minus what nats-server 2.9 does not know (sync_interval).
      writeFileSync(
        configFile,
        [
          `server_name: ${name}`,
          `listen: 127.0.0.1:${ports[i]}`,
          `log_file: "${logFile}"`,
          `jetstream { store_dir: "${join(dir, name)}" }`,
          `cluster {`,
          `  name: ${options.clusterName ?? 'test-cluster'}`,
          `  listen: 127.0.0.1:${ports[size + i]}`,
          `  routes: [${routes.filter((_, j) => j !== i).join(', ')}]`,
          `}`,
          '',
        ].join('\n'),
      );
      return new NatsClusterNode(name, ports[i], ports[size + i], configFile, logFile);
    });
    const cluster = new NatsClusterProcess(nodes, dir);
    try {
      await Promise.all(nodes.map((node) => node.launch()));
      await cluster.waitForJetStream();
    } catch (error) {
      await cluster.stop();
      throw error;
    }
    return cluster;
  }

  /** All client URLs, comma-separated, as NATS_URL takes them. */
  get url(): string {
    return this.nodes.map((node) => node.url).join(',');
  }

  node(name: string): NatsClusterNode {
    const node = this.nodes.find((n) => n.name === name);
    if (!node) throw new Error(`no node ${name} in the cluster`);
    return node;
  }

  /** Waits until JetStream answers API requests (a meta leader exists) through the running nodes. */
  async waitForJetStream(timeoutMs = 30_000): Promise<void> {
    await waitFor(() => this.withManager(async (jsm) => Boolean(await jsm.getAccountInfo())), { timeoutMs, intervalMs: 250, what: 'a JetStream meta leader' });
  }

  /** The name of the server leading `stream`'s replica group, and its followers. */
  async streamPlacement(stream: string): Promise<{ leader: string; replicas: string[] }> {
    return this.withManager(async (jsm) => {
      const info = await jsm.streams.info(stream);
      if (!info.cluster?.leader) throw new Error(`stream ${stream} has no leader yet`);
      return { leader: info.cluster.leader, replicas: (info.cluster.replicas ?? []).map((replica) => replica.name) };
    });
  }

  /** Runs `work` with a JetStream manager on whichever nodes are still running. */
  async withManager<T>(work: (jsm: JetStreamManager) => Promise<T>): Promise<T> {
    const servers = this.nodes.filter((node) => node.running).map((node) => node.url);
    const nc = await connect({ servers, timeout: 2_000, maxReconnectAttempts: 0 });
    try {
      return await work(await nc.jetstreamManager({ timeout: 2_000 }));
    } finally {
      await nc.close();
    }
  }

  async stop(): Promise<void> {
    await Promise.all(this.nodes.map((node) => node.kill('SIGTERM')));
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Free loopback ports, none repeated (the OS may hand the same just-closed port out twice). */
async function distinctFreePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  for (let attempts = 0; ports.size < count && attempts < count * 10; attempts++) ports.add(await freePort());
  if (ports.size < count) throw new Error(`could not find ${count} free ports`);
  return [...ports];
}
