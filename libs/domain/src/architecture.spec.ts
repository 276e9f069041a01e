// The domain library stays pure: no framework, database or messaging imports (STYLE.md, "What we take" 1).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const FORBIDDEN = [/^@nestjs\//, /^pg$/, /^nats$/, /^fastify/, /^@mai\/(?!domain)/, /^class-validator$/, /^prom-client$/, /^pino/];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sourceFiles(join(dir, entry.name)) : entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') ? [join(dir, entry.name)] : [],
  );
}

describe('libs/domain', () => {
  it.each(sourceFiles(__dirname).map((file) => [file.slice(__dirname.length + 1), file]))('%s imports no framework, database or messaging code', (_name, file) => {
    const imports = [...readFileSync(file, 'utf8').matchAll(/from '([^']+)'/g)].map((match) => match[1]);
    expect(imports.filter((name) => FORBIDDEN.some((pattern) => pattern.test(name)))).toEqual([]);
  });
});
