// What every CLI command gets: validated config, a database ready to use, and a way to print results.
// Results go to stdout (the last line is the value scripts want); logs and progress go to stderr.
import { Pool } from 'pg';
import { ServiceConfig, readConfig } from '@mai/config';
import { createPool, ensureDatabase, migrate } from '@mai/persistence';

export class UsageError extends Error {}

export interface CliContext {
  readonly config: ServiceConfig;
  database(): Promise<Pool>;
  print(line: string): void;
  close(): Promise<void>;
}

export function createCliContext(): CliContext {
  const config = readConfig();
  let pool: Pool | undefined;
  return {
    config,
    async database() {
      if (!pool) {
        await ensureDatabase(config.databaseUrl);
        pool = createPool(config.databaseUrl, { application_name: 'mai-usage-cli', max: 4 });
        await migrate(pool);
      }
      return pool;
    },
    print: (line) => process.stdout.write(`${line}\n`),
    close: async () => {
      await pool?.end();
    },
  };
}

export type Command = (args: string[], context: CliContext) => Promise<void>;
