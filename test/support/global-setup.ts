import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { addDataStacks } from '../../infra/data-app';
import { CDK_OUT_ENV } from './cdk-out';

/**
 * Synthesizes the real app once per test run, every stage with its nag reports, as `cdk synth`
 * does into cdk.out; the suites read templates, findings and reports from there instead of each
 * paying for a synthesis of its own.
 */
export default function globalSetup(): void {
  process.env.CDK_VALIDATION = 'false';
  const outdir = mkdtempSync(join(tmpdir(), 'test-cdk-out-'));
  const app = new App({ outdir });
  addDataStacks(app, { nagReports: true });
  app.synth();
  process.env[CDK_OUT_ENV] = outdir;
}
