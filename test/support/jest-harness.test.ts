import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListTablesCommand, ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { App } from 'aws-cdk-lib';
import { DECISIONS_DIR } from '../../scripts/docs/decision-index';
import { createClients } from '../../scripts/shared/clients';
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
  afterEach(() => delete process.env[ENV]);
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

  test('a file that mocks a module or reads import.meta, or one the gate did not compile, goes through ts-jest', () => {
    process.env[ENV] = folder;
    expect(transform("jest.mock('ulid');\nimport { ulid } from 'ulid';\nexport const id = ulid();\n").code).toMatch(/^"use strict";[\s\S]*jest\.mock\('ulid'\);[\s\S]*require\("ulid"\)/);
    expect(transform('export const here = import.meta.dirname;\n').code).toContain('exports.here = __dirname;');
    expect(transform('export const other = 1;\n', join(ROOT, 'infra', 'other.ts')).code).toContain('exports.other = 1;');
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
