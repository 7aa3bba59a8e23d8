import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { nodeArgvOf } from '../../support/npm-script';

const ROOT = join(__dirname, '..', '..', '..');

/** `npm run build:client -- <args>` as npm runs it (esbuild's API needs Node's own realm, not Jest's). */
const build = (...args: string[]) => spawnSync(process.execPath, [...nodeArgvOf('build:client'), ...args], { cwd: ROOT, encoding: 'utf8' });

// What a build leaves and prints, and that one copy of each class serves both entries, is checked
// on the package an app installs (test/infra/client/client-package.test.ts builds it with this command).

test('--help prints the usage and builds nothing', () => {
  const result = build('--help');
  expect(result.status).toBe(0);
  expect(result.stdout).toContain('Usage: npm run build:client -- [--out-dir <dir>]');
});

test.each([
  [['--out-dir', '.'], '--out-dir must not hold the repository'],
  [['--out-dir', '..'], '--out-dir must not hold the repository'],
  [['--out'], 'Unknown option'],
  [['--out-dir', join(ROOT, 'docs')], 'holds files that are not a client build'],
  [['--out-dir', join(ROOT, 'package.json')], 'holds files that are not a client build, or is no folder'],
])('%j is refused in one line, exit 2, before anything is removed', (args, message) => {
  const result = build(...args);
  expect(result.status).toBe(2);
  expect(result.stderr).toContain(message);
  expect(result.stderr.trim().split('\n')[0]).toContain(message);
});
