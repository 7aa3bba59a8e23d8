import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Runs the CDK app entry the way `cdk synth -c key=value` does, and returns its exit and output. */
function runApp(context: Record<string, string>) {
  const result = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', 'infra/app.ts'], {
    cwd: join(__dirname, '..'),
    encoding: 'utf8',
    env: {
      ...process.env,
      CDK_CONTEXT_JSON: JSON.stringify(context),
      CDK_OUTDIR: mkdtempSync(join(tmpdir(), 'cdk-out-')),
    },
  });
  return { status: result.status, stderr: result.stderr.trim() };
}

test('an unknown stage stops synth with one line that lists the valid stages', () => {
  const { status, stderr } = runApp({ stage: 'qa' });
  expect(status).toBe(1);
  expect(stderr).toBe('Error: Unknown stage "qa"; valid stages: dev, staging, prod.');
});
