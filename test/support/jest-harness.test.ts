import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListTablesCommand, ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { App } from 'aws-cdk-lib';
import { DECISIONS_DIR } from '../../scripts/docs/decision-index';
import { createClients } from '../../scripts/shared/clients';
import { CDK_OUT_ENV, TEST_TMP_ENV, cdkOutDir } from './cdk-out';
import { GATE_CDK_OUT_ENV, awaitAssembly, failedMarker } from './gate-assembly';
import { startLocalTables } from './local-tables';

// What the test environment and resolver in test/support promise every suite.

test('a test file gets aws-cdk-lib, constructs and cdk-nag from its worker, not a copy of its own', () => {
  const first = [require('aws-cdk-lib'), require('constructs'), require('cdk-nag')];
  let again: unknown[] = [];
  jest.isolateModules(() => {
    again = [require('aws-cdk-lib'), require('constructs'), require('cdk-nag')];
  });
  expect(again).toHaveLength(3);
  again.forEach((module, i) => expect(module).toBe(first[i]));
  // Any other package is a copy per module registry, as Jest makes it.
  let ulid: unknown;
  jest.isolateModules(() => (ulid = require('ulid')));
  expect(ulid).not.toBe(require('ulid'));
});

test('aws-cdk-lib reads the environment the test sets', () => {
  process.env.CDK_CONTEXT_JSON = JSON.stringify({ 'jest-harness': 'seen' });
  try {
    expect(new App().node.tryGetContext('jest-harness')).toBe('seen');
  } finally {
    delete process.env.CDK_CONTEXT_JSON;
  }
});

test("Jest gives a worker's process longer to end than a loaded machine takes to release its memory", () => {
  // Measured: up to 0.56 s from a worker's exit to its process's end; Jest's default, 0.5 s, killed
  // workers that had left nothing open and printed its open-handle warning at the end of the gate.
  const { workerGracefulExitTimeout } = require('../../jest.config').default as { workerGracefulExitTimeout?: number };
  expect(workerGracefulExitTimeout).toBeGreaterThanOrEqual(5_000);
});

test('modules that read import.meta.dirname and .main run in Jest as CommonJS, with their own folder, and not as the entry (import-meta-transformer.cjs)', async () => {
  expect(DECISIONS_DIR).toBe(join(__dirname, '..', '..', 'docs', 'decisions'));
  // Run as the entry, the command would find no --input and set exit code 2 once its promise settles.
  const { main } = require('../../scripts/diff-summary/main') as typeof import('../../scripts/diff-summary/main');
  await new Promise((resolve) => setImmediate(resolve));
  expect(typeof main).toBe('function');
  expect(process.exitCode).toBeUndefined();
});

describe('the gate compiles Jest\'s modules in one pass (compiled-transform.cjs)', () => {
  const ROOT = join(__dirname, '..', '..');
  const transformer = require('./compiled-transform.cjs') as { createTransformer(options: object): { process(source: string, path: string, options: object): { code: string }; getCacheKey(source: string, path: string, options: object): string } };
  const { COMPILED_ENV } = require('./compiled-transform.cjs') as { COMPILED_ENV?: string };
  const ENV = 'INAVOR_TEST_COMPILED';
  let folder: string;
  const module = join(ROOT, 'infra', 'client', 'core', 'ttl.ts');
  const transform = (source: string, path = module) => {
    const options = { config: { rootDir: ROOT, cwd: ROOT }, cacheFS: new Map(), configString: '{}', transformerConfig: {}, supportsDynamicImport: false, supportsExportNamespaceFrom: false, supportsStaticESM: false, supportsTopLevelAwait: false, instrument: false };
    const [, tsJestOptions] = (require('../../jest.config').default as { transform: Record<string, [string, object]> }).transform['^.+\\.ts$']!;
    const compiler = transformer.createTransformer(tsJestOptions);
    return { code: compiler.process(source, path, options).code, key: compiler.getCacheKey(source, path, options) };
  };

  beforeAll(() => {
    folder = mkdtempSync(join(tmpdir(), 'compiled-'));
    mkdirSync(join(folder, 'infra', 'client', 'core'), { recursive: true });
    writeFileSync(join(folder, 'infra', 'client', 'core', 'ttl.js'), '"use strict"; exports.fromTheGate = true;\n');
  });
  const writeCompiled = (name: string, js: string) => writeFileSync(join(folder, 'infra', `${name}.js`), js);
  // The worker's own environment (host-module-environment.ts): its later files must still find the gate's folder.
  const gateFolder = process.env[ENV];
  afterEach(() => {
    if (gateFolder === undefined) delete process.env[ENV];
    else process.env[ENV] = gateFolder;
  });
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  test('the gate and the transformer name one variable, which only the transformer reads', () => {
    expect(COMPILED_ENV).toBeUndefined();
    expect(readFileSync(join(ROOT, 'scripts', 'test-gate', 'compile.mts'), 'utf8')).toContain(`export const COMPILED_ENV = '${ENV}';`);
    expect(readFileSync(join(__dirname, 'compiled-transform.cjs'), 'utf8')).toContain(`const COMPILED_ENV = '${ENV}';`);
  });

  test('a module the gate compiled is taken as it compiled it, under a cache key of its own', () => {
    const source = readFileSync(module, 'utf8');
    const own = transform(source);
    process.env[ENV] = folder;
    const gate = transform(source);
    expect(gate.code).toBe('"use strict"; exports.fromTheGate = true;\n');
    expect(own.code).toContain('exports.epochSeconds');
    expect(gate.key).not.toBe(own.key);
  });

  test('a compiled module that reads import.meta gets its CommonJS forms, in place, and a string or comment naming one is left as it is', () => {
    process.env[ENV] = folder;
    writeCompiled('meta', 'exports.here = import.meta.dirname, exports.file = import.meta.filename;\nif (import.meta.main) run(); // import.meta.main\nexports.text = "import.meta.dirname";\nexports.url = import.meta.url;\n');
    expect(transform('', join(ROOT, 'infra', 'meta.ts')).code).toBe(
      'exports.here = __dirname          , exports.file = __filename          ;\nif ((require.main === module)) run(); // import.meta.main\nexports.text = "import.meta.dirname";\nexports.url = import.meta.url;\n',
    );
  });

  test('a compiled module that mocks a module, one that does not parse, or one the gate did not compile, goes through ts-jest', () => {
    process.env[ENV] = folder;
    writeCompiled('mocks', 'jest.mock("ulid");\nconst ulid_1 = require("ulid");\n');
    expect(transform("jest.mock('ulid');\nimport { ulid } from 'ulid';\nexport const id = ulid();\n", join(ROOT, 'infra', 'mocks.ts')).code).toMatch(/^"use strict";[\s\S]*jest\.mock\('ulid'\);[\s\S]*require\("ulid"\)/);
    writeCompiled('broken', 'exports.here = import.meta.dirname +;\n');
    expect(transform('export const here = import.meta.dirname;\n', join(ROOT, 'infra', 'broken.ts')).code).toContain('exports.here = __dirname;');
    expect(transform('export const other = 1;\n', join(ROOT, 'infra', 'other.ts')).code).toContain('exports.other = 1;');
    // A call's name in a string is not a call.
    writeCompiled('names-mock', 'exports.example = "jest.mock(\'ulid\')";\n');
    expect(transform('', join(ROOT, 'infra', 'names-mock.ts')).code).toBe('exports.example = "jest.mock(\'ulid\')";\n');
  });

  test('a process whose modules the gate compiled never loads ts-jest', () => {
    writeCompiled('meta-only', 'exports.here = import.meta.dirname;\n');
    const script = `const t = require(${JSON.stringify(join(__dirname, 'compiled-transform.cjs'))}).createTransformer({});
      const options = { config: { rootDir: ${JSON.stringify(ROOT)} } };
      for (const name of ['meta-only', 'meta-only']) t.process('', ${JSON.stringify(join(ROOT, 'infra'))} + '/' + name + '.ts', options);
      process.stdout.write(String(Object.keys(require.cache).some((path) => /[\\/]node_modules[\\/](ts-jest|typescript)[\\/]/.test(path))));`;
    const loaded = (env: NodeJS.ProcessEnv) => execFileSync(process.execPath, ['-e', script], { env: { ...process.env, ...env }, encoding: 'utf8' });
    expect(loaded({ [ENV]: folder })).toBe('false');
    // Without the gate's folder, the same file is ts-jest's.
    expect(loaded({ [ENV]: '' })).toBe('true');
  });
});

test('the suites\' local tables answer in process, without a socket, and their endpoint still answers over HTTP (in-process-requests.ts)', async () => {
  const local = await startLocalTables();
  try {
    // The server emits each request it reads from a socket; the suites' requests never reach it that way.
    let overHttp = 0;
    local.engine.server!.on('request', () => (overHttp += 1));
    await local.doc.send(new PutCommand({ TableName: local.tables.Shops, Item: { domain: 'harness.myshopify.com', name: 'Ünïcode ✓' } }));
    const { Item } = await local.doc.send(new GetCommand({ TableName: local.tables.Shops, Key: { domain: 'harness.myshopify.com' }, ConsistentRead: true }));
    expect(Item).toEqual({ domain: 'harness.myshopify.com', name: 'Ünïcode ✓' });
    await expect(local.doc.send(new GetCommand({ TableName: 'Missing-dev', Key: { domain: 'x' } }))).rejects.toThrow(ResourceNotFoundException);
    expect(overHttp).toBe(0);
    const { client } = createClients({ region: 'us-east-1', endpoint: local.engine.endpoint, local: true });
    try {
      expect((await client.send(new ListTablesCommand({}))).TableNames).toContain(local.tables.Shops);
    } finally {
      client.destroy();
    }
    expect(overHttp).toBe(1);
  } finally {
    await local.close();
  }
});

describe('the gate synthesizes the app beside Jest\'s start and the first suites (gate-assembly.ts)', () => {
  let folder: string;
  beforeEach(() => (folder = mkdtempSync(join(tmpdir(), 'assembly-'))));
  afterEach(() => rmSync(folder, { recursive: true, force: true }));

  test('the suites read the assembly the gate made, or, run without it, the global setup\'s own', () => {
    const fromGate = process.env[GATE_CDK_OUT_ENV];
    expect(cdkOutDir()).toBe(fromGate || join(process.env[TEST_TMP_ENV]!, 'cdk.out'));
    expect(process.env[CDK_OUT_ENV]).toBe(cdkOutDir());
  });

  test('the gate and the global setup name one variable', () => {
    expect(readFileSync(join(__dirname, '..', '..', 'scripts', 'test-gate', 'main.mts'), 'utf8')).toContain(`const CDK_OUT_ENV = '${GATE_CDK_OUT_ENV}';`);
  });

  test('a suite waits for the assembly to appear, and is told when its synthesis failed or never ends', async () => {
    const outdir = join(folder, 'cdk.out');
    // Made by another process, as the gate's synthesis is: this one is blocked while it waits.
    const made = execFile(process.execPath, ['-e', `setTimeout(() => require('node:fs').mkdirSync(${JSON.stringify(outdir)}), 100)`]);
    expect(awaitAssembly(outdir)).toBe(outdir);
    await new Promise((resolve) => made.on('exit', resolve));
    const failed = join(folder, 'failed.out');
    writeFileSync(failedMarker(failed), 'Error: no app');
    expect(() => awaitAssembly(failed)).toThrow("The app's synthesis for the suites failed (npm test prints its output at the end): Error: no app");
    const started = Date.now();
    expect(() => awaitAssembly(join(folder, 'never.out'), 100)).toThrow(`did not finish within 0.1 s: ${join(folder, 'never.out')} never appeared.`);
    expect(Date.now() - started).toBeGreaterThanOrEqual(100);
  });

  test('a worker left waiting by a stopped run stops waiting at once, not after two minutes', async () => {
    // The waiting process's parent (a shell here, Jest's process in a run) ends once it has begun to wait.
    const result = join(folder, 'result.txt');
    const started = join(folder, 'started');
    const ROOT = join(__dirname, '..', '..');
    const waiter = [
      `import { writeFileSync } from 'node:fs';`,
      `import { awaitAssembly } from ${JSON.stringify(join(__dirname, 'gate-assembly.ts'))};`,
      `writeFileSync(${JSON.stringify(started)}, '');`,
      `try { awaitAssembly(${JSON.stringify(join(folder, 'never.out'))}); } catch (error) { writeFileSync(${JSON.stringify(result)}, error.message); }`,
    ].join('\n');
    const node = [process.execPath, '-r', join(ROOT, 'scripts', 'typescript-imports.cjs'), '--input-type=module', '-e', waiter].map((part) => `'${part.replace(/'/g, "'\\''")}'`).join(' ');
    // The shell gives up on the waiter after 20 s, like the test below.
    execFileSync('sh', ['-c', `${node} </dev/null >/dev/null 2>&1 & i=0; while [ ! -e '${started}' ] && [ $i -lt 1000 ]; do sleep 0.02; i=$((i + 1)); done`]);
    const since = Date.now();
    while (!existsSync(result) && Date.now() - since < 20_000) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(readFileSync(result, 'utf8')).toBe(`The run stopped while this process waited for the app's synthesis (${join(folder, 'never.out')}).`);
  });
});
