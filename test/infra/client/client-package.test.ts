import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { nodeArgvOf } from '../../support/npm-script';

const ROOT = join(__dirname, '..', '..', '..');
/** TypeScript 7's compiler (package.json: typescript-native). */
const TSC = join(ROOT, 'node_modules', 'typescript-native', 'bin', 'tsc');
const PACKAGE = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  name: string;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
  peerDependenciesMeta: Record<string, unknown>;
  scripts: Record<string, string>;
};
/** The only packages the client imports itself; everything else it loads must be their dependencies. */
const CLIENT_PACKAGES = ['@aws-crypto/client-node', '@aws-sdk/client-dynamodb', '@aws-sdk/client-kms', '@aws-sdk/lib-dynamodb', '@aws-sdk/util-dynamodb', 'ulid'];
/** What `npm run build:client` hands Node: the command that builds what the package exports. */
const BUILD = nodeArgvOf('build:client');

let work: string;
let loaded: string[];
/** What the build wrote on its standard output. */
let buildOutput: string;

/** The package names a file path under node_modules belongs to. */
function packageOf(path: string): string | undefined {
  const match = /.*node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(path);
  return match?.[1];
}

/** Every package reachable from `roots` through package.json dependencies, as installed under node_modules. */
function dependencyClosure(roots: readonly string[]): Set<string> {
  const seen = new Set<string>();
  const visit = (name: string, from: string) => {
    let dir = from;
    let manifest: string | undefined;
    for (;;) {
      const candidate = join(dir, 'node_modules', name, 'package.json');
      if (existsSync(candidate)) {
        manifest = candidate;
        break;
      }
      if (dir === dirname(dir)) return;
      dir = dirname(dir);
    }
    if (seen.has(manifest)) return;
    seen.add(manifest);
    const { dependencies = {}, optionalDependencies = {} } = JSON.parse(readFileSync(manifest, 'utf8')) as Record<string, Record<string, string>>;
    for (const dependency of Object.keys({ ...dependencies, ...optionalDependencies })) visit(dependency, dirname(manifest));
  };
  for (const root of roots) visit(root, ROOT);
  return new Set([...seen].map((manifest) => packageOf(manifest)!));
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'client-package-'));
  // The package as an app installs it: its manifest, the build output, and its dependencies.
  const pkg = join(work, 'pkg');
  mkdirSync(pkg);
  writeFileSync(join(pkg, 'package.json'), readFileSync(join(ROOT, 'package.json')));
  symlinkSync(join(ROOT, 'node_modules'), join(pkg, 'node_modules'), 'dir');
  buildOutput = execFileSync(process.execPath, [...BUILD, '--out-dir', join(pkg, 'dist')], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  // An app that depends on it.
  const app = join(work, 'app');
  mkdirSync(join(app, 'node_modules'), { recursive: true });
  symlinkSync(pkg, join(app, 'node_modules', PACKAGE.name), 'dir');
  const script = `const client = require('${PACKAGE.name}/client');
if (typeof client.createDataClient !== 'function') throw new Error('no createDataClient');
process.stdout.write(JSON.stringify(Object.keys(require.cache)));`;
  loaded = JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: app, encoding: 'utf8' })) as string[];
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

test('the build writes nothing on standard output, which `npm pack --json` (prepack) keeps for its JSON', () => {
  expect(buildOutput).toBe('');
});

test('the app requires `<package>/client` and gets the built client through package.json exports', () => {
  expect(loaded).toContain(join(work, 'pkg', 'dist', 'client', 'index.js'));
});

test('loading the client loads no module of aws-cdk-lib, constructs or cdk-nag', () => {
  const packages = new Set(loaded.map(packageOf));
  for (const cdk of ['aws-cdk-lib', 'constructs', 'cdk-nag']) expect(packages).not.toContain(cdk);
});

test('loading the client without token crypto loads neither the Encryption SDK, the KMS client nor Shopify\'s packages', () => {
  const packages = [...new Set(loaded.map(packageOf))];
  expect(packages.filter((name) => name !== undefined && /^(@aws-crypto\/|@aws-sdk\/client-kms$|@shopify\/)/.test(name))).toEqual([]);
});

test('the Shopify entry resolves through package.json exports and needs only the peer dependencies it declares', () => {
  const script = `const shopify = require('${PACKAGE.name}/shopify');
if (typeof shopify.sealedSessionStorage !== 'function') throw new Error('no sealedSessionStorage');
process.stdout.write(JSON.stringify(Object.keys(require.cache)));`;
  const modules = JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: join(work, 'app'), encoding: 'utf8' })) as string[];
  const shopify = [...new Set(modules.map(packageOf).filter((name): name is string => name?.startsWith('@shopify/') ?? false))];
  const peers = dependencyClosure(Object.keys(PACKAGE.peerDependencies));
  expect(shopify.length).toBeGreaterThan(0);
  expect(shopify.filter((name) => !peers.has(name))).toEqual([]);
  for (const name of Object.keys(PACKAGE.peerDependencies)) expect(PACKAGE.peerDependenciesMeta[name]).toEqual({ optional: true });
});

test('every module the client loads is its own, or of the SDK packages and ulid it imports and their dependencies', () => {
  const allowed = dependencyClosure(CLIENT_PACKAGES);
  const firstParty = loaded.filter((path) => packageOf(path) === undefined).map((path) => relative(join(work, 'pkg', 'dist'), path));
  // One file of its own: the entry, with every first-party module bundled in.
  expect(firstParty).toEqual(['client/index.js']);
  const outside = [...new Set(loaded.map(packageOf).filter((name): name is string => name !== undefined && !allowed.has(name)))];
  expect(outside).toEqual([]);
  for (const name of CLIENT_PACKAGES) expect(PACKAGE.dependencies).toHaveProperty([name]);
});

test('an error the Shopify entry raises is an instance of the classes the client entry exports: one copy of each class', () => {
  const script = `const client = require('${PACKAGE.name}/client');
const shopify = require('${PACKAGE.name}/shopify');
try { shopify.sealedSessionStorage({}); } catch (error) {
  process.stdout.write(JSON.stringify([error.name, error instanceof client.InvalidInputError, error instanceof client.DataClientError]));
}`;
  expect(JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: join(work, 'app'), encoding: 'utf8' }))).toEqual(['InvalidInputError', true, true]);
});

test('an app that installs the package gets no CDK package: aws-cdk-lib, cdk-nag and constructs are devDependencies', () => {
  for (const cdk of ['aws-cdk-lib', 'cdk-nag', 'constructs']) {
    expect(PACKAGE.dependencies).not.toHaveProperty([cdk]);
    expect(PACKAGE.devDependencies).toHaveProperty([cdk]);
  }
});

test('installing the package runs no script, so it never needs a devDependency such as TypeScript; packing builds the client', () => {
  for (const hook of ['preinstall', 'install', 'postinstall', 'prepare']) expect(PACKAGE.scripts).not.toHaveProperty([hook]);
  expect(PACKAGE.scripts.prepack).toBe('npm run build:client');
});

test('a TypeScript app type-checks against the published declarations (exports "types")', () => {
  const app = join(work, 'app');
  writeFileSync(
    join(app, 'app.ts'),
    `import { createDataClient, tableNamesFromEnvironment, type Job } from '${PACKAGE.name}/client';
const data = createDataClient({ tables: tableNamesFromEnvironment({ SHOPS_TABLE: 'a', JOBS_TABLE: 'b', IMPORT_HISTORY_TABLE: 'c' }) });
export const status: Promise<Job['status'] | undefined> = data.jobs.get('x').then((job) => job?.status);
`,
  );
  writeFileSync(
    join(app, 'tsconfig.json'),
    JSON.stringify({ compilerOptions: { module: 'node16', moduleResolution: 'node16', strict: true, noEmit: true, skipLibCheck: true, types: [] }, files: ['app.ts'] }),
  );
  expect(() => execFileSync(process.execPath, [TSC, '-p', join(app, 'tsconfig.json')], { stdio: 'pipe' })).not.toThrow();
});

test('the lockfile holds one version of each AWS SDK, Smithy and Encryption SDK package, so the client and the CDK share one SDK', () => {
  const { packages } = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version?: string }> };
  const versions = new Map<string, Set<string>>();
  for (const [path, entry] of Object.entries(packages)) {
    const name = path.split('node_modules/').at(-1)!;
    if (!/^@(aws-sdk|smithy|aws-crypto)\//.test(name) || entry.version === undefined) continue;
    versions.set(name, new Set([...(versions.get(name) ?? []), entry.version]));
  }
  expect(versions.size).toBeGreaterThan(20);
  expect([...versions].filter(([, found]) => found.size > 1).map(([name, found]) => `${name}: ${[...found].join(', ')}`)).toEqual([]);
});
