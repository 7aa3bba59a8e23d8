import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ConfigError } from '../../infra/data/config-error';
import { parseOptions, runCli } from '../shared/cli';

const ROOT = join(import.meta.dirname, '..', '..');
/** The suite it runs; the gate runs it too, with its default runs and seed. */
const SUITE = 'test/infra/client/shops/tokens/token-lifecycle.test.ts';
/** Bounded so the test's time limit (a second per sequence) stays far below what Node's timers hold (2^31 - 1 ms). */
const MAX_RUNS = 100_000;
const MAX_SEED = 2 ** 31 - 1;

const USAGE = `Usage: npm run test:lifecycle -- [--runs <n>] [--seed <s>]

Runs the model-based test of a shop's token lifecycle alone (${SUITE}):
random orders of installs, refreshes, uninstalls, late and repeated webhooks and redaction against
the local engine. Exit code: Jest's (0 every sequence held, 1 one did not), 2 a usage error.

  --runs <n>   sequences to run, 1 to ${MAX_RUNS} (default: the gate's 200)
  --seed <s>   another seed than the gate's, 0 to ${MAX_SEED}`;

/** Runs Jest with these arguments and environment; resolves to its exit code. */
export type JestRunner = (args: readonly string[], env: NodeJS.ProcessEnv) => Promise<number>;

const spawnJest: JestRunner = (args, env) =>
  new Promise((resolve) => {
    const child = spawn(process.execPath, [join(ROOT, 'node_modules', 'jest', 'bin', 'jest.js'), ...args], { cwd: ROOT, stdio: 'inherit', env });
    child.once('error', () => resolve(1));
    child.once('close', (code) => resolve(code ?? 1));
  });

/** A whole number from `min` to `max`, in decimal digits only. */
function wholeNumber(text: string, flag: string, min: number, max: number): number {
  const value = /^\d{1,10}$/.test(text) ? Number(text) : NaN;
  if (!(value >= min && value <= max)) throw new ConfigError([`${flag} must be a whole number from ${min} to ${max}, not "${text}".`]);
  return value;
}

/** `npm run test:lifecycle [-- --runs N --seed S]`: resolves to Jest's exit code. */
export async function main(argv: string[], runJest: JestRunner = spawnJest): Promise<number> {
  const options = parseOptions(argv, { runs: { type: 'string' }, seed: { type: 'string' } }, { usage: USAGE });
  const runs = options.runs === undefined ? undefined : wholeNumber(options.runs, '--runs', 1, MAX_RUNS);
  const seed = options.seed === undefined ? undefined : wholeNumber(options.seed, '--seed', 0, MAX_SEED);
  // A time limit stops a hang; a long run takes a few seconds per hundred sequences, a loaded machine several times that.
  const timeoutMs = Math.max(120_000, (runs ?? 0) * 1_000);
  return runJest([SUITE, `--testTimeout=${timeoutMs}`], {
    ...process.env,
    ...(runs !== undefined && { LIFECYCLE_RUNS: String(runs) }),
    ...(seed !== undefined && { LIFECYCLE_SEED: String(seed) }),
  });
}

if (import.meta.main) runCli(main);
