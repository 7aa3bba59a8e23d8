// Rewrites the committed table-identity baseline from a synth of every stage. Run it only when a
// table replacement or a deploy hazard is intended; it prints the ones being accepted.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { addDataStacks } from '../infra/data-app';
import { ConfigError, runReportingConfigErrors } from '../infra/stage-selection';
import {
  IDENTITY_BASELINE_FILE,
  deployHazards,
  readIdentityBaseline,
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
      stageIdentity(stack, assembly.getStackArtifact(stack.artifactId).template),
    ]),
  );
  const file = join(__dirname, '..', IDENTITY_BASELINE_FILE);
  // A missing, malformed or older-format baseline is replaced; there is nothing to compare with.
  let previous: IdentityBaseline = {};
  try {
    previous = readIdentityBaseline(file);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.log(`Not compared with the previous baseline: ${error.message}`);
  }
  writeFileSync(file, `${JSON.stringify(current, null, 2)}\n`);

  console.log(`Wrote ${IDENTITY_BASELINE_FILE}.`);
  for (const problem of [...replacementProblems(previous, current), ...deployHazards(previous, current)]) {
    console.log(`Accepted: ${problem}`);
  }
});
