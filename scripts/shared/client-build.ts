import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { build, type BuildOptions, type Plugin } from 'esbuild';
import { ConfigError } from '../../infra/data/config-error';
import { fileError } from './files';

const ROOT = join(import.meta.dirname, '..', '..');
/** TypeScript 7's compiler (package.json: typescript-native). */
const TSC = join(ROOT, 'node_modules', 'typescript-native', 'bin', 'tsc');
const CLIENT_SOURCE = join(ROOT, 'infra', 'client');
const SHOPIFY_SOURCE = join(CLIENT_SOURCE, 'shopify');

/** The files package.json exports, relative to the build folder, and the source of each. */
export const CLIENT_ENTRIES = { 'client/index.js': join(CLIENT_SOURCE, 'index.ts'), 'client/shopify/index.js': join(SHOPIFY_SOURCE, 'index.ts') } as const;

/**
 * Modules of the client the ./shopify entry carries a copy of: functions without state or classes
 * of their own. Anything else of the client it takes from the ./client entry, so there is one
 * `DataClientError`, one `Secret`, one token store per process, whichever entry made them.
 */
const COPIED = ['core/validate'];

/**
 * Builds the package's client into `outDir`, emptied first (only an earlier build, or an empty
 * folder): tsc (tsconfig.client.json) type-checks the client and writes its declarations, and
 * esbuild makes each entry one CommonJS file, its first-party modules in one scope and packages
 * left to Node (the Encryption SDK stays a `require` on first use). Resolves to the number of
 * first-party modules in the entries.
 */
export async function buildClientPackage(outDir: string): Promise<number> {
  // A mistyped folder is never emptied.
  if (!isBuildOrEmpty(outDir)) throw new ConfigError([`The build folder ${outDir} holds files that are not a client build, or is no folder; give a new or empty folder.`]);
  try {
    rmSync(outDir, { recursive: true, force: true });
    // Its parent must exist: Node's recursive mkdir never returns on some paths (/proc/nope/dist).
    mkdirSync(outDir);
  } catch (error) {
    throw fileError('make the build folder (in a folder that exists)', outDir, error);
  }
  try {
    execFileSync(process.execPath, [TSC, '-p', join(ROOT, 'tsconfig.client.json'), '--emitDeclarationOnly', '--outDir', outDir], { stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: Buffer; stderr?: Buffer };
    throw new ConfigError([`The client does not compile (tsc -p tsconfig.client.json): ${`${stdout}${stderr}`.trim().split('\n')[0]}`]);
  }
  const modules = new Set<string>();
  for (const [entry, source] of Object.entries(CLIENT_ENTRIES)) {
    const plugins = source.startsWith(SHOPIFY_SOURCE + sep) ? [throughClientEntry()] : [];
    const { metafile } = await build({ ...BUNDLE, entryPoints: [source], outfile: join(outDir, entry), plugins }).catch((error: unknown) => {
      const [first] = (error as { errors?: { text: string; location?: { file: string; line: number } | null }[] }).errors ?? [];
      const where = first?.location ? ` (${first.location.file}:${first.location.line})` : '';
      throw new ConfigError([`esbuild could not bundle ${entry}: ${first?.text ?? (error instanceof Error ? error.message : String(error)).split('\n')[0]}${where}`]);
    });
    for (const input of Object.keys(metafile.inputs)) modules.add(input);
  }
  return modules.size;
}

/** True when `dir` is absent, an empty folder, or an earlier build (it has the client's declarations). */
function isBuildOrEmpty(dir: string): boolean {
  if (!existsSync(dir)) return true;
  try {
    return readdirSync(dir).length === 0 || existsSync(join(dir, 'client', 'index.d.ts'));
  } catch {
    return false;
  }
}

const BUNDLE = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  packages: 'external',
  // Target, class-field semantics and module interop as the type-check has them.
  tsconfig: join(ROOT, 'tsconfig.client.json'),
  absWorkingDir: ROOT,
  logLevel: 'silent',
  legalComments: 'none',
  metafile: true,
} as const satisfies BuildOptions;

/** Sends the ./shopify entry's imports of the rest of the client (all but {@link COPIED}) to the ./client entry. */
function throughClientEntry(): Plugin {
  return {
    name: 'through-client-entry',
    setup(plugin) {
      plugin.onResolve({ filter: /^\.\.?\// }, ({ path, resolveDir }) => {
        const target = resolve(resolveDir, path);
        if (target.startsWith(SHOPIFY_SOURCE + sep) || !target.startsWith(CLIENT_SOURCE + sep)) return undefined;
        const module = relative(CLIENT_SOURCE, target).split(sep).join('/').replace(/\.ts$/, '');
        // '../index.js': the ./shopify entry's file sits in a folder of the ./client entry's.
        return COPIED.includes(module) ? undefined : { path: '../index.js', external: true };
      });
    },
  };
}
