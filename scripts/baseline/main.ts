// Rewrites the committed table-identity baseline from a synth of every stage. Run it only when a
// table replacement or a deploy hazard is intended; it prints the ones being accepted.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../../infra/stage-selection';
import {
  IDENTITY_BASELINE_FILE,
  deployHazards,
  readIdentityBaseline,
  replacementProblems,
  stageIdentity,
  type IdentityBaseline,
} from '../../infra/table-identity';
import { parseOptions, runCli } from '../shared/cli';

const USAGE = `Usage: npm run baseline:update

Rewrites ${IDENTITY_BASELINE_FILE} (each stage's stack and region; per table its logical ID,
physical name, key schema, indexes and TTL attribute) from a synth, and prints every table
replacement and deploy hazard it accepts. Run it only to accept on purpose what the replacement
guard or the deploy-hazard check flags, and commit the file with the change.`;

/** `npm run baseline:update`; the baseline logic below runs only after the arguments are accepted. */
export async function main(argv: string[]): Promise<number> {
  parseOptions(argv, {}, { usage: USAGE });
  // Loaded after the arguments are read, so --help and a mistyped flag cost no synth.
  const [{ App }, { addDataStacks }] = await Promise.all([import('aws-cdk-lib'), import('../../infra/data-app')]);

  const app = new App();
  const stacks = addDataStacks(app, { nagReports: false });
  const assembly = app.synth();
  const current: IdentityBaseline = Object.fromEntries(
    Object.entries(stacks).map(([stage, stack]) => [
      stage,
      stageIdentity(stack, assembly.getStackArtifact(stack.artifactId).template),
    ]),
  );
  const file = join(__dirname, '..', '..', IDENTITY_BASELINE_FILE);
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
  return 0;
}

if (require.main === module) runCli(main);
