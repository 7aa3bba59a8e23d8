// Rewrites the committed table-identity baseline from a synth of every stage. Run it only when a
// table replacement is intended; it prints the replacements being accepted.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { addDataStacks } from '../infra/data-app';
import { runReportingConfigErrors } from '../infra/stage-selection';
import {
  IDENTITY_BASELINE_FILE,
  replacementProblems,
  stageIdentity,
  type IdentityBaseline,
} from '../infra/table-identity';

runReportingConfigErrors(() => {
  const app = new App();
  const stacks = addDataStacks(app, { nagReports: false });
  const assembly = app.synth();
  const current: IdentityBaseline = Object.fromEntries(
    Object.entries(stacks).map(([stage, stack]) => [
      stage,
      stageIdentity(stack.stackName, assembly.getStackArtifact(stack.artifactId).template),
    ]),
  );
  const file = join(__dirname, '..', IDENTITY_BASELINE_FILE);
  const previous: IdentityBaseline = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
  writeFileSync(file, `${JSON.stringify(current, null, 2)}\n`);

  const accepted = replacementProblems(previous, current);
  console.log(`Wrote ${IDENTITY_BASELINE_FILE}.`);
  for (const problem of accepted) console.log(`Accepted: ${problem}`);
});
