import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { DECISIONS_DIR } from '../../scripts/docs/decision-index';

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
