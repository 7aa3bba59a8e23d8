import { App } from 'aws-cdk-lib';

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
