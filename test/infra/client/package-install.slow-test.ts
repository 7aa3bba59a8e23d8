/**
 * `npm run test:package` (a step of .ci/run, not of the gate: a pack with the client's build, an
 * install and Jest's shared synth take 20-40 s). Packs this repository as the release workflow does, installs the tarball
 * into an empty app from the npm cache that `npm ci` filled (no network), and checks what the app
 * gets.
 */
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { tableEnvironmentVariable } from '../../../infra/client';
import { TABLE_SCHEMAS } from '../../../infra/data/schemas';
import { LOCAL_CREDENTIALS } from '../../../scripts/shared/clients';
import { startLocalTables, type LocalTables } from '../../support/local-tables';

const ROOT = join(__dirname, '..', '..', '..');
const PACKAGE = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  license: string;
  dependencies: Record<string, string>;
};
const CDK_PACKAGES = ['aws-cdk-lib', 'cdk-nag', 'constructs'];
const MAX_INSTALL_BYTES = 50 * 1024 * 1024;

interface LockEntry {
  readonly dev?: boolean;
  readonly devOptional?: boolean;
  readonly link?: boolean;
}

let work: string;
let app: string;
let tarball: string;
let local: LocalTables;

/**
 * The app's lockfile: the tarball, and the runtime entries of this repository's lockfile. An app
 * resolving the version ranges afresh needs the registry; pinning what this repository tested lets
 * `npm ci --offline` install from the cache alone.
 */
function scratchLockfile(spec: string): unknown {
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };
  const runtime = Object.entries(lock.packages).filter(([path, entry]) => path !== '' && !entry.dev && !entry.devOptional && !entry.link);
  const self = { version: PACKAGE.version, resolved: spec, license: PACKAGE.license, dependencies: PACKAGE.dependencies };
  return {
    name: 'scratch-app',
    lockfileVersion: 3,
    requires: true,
    packages: { '': { name: 'scratch-app', dependencies: { [PACKAGE.name]: spec } }, [`node_modules/${PACKAGE.name}`]: self, ...Object.fromEntries(runtime) },
  };
}

/** Disk space under `dir` as `du` counts it (allocated blocks of files, links and folders), links not followed. */
function diskUsage(dir: string): number {
  let total = lstatSync(dir).blocks * 512;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    total += entry.isDirectory() ? diskUsage(path) : lstatSync(path).blocks * 512;
  }
  return total;
}

/** Every installed package name under `node_modules`, nested ones included. */
function installedPackages(modules: string): string[] {
  const names: string[] = [];
  const visit = (dir: string) => {
    if (!existsSync(dir)) return;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
      const scoped = entry.name.startsWith('@') ? readdirSync(join(dir, entry.name)).map((name) => `${entry.name}/${name}`) : [entry.name];
      for (const name of scoped) {
        names.push(name);
        visit(join(dir, name, 'node_modules'));
      }
    }
  };
  visit(modules);
  return names;
}

function npm(args: string[], cwd: string): string {
  try {
    return execFileSync('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], { cwd, encoding: 'utf8', stdio: 'pipe' });
  } catch (error) {
    const { stderr } = error as { stderr?: string };
    throw new Error(`npm ${args.join(' ')} failed in ${cwd} (run npm ci first: the install reads its cache): ${stderr ?? String(error)}`);
  }
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'package-install-'));
  // `npm pack` runs `prepack` (the client build), as the release workflow's pack does.
  const [packed] = JSON.parse(npm(['pack', '--json', '--pack-destination', work], ROOT)) as { filename: string }[];
  tarball = join(work, packed!.filename);
  app = join(work, 'app');
  mkdirSync(app);
  const spec = `file:../${packed!.filename}`;
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'scratch-app', private: true, dependencies: { [PACKAGE.name]: spec } }));
  writeFileSync(join(app, 'package-lock.json'), JSON.stringify(scratchLockfile(spec)));
  npm(['ci', '--offline'], app);
  local = await startLocalTables();
});

afterAll(async () => {
  await local?.close();
  rmSync(work, { recursive: true, force: true });
});

test('the packed tarball holds the prebuilt client and its manifest, no TypeScript source or test', () => {
  const files = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).trim().split('\n').sort();
  expect(files).toContain('package/dist/client/index.js');
  expect(files).toContain('package/dist/client/index.d.ts');
  // The docs ship whole: their pages, the Shopify example they link to, and the generated policies.
  expect(files.filter((file) => !/^package\/(dist\/.*\.(c?js|d\.c?ts)|docs\/([\w-]+\/)?[\w.-]+\.(md|ts|json)|package\.json|README\.md)$/.test(file))).toEqual([]);
});

/** The headings' anchors of a Markdown file, as GitHub makes them (code blocks left out). */
function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  let fence: string | undefined;
  for (const line of markdown.split('\n')) {
    const marker = /^(`{3,}|~{3,})/.exec(line)?.[1];
    if (marker && (fence === undefined || marker.startsWith(fence))) fence = fence === undefined ? marker : undefined;
    const heading = fence === undefined ? /^#{1,6} (.*?)#*\s*$/.exec(line)?.[1] : undefined;
    if (heading === undefined) continue;
    const slug = heading.trim().toLowerCase().replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '').replace(/ /g, '-');
    let anchor = slug;
    for (let n = 1; anchors.has(anchor); n += 1) anchor = `${slug}-${n}`;
    anchors.add(anchor);
  }
  return anchors;
}

test('every link of the packed README and docs leads to a file and heading the app has in node_modules', () => {
  const installed = join(app, 'node_modules', PACKAGE.name);
  const markdownFiles = ['README.md', ...readdirSync(join(installed, 'docs'), { recursive: true, encoding: 'utf8' }).filter((name) => name.endsWith('.md')).map((name) => `docs/${name}`)];
  expect(markdownFiles).toEqual(expect.arrayContaining(['README.md', 'docs/client.md']));
  const dead: string[] = [];
  let links = 0;
  for (const file of markdownFiles) {
    // Links outside code: a fenced block or inline code is not a link.
    const text = readFileSync(join(installed, file), 'utf8').replace(/^(`{3,}|~{3,})[^\n]*\n[\s\S]*?\n\1\s*$/gm, '').replace(/`[^`\n]*`/g, '');
    for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/i.test(target!)) continue;
      links += 1;
      const [path, anchor] = target!.split('#');
      const resolved = path ? join(dirname(join(installed, file)), path) : join(installed, file);
      if (!existsSync(resolved)) dead.push(`${file}: ${target} (no such file)`);
      else if (anchor !== undefined && !anchorsOf(readFileSync(resolved, 'utf8')).has(anchor)) dead.push(`${file}: ${target} (no such heading)`);
    }
  }
  expect(links).toBeGreaterThan(20);
  expect(dead).toEqual([]);
});

test('the tarball npm pack writes into a checkout is ignored by git, so it is never committed by mistake', () => {
  const written = basename(tarball);
  expect(written).toBe(`${PACKAGE.name}-${PACKAGE.version}.tgz`);
  expect(execFileSync('git', ['check-ignore', '--no-index', written], { cwd: ROOT, encoding: 'utf8' }).trim()).toBe(written);
});

test(`the app's node_modules takes under ${MAX_INSTALL_BYTES / 1024 / 1024} MB of disk`, () => {
  expect(diskUsage(join(app, 'node_modules'))).toBeLessThan(MAX_INSTALL_BYTES);
});

test('the app gets no aws-cdk-lib, cdk-nag or constructs, at any depth', () => {
  const installed = installedPackages(join(app, 'node_modules'));
  expect(installed).toContain(PACKAGE.name);
  expect(installed.filter((name) => CDK_PACKAGES.includes(name))).toEqual([]);
});

test('the installed client loads from the app and creates, claims and reads a job on the local engine', async () => {
  const script = `const { createDataClient, tableNamesFromEnvironment } = require('${PACKAGE.name}/client');
const data = createDataClient({ tables: tableNamesFromEnvironment() });
(async () => {
  const job = await data.jobs.create({ shopDomain: 'scratch.myshopify.com', type: 'import', mode: 'upsert', isDryRun: false, totalProducts: 3 });
  await data.jobs.claim(job.jobId);
  const read = await data.jobs.get(job.jobId);
  process.stdout.write(JSON.stringify({ from: require.resolve('${PACKAGE.name}/client'), jobId: job.jobId, status: read && read.status }));
})().catch((error) => { console.error(error); process.exit(1); });`;
  const env = {
    PATH: process.env.PATH,
    AWS_ENDPOINT_URL_DYNAMODB: local.engine.endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    ...Object.fromEntries(TABLE_SCHEMAS.map(({ name }) => [tableEnvironmentVariable(name), local.tables[name]])),
  };
  // Asynchronously: the engine runs in this process and must answer while the app runs.
  const { stdout } = await promisify(execFile)(process.execPath, ['-e', script], { cwd: app, env, encoding: 'utf8' });
  const printed = JSON.parse(stdout) as { from: string; jobId: string; status: string };
  expect(printed.from).toBe(join(app, 'node_modules', PACKAGE.name, 'dist', 'client', 'index.js'));
  expect(printed.status).toBe('RUNNING');
  await expect(local.doc.send(new GetCommand({ TableName: local.tables.Jobs, Key: { jobId: printed.jobId } }))).resolves.toMatchObject({
    Item: { status: 'RUNNING', shopDomain: 'scratch.myshopify.com' },
  });
});
