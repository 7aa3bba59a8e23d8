import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { addDataStacks } from '../../infra/cdk/data-app';
import { CDK_OUT_ENV, TEST_TMP_ENV } from './cdk-out';

/**
 * Gives the run one temporary folder, the `TMPDIR` of every worker and child process (an `App`
 * without an outdir, a scratch folder, a spawned CLI), so the teardown leaves nothing behind.
 * Then synthesizes the real app once, every stage with its nag reports, as `cdk synth` does into
 * cdk.out; the suites read templates, findings and reports from there instead of each paying for a
 * synthesis of its own.
 */
export default function globalSetup(): void {
  // Jest run without the gate (`npx jest <file>`) still gets the Prisma client the Shopify suites load.
  execFileSync(process.execPath, [join(__dirname, '..', '..', 'scripts', 'test-gate', 'prisma-client.mts')], { stdio: 'inherit' });
  const root = mkdtempSync(join(tmpdir(), 'inavor-test-'));
  process.env[TEST_TMP_ENV] = root;
  process.env.TMPDIR = root;
  process.env.CDK_VALIDATION = 'false';
  const outdir = join(root, 'cdk.out');
  mkdirSync(outdir);
  const app = new App({ outdir });
  addDataStacks(app, { nagReports: true });
  app.synth();
  process.env[CDK_OUT_ENV] = outdir;
}
