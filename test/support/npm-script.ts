import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const PACKAGE_JSON = join(__dirname, '..', '..', 'package.json');

/**
 * What `npm run <name>` hands Node, `node` left out (e.g. the preloads, then `scripts/docs/main.ts`),
 * so a test runs a command as npm does, without npm's own start-up. The commands' scripts are
 * plain words: no quotes, no shell operators.
 */
export function nodeArgvOf(name: string): string[] {
  const scripts = (JSON.parse(readFileSync(PACKAGE_JSON, 'utf8')) as { scripts: Record<string, string> }).scripts;
  const [node, ...argv] = scripts[name]!.split(' ');
  if (node !== 'node') throw new Error(`npm run ${name} does not run node: ${scripts[name]}`);
  return argv;
}
