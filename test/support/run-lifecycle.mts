import { spawn } from 'node:child_process';
import { join } from 'node:path';

/**
 * `npm run test:lifecycle [-- --runs N --seed S]`: the model-based lifecycle test alone, with N
 * random sequences (the gate runs 200) and, when given, another seed than the gate's.
 */
const ROOT = join(import.meta.dirname, '..', '..');
const USAGE = 'Usage: npm run test:lifecycle [-- --runs N --seed S]';

/** The options given, or the exit code when there is nothing to run (help, or an error line). */
function parse(argv: string[]): Record<string, string> | number {
  const options: Record<string, string> = {};
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i]!, argv[i + 1]];
    if (flag === '--help') {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    if ((flag !== '--runs' && flag !== '--seed') || value === undefined || !/^\d+$/.test(value) || (flag === '--runs' && Number(value) === 0)) {
      process.stderr.write(`Error: ${flag} ${value ?? ''} is not understood; ${USAGE} (N a whole number above 0, S a whole number).\n`);
      return 2;
    }
    options[flag.slice(2)] = value;
  }
  return options;
}

const options = parse(process.argv.slice(2));
if (typeof options === 'number') {
  process.exitCode = options;
} else {
  // A timeout stops a hang; a long run takes a few seconds per hundred sequences, a loaded machine several times that.
  const timeoutMs = Math.max(120_000, Number(options.runs ?? 0) * 1_000);
  const jest = [join(ROOT, 'node_modules', 'jest', 'bin', 'jest.js'), 'test/infra/client/token-lifecycle.test.ts', `--testTimeout=${timeoutMs}`];
  const child = spawn(process.execPath, jest, {
    cwd: ROOT,
    stdio: 'inherit',
    env: {
      ...process.env,
      ...(options.runs && { LIFECYCLE_RUNS: options.runs }),
      ...(options.seed && { LIFECYCLE_SEED: options.seed }),
    },
  });
  child.on('close', (code) => (process.exitCode = code ?? 1));
}
