// Rewrites the committed table-identity baseline from a synth of every stage. Run it only when a
// table replacement is intended; it prints the replacements being accepted.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  IDENTITY_BASELINE_FILE,
  replacementProblems,
  stageIdentity,
  type IdentityBaseline,
} from '../infra/table-identity';
import { parseOptions, runCli } from './lib/cli';

const USAGE = `Usage: npm run baseline:update

Rewrites ${IDENTITY_BASELINE_FILE} (each stage's table logical IDs, physical names and key
schemas) from a synth, and prints every table replacement it accepts. Run it only to accept a
replacement the guard flags on purpose, and commit the file with the change.`;

/** `npm run baseline:update`; the baseline logic below runs only after the arguments are accepted. */
export async function main(argv: string[]): Promise<number> {
  parseOptions(argv, {}, { usage: USAGE });
  // Loaded after the arguments are read, so --help and a mistyped flag cost no synth.
  const [{ App }, { addDataStacks }] = await Promise.all([import('aws-cdk-lib'), import('../infra/data-app')]);

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
  return 0;
}

if (require.main === module) runCli(main);
