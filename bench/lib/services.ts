// Our services as real processes for the benchmark (the testing library's ServiceProcess), with the peak
// resident memory of each read from the kernel (VmHWM: the high-water mark of RSS) just before it is stopped,
// plus a plain process for the bare Fastify floor.
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { AppRuntime, ServiceName, ServiceProcess, freePort } from '@mai/testing';
import { BENCH_ROOT } from './child';
import { progress } from './progress';

export interface PeakMemory {
  readonly process: string;
  readonly phase: string;
  readonly peakRssMb: number;
}

/** The kernel's high-water mark of the process's resident set, MB; undefined once it is gone. */
export function peakRssMb(pid: number | undefined): number | undefined {
  if (!pid) return undefined;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /^VmHWM:\s+(\d+)\s+kB/m.exec(status);
    return match ? Number(match[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

export class MemoryLedger {
  readonly entries: PeakMemory[] = [];

  note(processName: string, phase: string, pid: number | undefined): void {
    const mb = peakRssMb(pid);
    if (mb !== undefined) this.entries.push({ process: processName, phase, peakRssMb: mb });
  }

  /** The highest peak of each process over the run, and the phase it happened in. */
  peaks(): PeakMemory[] {
    const best = new Map<string, PeakMemory>();
    for (const entry of this.entries) if ((best.get(entry.process)?.peakRssMb ?? -1) < entry.peakRssMb) best.set(entry.process, entry);
    return [...best.values()];
  }
}

export async function startService(name: ServiceName, env: Record<string, string>): Promise<ServiceProcess> {
  const started = Date.now();
  const service = await ServiceProcess.start(name, env);
  progress(`${name} ready on ${service.url} (pid ${service.pid}, ${Date.now() - started} ms)`);
  return service;
}

let profileDirectory: string | undefined;

/** Environment that makes every service started with it sample its CPU; stopService collects the profile. */
export function profileServicesInto(directory: string): Record<string, string> {
  mkdirSync(directory, { recursive: true });
  profileDirectory = directory;
  return { NODE_OPTIONS: `--require ${join(BENCH_ROOT, 'bench', 'lib', 'cpu-profile-preload.js')}`, BENCH_CPU_PROFILE_DIR: directory };
}

async function collectProfile(pid: number): Promise<void> {
  if (!profileDirectory) return;
  const directory = profileDirectory;
  const mine = () => readdirSync(directory).filter((file) => file.includes(`-${pid}-`)).length;
  const before = mine();
  process.kill(pid, 'SIGUSR2');
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline && mine() === before) await new Promise((r) => setTimeout(r, 100));
  progress(`CPU profile of pid ${pid} written to ${directory}`);
}

/** Notes the service's peak memory (and collects its CPU profile when profiling), then stops it (SIGTERM; SIGKILL if it lingers). */
export async function stopService(service: ServiceProcess, phase: string, memory: MemoryLedger, label: string = service.name): Promise<void> {
  memory.note(label, phase, service.pid);
  if (service.pid) await collectProfile(service.pid).catch(() => undefined);
  const killer = setTimeout(() => void service.kill('SIGKILL'), 5_000);
  await service.stop();
  clearTimeout(killer);
}

/** A process of the benchmark's own that serves HTTP (the bare Fastify floor). */
export class PlainServer {
  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
  ) {}

  static async start(script: string, portVariable: string): Promise<PlainServer> {
    const port = await freePort();
    const child = spawn(process.execPath, ['-r', '@swc-node/register', join('bench', script)], {
      cwd: BENCH_ROOT,
      env: { PATH: process.env.PATH ?? '', [portVariable]: String(port) },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const server = new PlainServer(child, `http://127.0.0.1:${port}`);
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`${script} exited (${child.exitCode})`);
      try {
        if ((await fetch(`${server.url}/health/ready`)).ok) return server;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    child.kill('SIGKILL');
    throw new Error(`${script} did not start`);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGKILL');
    await exited;
  }
}

/**
 * What a service's peak RSS starts from, MB: a process that loads nothing but the runtime the services ran on —
 * bare `node` for the compiled build, `node -r @swc-node/register` from source (it holds the TypeScript compiler,
 * which it reads tsconfig with, and swc's native binding). What a service holds above the floor is its own.
 */
export function loaderFloorMb(runtime: AppRuntime): LoaderFloor {
  const script = "process.stdout.write(/VmHWM:\\s+(\\d+)/.exec(require('fs').readFileSync('/proc/self/status', 'utf8'))[1])";
  const measure = (args: string[]) => Number(execFileSync(process.execPath, [...args, '-e', script], { cwd: BENCH_ROOT, encoding: 'utf8' })) / 1024;
  const node = measure([]);
  const swcNodeRegister = measure(['-r', '@swc-node/register']);
  return { runtime, node, swcNodeRegister, floor: runtime === 'dist' ? node : swcNodeRegister };
}

export interface LoaderFloor {
  readonly runtime: AppRuntime;
  readonly node: number;
  readonly swcNodeRegister: number;
  /** The floor of the runtime the services ran on. */
  readonly floor: number;
}

/** CPU time (user + system) a process has used so far, ms; undefined once it is gone. */
export function cpuMs(pid: number | undefined): number | undefined {
  if (!pid) return undefined;
  try {
    // Fields after the command name (which may hold spaces, hence from the last ')'): utime and stime are the 12th and 13th.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ').pop()!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}

const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** CPU used by each named process between `start()` and `stop()`, ms. */
export function cpuMeter(processes: Record<string, number | undefined>): { stop(): Record<string, number> } {
  const before = Object.fromEntries(Object.entries(processes).map(([name, pid]) => [name, cpuMs(pid)]));
  return {
    stop: () =>
      Object.fromEntries(
        Object.entries(processes).flatMap(([name, pid]) => {
          const [start, end] = [before[name], cpuMs(pid)];
          return start === undefined || end === undefined ? [] : [[name, end - start]];
        }),
      ),
  };
}

/** The machine's busy CPU time so far (all cores; everything but idle and iowait), ms. */
export function machineBusyMs(): number {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const [user, nice, system, , , irq, softirq, steal] = fields;
  return ((user + nice + system + irq + softirq + (steal ?? 0)) * 1000) / CLOCK_TICKS;
}

export interface CpuShare {
  /** The window measured, ms of wall time. */
  readonly wallMs: number;
  /** CPU ms per process over the window; `machine` is every process on the machine, other tenants included. */
  readonly cpuMs: Record<string, number>;
}

/** Meters our processes and the whole machine from now until `stop()`. */
export function meterCpu(processes: Record<string, number | undefined>): { stop(extra?: Record<string, number>): CpuShare } {
  const started = Date.now();
  const machineAtStart = machineBusyMs();
  const meter = cpuMeter(processes);
  return {
    stop: (extra = {}) => ({ wallMs: Date.now() - started, cpuMs: { ...meter.stop(), ...extra, machine: machineBusyMs() - machineAtStart } }),
  };
}
