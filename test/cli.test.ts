import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { addDataStacks } from '../infra/data-app';
import { ConfigError } from '../infra/stage-selection';

/**
 * Runs the CDK app entry the way `cdk synth -c key=value` does, and returns its exit and output.
 * `preload` is a module loaded before the entry, e.g. one that breaks the schema map in memory.
 */
function runApp(context: Record<string, string>, preload: string[] = []) {
  const args = ['-r', 'ts-node/register/transpile-only', ...preload.flatMap((module) => ['-r', module]), 'infra/app.ts'];
  const result = spawnSync(process.execPath, args, {
    cwd: join(__dirname, '..'),
    encoding: 'utf8',
    // spawnSync blocks Jest's own timeout, so the child gets one: a hang fails instead of stalling the gate.
    timeout: 120_000,
    env: {
      ...process.env,
      CDK_CONTEXT_JSON: JSON.stringify(context),
      CDK_OUTDIR: mkdtempSync(join(tmpdir(), 'cdk-out-')),
    },
  });
  return { status: result.status, stderr: result.stderr.trim() };
}

test('an unknown stage stops synth with one line that lists the valid stages', () => {
  // The message; the test below runs the real entry, which prints each problem as one line and exits 1.
  expect(() => addDataStacks(new App(), { stages: ['qa'], nagReports: false })).toThrow(
    new ConfigError(['Unknown stage "qa"; valid stages: dev, staging, prod.']),
  );
});

test('an invalid schema map stops synth with one line per problem naming table and field, and no stack trace', () => {
  const { status, stderr } = runApp({ stage: 'qa' }, ['./test/support/break-schema-map.ts']);
  expect(status).toBe(1);
  expect(stderr.split('\n')).toEqual([
    'Error: Jobs.indexes[1].partitionKey.type: "X" is not a key type (S, N, B)',
    'Error: ImportHistory.ttl.retentionDays: 0 is not a positive whole number of days',
    'Error: Unknown stage "qa"; valid stages: dev, staging, prod.',
  ]);
});
