import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CDK_OUT_ENV, TEST_TMP_ENV } from './cdk-out';
import { GATE_CDK_OUT_ENV } from './gate-assembly';

/**
 * Gives the run one temporary folder, the `TMPDIR` of every worker and child process (an `App`
 * without an outdir, a scratch folder, a spawned CLI), so the teardown leaves nothing behind.
 * Then names the real app's assembly, synthesized once (synth-app.ts): under `npm test` the one
 * the gate is making while the first suites run (a suite that reads it waits for it, cdk-out.ts);
 * run without the gate, its own.
 */
export default async function globalSetup(): Promise<void> {
  const fromGate = process.env[GATE_CDK_OUT_ENV];
  // `npx jest <file>` still gets the Prisma client the Shopify suites load; the gate made it before it started.
  if (!fromGate) execFileSync(process.execPath, [join(__dirname, '..', '..', 'scripts', 'test-gate', 'prisma-client.mts')], { stdio: 'inherit' });
  const root = mkdtempSync(join(tmpdir(), 'inavor-test-'));
  process.env[TEST_TMP_ENV] = root;
  process.env.TMPDIR = root;
  if (fromGate) {
    process.env[CDK_OUT_ENV] = fromGate;
    return;
  }
  const outdir = join(root, 'cdk.out');
  mkdirSync(outdir);
  // Loaded only here: aws-cdk-lib and the app take a third of a second.
  const { synthesizeApp } = await import('./synth-app');
  synthesizeApp(outdir);
  process.env[CDK_OUT_ENV] = outdir;
}
