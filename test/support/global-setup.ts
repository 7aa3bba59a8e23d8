import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CDK_OUT_ENV, TEST_TMP_ENV } from './cdk-out';
import { GATE_CDK_OUT_ENV, gateAssembly } from './gate-assembly';

/**
 * Gives the run one temporary folder, the `TMPDIR` of every worker and child process (an `App`
 * without an outdir, a scratch folder, a spawned CLI), so the teardown leaves nothing behind.
 * Then hands the suites the real app synthesized once (synth-app.ts): the one `npm test` started
 * beside Jest's start, or, run without it, its own.
 */
export default async function globalSetup(): Promise<void> {
  const fromGate = process.env[GATE_CDK_OUT_ENV];
  // `npx jest <file>` still gets the Prisma client the Shopify suites load; the gate made it before it started.
  if (!fromGate) execFileSync(process.execPath, [join(__dirname, '..', '..', 'scripts', 'test-gate', 'prisma-client.mts')], { stdio: 'inherit' });
  const root = mkdtempSync(join(tmpdir(), 'inavor-test-'));
  process.env[TEST_TMP_ENV] = root;
  process.env.TMPDIR = root;
  const ready = fromGate ? await gateAssembly(fromGate) : undefined;
  if (ready !== undefined) {
    process.env[CDK_OUT_ENV] = ready;
    return;
  }
  const outdir = join(root, 'cdk.out');
  mkdirSync(outdir);
  // Loaded only here: aws-cdk-lib and the app take a third of a second.
  const { synthesizeApp } = await import('./synth-app');
  synthesizeApp(outdir);
  process.env[CDK_OUT_ENV] = outdir;
}
