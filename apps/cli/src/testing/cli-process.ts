// The CLI as a real child process for integration tests (`node -r @swc-node/register apps/cli/src/main.ts`),
// so that a test can interrupt it or SIGKILL it halfway. Every process started here is killed by `killAll`.
import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { WORKSPACE_ROOT } from '@mai/testing';

export interface CliRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export class CliProcess {
  private static readonly running = new Set<CliProcess>();
  private stdoutText = '';
  private stderrText = '';
  private readonly exited: Promise<CliRun>;

  private constructor(private readonly child: ChildProcess) {
    child.stdout?.on('data', (chunk: Buffer) => (this.stdoutText += chunk.toString('utf8')));
    child.stderr?.on('data', (chunk: Buffer) => (this.stderrText += chunk.toString('utf8')));
    this.exited = new Promise((resolve) =>
      child.once('close', (code, signal) => {
        CliProcess.running.delete(this);
        resolve({ code, signal, stdout: this.stdoutText, stderr: this.stderrText });
      }),
    );
  }

  static start(env: Record<string, string>, args: string[]): CliProcess {
    const child = spawn(process.execPath, ['-r', '@swc-node/register', join('apps', 'cli', 'src', 'main.ts'), ...args], {
      cwd: WORKSPACE_ROOT,
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const cli = new CliProcess(child);
    CliProcess.running.add(cli);
    return cli;
  }

  get stdout(): string {
    return this.stdoutText;
  }

  get stderr(): string {
    return this.stderrText;
  }

  kill(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  /** The exit, or a SIGKILL and a failure after `timeoutMs`, so no test hangs on a stuck command. */
  async wait(timeoutMs = 90_000): Promise<CliRun> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        this.child.kill('SIGKILL');
        reject(new Error(`cli did not finish within ${timeoutMs} ms\nstdout: ${this.stdoutText}\nstderr: ${this.stderrText}`));
      }, timeoutMs);
    });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  static async killAll(): Promise<void> {
    await Promise.all(
      [...CliProcess.running].map((cli) => {
        cli.kill('SIGKILL');
        return cli.exited;
      }),
    );
  }
}

export function runCli(env: Record<string, string>, args: string[], timeoutMs?: number): Promise<CliRun> {
  return CliProcess.start(env, args).wait(timeoutMs);
}
