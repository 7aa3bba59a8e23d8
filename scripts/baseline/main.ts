// Rewrites the committed table-identity baseline from a synth of every stage. Run it only when a
// table replacement or a deploy hazard is intended; it prints the ones being accepted.
import { join } from 'node:path';
import { ConfigError } from '../../infra/data/config-error';
import {
  IDENTITY_BASELINE_FILE,
  deployHazards,
  readIdentityBaseline,
  replacementProblems,
  stageIdentity,
  type IdentityBaseline,
} from '../../infra/policy/table-identity';
import { parseOptions, runCli } from '../shared/cli';
import { assertWritable, writeFilesAtomically } from '../shared/files';

const USAGE = `Usage: npm run baseline:update

Rewrites ${IDENTITY_BASELINE_FILE} (each stage's stack and region; per table its logical ID,
physical name, key schema, indexes and TTL attribute) from a synth, and prints every table
replacement and deploy hazard it accepts. Run it only to accept on purpose what the replacement
guard or the deploy-hazard check flags, and commit the file with the change.`;

/** The committed baseline, in this repository. */
const BASELINE_PATH = join(import.meta.dirname, '..', '..', IDENTITY_BASELINE_FILE);

/** Every stage's identity, from a synth of the app. */
async function synthIdentities(): Promise<IdentityBaseline> {
  // Loaded after the arguments are read, so --help and a mistyped flag cost no synth.
  const [{ App }, { addDataStacks }] = await Promise.all([import('aws-cdk-lib'), import('../../infra/cdk/data-app')]);
  const app = new App();
  const stacks = addDataStacks(app, { nagReports: false });
  const assembly = app.synth();
  return Object.fromEntries(
    Object.entries(stacks).map(([stage, stack]) => [stage, stageIdentity(stack, assembly.getStackArtifact(stack.artifactId).template)]),
  );
}

/**
 * `npm run baseline:update`; the baseline logic below runs only after the arguments are accepted,
 * and the synth only once the baseline's path can be written. The file is replaced whole (a temp
 * file renamed over it), so an interrupted run leaves the old baseline, never half of the new one.
 */
export async function main(
  argv: string[],
  print: (line: string) => void = console.log,
  file: string = BASELINE_PATH,
  identities: () => Promise<IdentityBaseline> = synthIdentities,
): Promise<number> {
  parseOptions(argv, {}, { usage: USAGE });
  assertWritable(file);
  const current = await identities();
  // A missing, malformed or older-format baseline is replaced; there is nothing to compare with.
  let previous: IdentityBaseline = {};
  try {
    previous = readIdentityBaseline(file);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    print(`Not compared with the previous baseline: ${error.message}`);
  }
  writeFilesAtomically([{ path: file, text: `${JSON.stringify(current, null, 2)}\n` }]);

  print(`Wrote ${IDENTITY_BASELINE_FILE}.`);
  for (const problem of [...replacementProblems(previous, current), ...deployHazards(previous, current)]) {
    print(`Accepted: ${problem}`);
  }
  return 0;
}

if (import.meta.main) runCli(main);
