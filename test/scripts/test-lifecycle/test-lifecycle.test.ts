import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../../../scripts/test-lifecycle/main';

/** Runs the command with Jest replaced by a recorder; resolves to what Jest would have been given. */
async function jestGets(argv: string[]) {
  const calls: Array<{ args: readonly string[]; env: NodeJS.ProcessEnv }> = [];
  const code = await main(argv, async (args, env) => {
    calls.push({ args, env });
    return 0;
  });
  expect(code).toBe(0);
  expect(calls).toHaveLength(1);
  const [{ args, env }] = calls;
  return { args, runs: env.LIFECYCLE_RUNS, seed: env.LIFECYCLE_SEED };
}

test('runs the lifecycle suite alone with the sequences and seed given, as --runs N or --runs=N', async () => {
  expect(await jestGets(['--runs=5', '--seed', '7'])).toEqual({
    args: ['test/infra/client/shops/tokens/token-lifecycle.test.ts', '--testTimeout=120000'],
    runs: '5',
    seed: '7',
  });
  expect(await jestGets(['--runs', '5000'])).toEqual({
    args: ['test/infra/client/shops/tokens/token-lifecycle.test.ts', '--testTimeout=5000000'],
    runs: '5000',
    seed: undefined,
  });
});

test('the suite it hands Jest is a file of the repository', async () => {
  const { args } = await jestGets([]);
  expect(existsSync(join(__dirname, '..', '..', '..', args[0]!))).toBe(true);
});

test("without options it runs the gate's default", async () => {
  expect(await jestGets([])).toEqual({ args: ['test/infra/client/shops/tokens/token-lifecycle.test.ts', '--testTimeout=120000'], runs: undefined, seed: undefined });
});
