// The operator CLI: `npm run cli -- <command> ...`.
import { orgCommand } from './commands/org';
import { catalogCommand, markupCommand } from './commands/pricing';
import { projectionCommand } from './commands/projection';
import { tokenCommand } from './commands/token';
import { Command, UsageError, createCliContext } from './cli-context';

const commands: Record<string, Command> = {
  org: orgCommand,
  token: tokenCommand,
  catalog: catalogCommand,
  markup: markupCommand,
  projection: projectionCommand,
};

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  const command = name ? commands[name] : undefined;
  if (!command) {
    process.stderr.write(`usage: npm run cli -- <${Object.keys(commands).join('|')}> ...\n`);
    return 2;
  }
  const context = createCliContext();
  try {
    await command(args, context);
    return 0;
  } catch (error) {
    process.stderr.write(`error: ${(error as Error).message}\n`);
    return error instanceof UsageError ? 2 : 1;
  } finally {
    await context.close();
  }
}

main(process.argv.slice(2)).then((code) => process.exit(code));
