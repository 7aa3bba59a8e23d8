import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { addDataStacks } from '../../../infra/cdk/data-app';
import { ConfigError } from '../../../infra/data/config-error';

/** What `process.exit(code)` does in these tests: it stops the entry where the real exit would. */
class Exit extends Error {
  readonly code: number | string | null | undefined;

  constructor(code: number | string | null | undefined) {
    super(`process.exit(${String(code)})`);
    this.code = code;
  }
}

/**
 * Runs the CDK app entry as `cdk synth -c key=value` does, in this process: the context comes
 * through CDK_CONTEXT_JSON, and `preload` runs first in the same module registry (e.g. a module
 * that breaks the schema map in memory). Returns the exit code and every line written to stderr.
 */
function runApp(context: Record<string, string>, preload: string[] = []) {
  const stderr: string[] = [];
  jest.spyOn(console, 'error').mockImplementation((...args: unknown[]) => stderr.push(args.join(' ')));
  jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    stderr.push(String(chunk));
    return true;
  });
  jest.spyOn(process, 'exit').mockImplementation((code) => {
    throw new Exit(code);
  });
  process.env.CDK_CONTEXT_JSON = JSON.stringify(context);
  let status: Exit['code'] = 0;
  try {
    jest.isolateModules(() => {
      for (const module of preload) require(module);
      require('../../../infra/cdk/app');
    });
  } catch (error) {
    if (!(error instanceof Exit)) throw error;
    status = error.code;
  } finally {
    delete process.env.CDK_CONTEXT_JSON;
    jest.restoreAllMocks();
  }
  return { status, stderr };
}

test('an unknown stage stops synth with one line that lists the valid stages', () => {
  // The message; the test below runs the real entry, which prints each problem as one line and exits 1.
  expect(() => addDataStacks(new App(), { stages: ['qa'], nagReports: false })).toThrow(
    new ConfigError(['Unknown stage "qa"; valid stages: dev, staging, prod.']),
  );
});

test('an invalid schema map stops synth with one line per problem naming table and field, and no stack trace', () => {
  const { status, stderr } = runApp({ stage: 'qa' }, ['../../support/break-schema-map']);
  expect(status).toBe(1);
  expect(stderr).toEqual([
    'Error: Jobs.indexes[1].partitionKey.type: "X" is not a key type (S, N, B)',
    'Error: ImportHistory.ttl.retentionDays: 0 is not a positive whole number of days',
    'Error: Unknown stage "qa"; valid stages: dev, staging, prod.',
  ]);
});

describe('the npm scripts on the Node they run on', () => {
  const REPO = join(__dirname, '..', '..', '..');
  const GUARD = 'node -r ./scripts/require-node.cjs ';

  test('every npm script and the CDK app that runs a file under Node checks its version first', () => {
    const scripts = Object.values(require('../../../package.json').scripts as Record<string, string>).filter((command) => command.startsWith('node '));
    expect(scripts.filter((command) => !command.startsWith(GUARD))).toEqual([]);
    expect(require('../../../cdk.json').app).toMatch(new RegExp(`^${GUARD}`));
  });

  test("every npm script and the CDK app that runs a TypeScript file runs it on Node's own support with the import hooks, none on ts-node", () => {
    const commands = [...Object.values(require('../../../package.json').scripts as Record<string, string>), require('../../../cdk.json').app as string];
    const typescript = commands.filter((command) => /^node .*\.ts$/.test(command));
    expect(typescript.length).toBeGreaterThan(0);
    expect(typescript.filter((command) => !command.startsWith(`${GUARD}-r ./scripts/typescript-imports.cjs `))).toEqual([]);
    expect(commands.filter((command) => command.includes('ts-node'))).toEqual([]);
  });

  test('with the hooks, an import without an extension finds the file or the folder\'s index.ts, as tsc does, and Node warns of nothing', () => {
    const script = "import { createDataClient } from './infra/client'; import { STAGE_NAMES } from './infra/data/stages'; console.log(typeof createDataClient, STAGE_NAMES.join());";
    const result = spawnSync(process.execPath, ['-r', './scripts/require-node.cjs', '-r', './scripts/typescript-imports.cjs', '--input-type=module', '-e', script], {
      cwd: REPO,
      encoding: 'utf8',
    });
    expect({ status: result.status, stdout: result.stdout, stderr: result.stderr }).toEqual({ status: 0, stdout: 'function dev,staging,prod\n', stderr: '' });
  });

  test.each(['20.19.0', '22.17.1'])('on Node %s the check stops in one line that says what to do', (version) => {
    const result = spawnSync(
      process.execPath,
      ['-e', `Object.defineProperty(process.versions, 'node', { value: '${version}' }); require('./scripts/require-node.cjs'); console.log('ran');`],
      { cwd: REPO, encoding: 'utf8' },
    );
    expect({ status: result.status, stdout: result.stdout }).toEqual({ status: 1, stdout: '' });
    expect(result.stderr).toBe(
      `Error: Node.js 22.18 or later is required, this is v${version}: install Node 22 (README.md, "Quick start", e.g. nvm install 22) and run again.\n`,
    );
  });

  test('on Node 22.18 and later the check lets the script run', () => {
    const result = spawnSync(process.execPath, ['-r', './scripts/require-node.cjs', '-e', "console.log('ran')"], { cwd: REPO, encoding: 'utf8' });
    expect({ status: result.status, stdout: result.stdout, stderr: result.stderr }).toEqual({ status: 0, stdout: 'ran\n', stderr: '' });
  });

  test('npm test -- --help prints Jest usage without running the type-check or any test', () => {
    const result = spawnSync(process.execPath, ['scripts/test-gate/main.mts', '--help'], { cwd: REPO, encoding: 'utf8', timeout: 30_000 });
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^Usage: jest/);
    expect(result.stdout + result.stderr).not.toMatch(/Type-check/);
  });
});

describe('feature flags in cdk.json', () => {
  const { FLAGS } = require('aws-cdk-lib/cx-api') as typeof import('aws-cdk-lib/cx-api');
  const context = require('../../../cdk.json').context as Record<string, unknown>;
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

  test('every flag whose recommended value differs from its unconfigured behaviour is set, so synth reports none unconfigured', () => {
    const unconfigured = Object.entries(FLAGS)
      .filter(([name, flag]) => !(name in context) && !same(flag.recommendedValue, flag.unconfiguredBehavesLike?.v2 ?? false))
      .map(([name]) => name);
    expect(unconfigured).toEqual([]);
  });

  test('every flag kept off its recommended value is named in a record of docs/decisions/ with its reason', () => {
    const folder = join(__dirname, '..', '..', '..', 'docs', 'decisions');
    const decisions = readdirSync(folder).filter((name) => /^\d{4}-.*\.md$/.test(name)).map((name) => readFileSync(join(folder, name), 'utf8')).join('\n');
    const kept = Object.entries(context).filter(([name, value]) => name in FLAGS && !same(value, FLAGS[name]!.recommendedValue));
    expect(kept.length).toBeGreaterThan(0);
    expect(kept.map(([name]) => name).filter((name) => !decisions.includes(`\`${name}\``))).toEqual([]);
  });
});
