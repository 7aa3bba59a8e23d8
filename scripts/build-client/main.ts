import { join, relative, resolve } from 'node:path';
import { ConfigError } from '../../infra/data/config-error';
import { parseOptions, runCli } from '../shared/cli';
import { buildClientPackage, CLIENT_ENTRIES } from '../shared/client-build';

const ROOT = join(import.meta.dirname, '..', '..');

const USAGE = `Usage: npm run build:client -- [--out-dir <dir>]

Builds what package.json exports: TypeScript 7 checks the client (tsconfig.client.json) and
writes its declarations, and esbuild makes each entry (${Object.keys(CLIENT_ENTRIES).join(', ')})
one CommonJS file, so an app's cold start reads one file of ours instead of some fifty. The
./shopify entry takes the client's classes from the ./client entry: an error of either is an
instance of the classes both export. Empties the folder first (only an earlier build or an empty
folder) and prints one line, on standard error: npm pack --json, which runs this build, keeps
its standard output for its JSON.

  --out-dir <dir>  where to build, in a folder that exists (default dist, what package.json exports)`;

/** `npm run build:client`: resolves to the exit code. */
export async function main(argv: string[], print: (line: string) => void = console.error): Promise<number> {
  const options = parseOptions(argv, { 'out-dir': { type: 'string' } }, { usage: USAGE });
  const outDir = resolve(options['out-dir'] ?? join(ROOT, 'dist'));
  // The folder is removed first: never the checkout or a folder holding it.
  if (!relative(outDir, ROOT).startsWith('..')) {
    throw new ConfigError([`--out-dir must not hold the repository, and ${outDir} does: the build removes it first.`]);
  }
  const bundled = await buildClientPackage(outDir);
  print(`Built ${Object.keys(CLIENT_ENTRIES).join(' and ')} in ${shown(outDir)} (${bundled} modules of the client in them; declarations beside).`);
  return 0;
}

/** A folder as the user would type it: relative within the working folder, absolute outside it. */
function shown(dir: string): string {
  const path = relative(process.cwd(), dir);
  return path === '' ? '.' : path.startsWith('..') ? dir : path;
}

if (import.meta.main) runCli(main);
