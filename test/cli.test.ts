import { App } from 'aws-cdk-lib';
import { addDataStacks } from '../infra/data-app';
import { ConfigError } from '../infra/stage-selection';

/** What `process.exit(code)` does in these tests: it stops the entry where the real exit would. */
class Exit extends Error {
  constructor(readonly code: number | string | null | undefined) {
    super(`process.exit(${String(code)})`);
  }
}

/**
 * Runs the CDK app entry as `cdk synth -c key=value` does, in this process: the context comes
 * through CDK_CONTEXT_JSON, and `preload` runs first in the same module registry (e.g. a module
 * that breaks the schema map in memory). Returns the exit code and every line written to stderr.
 */
function runApp(context: Record<string, string>, preload: string[] = []) {
  const stderr: string[] = [];
  jest.spyOn(console, 'error').mockImplementation((...args: unknown[]) => stderr.push(args.join(' ')));
  jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    stderr.push(String(chunk));
    return true;
  });
  jest.spyOn(process, 'exit').mockImplementation((code) => {
    throw new Exit(code);
  });
  process.env.CDK_CONTEXT_JSON = JSON.stringify(context);
  let status: Exit['code'] = 0;
  try {
    jest.isolateModules(() => {
      for (const module of preload) require(module);
      require('../infra/app');
    });
  } catch (error) {
    if (!(error instanceof Exit)) throw error;
    status = error.code;
  } finally {
    delete process.env.CDK_CONTEXT_JSON;
    jest.restoreAllMocks();
  }
  return { status, stderr };
}

test('an unknown stage stops synth with one line that lists the valid stages', () => {
  // The message; the test below runs the real entry, which prints each problem as one line and exits 1.
  expect(() => addDataStacks(new App(), { stages: ['qa'], nagReports: false })).toThrow(
    new ConfigError(['Unknown stage "qa"; valid stages: dev, staging, prod.']),
  );
});

test('an invalid schema map stops synth with one line per problem naming table and field, and no stack trace', () => {
  const { status, stderr } = runApp({ stage: 'qa' }, ['./support/break-schema-map']);
  expect(status).toBe(1);
  expect(stderr).toEqual([
    'Error: Jobs.indexes[1].partitionKey.type: "X" is not a key type (S, N, B)',
    'Error: ImportHistory.ttl.retentionDays: 0 is not a positive whole number of days',
    'Error: Unknown stage "qa"; valid stages: dev, staging, prod.',
  ]);
});
