import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { addDataStacks } from '../../infra/cdk/data-app';
import { failedMarker } from './gate-assembly';

/**
 * Synthesizes the real app into `outdir`, every stage with its nag reports, as `cdk synth` does
 * into cdk.out: the suites read templates, findings and reports from there instead of each paying
 * for a synthesis of its own.
 */
export function synthesizeApp(outdir: string): void {
  process.env.CDK_VALIDATION = 'false';
  const app = new App({ outdir });
  addDataStacks(app, { nagReports: true });
  app.synth();
}

/**
 * `npm test` runs this file (Node's own TypeScript support) beside its compile and Jest's start,
 * into the folder it names: the assembly is written beside it and renamed into place, so a reader
 * never sees half of one; a failure leaves its marker (gate-assembly.ts).
 */
if (import.meta.main) {
  const outdir = process.argv[2];
  if (!outdir) {
    console.error('Usage: synth-app.ts <outdir>: synthesizes the app into <outdir> (npm test runs it).');
    process.exit(2);
  }
  let partial: string | undefined;
  try {
    partial = mkdtempSync(`${outdir}.partial-`);
    synthesizeApp(join(partial, 'cdk.out'));
    renameSync(join(partial, 'cdk.out'), outdir);
  } catch (error) {
    writeFileSync(failedMarker(outdir), String(error));
    throw error;
  } finally {
    if (partial !== undefined) rmSync(partial, { recursive: true, force: true });
  }
}
