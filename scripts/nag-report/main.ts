import { join, resolve } from 'node:path';
import { PROCESS_OUTPUT, parseOptions, printable, runCli, type CliOutput } from '../shared/cli';
import { appendTextFile, assertAppendable, stepSummaryRoom, writeFilesAtomically } from '../shared/files';
import { cutToBytes } from '../shared/markdown';
import { renderMarkdown } from './markdown';
import { blockingFindings, readReports } from './read-reports';
import { renderSarif } from './sarif';
import { createSourceLocator } from './source-locations';

const USAGE = `Usage: npm run nag-report -- [--dir <dir>] [--markdown <file>] [--sarif <file>]

Reads the cdk-nag JSON reports of the last synth in <dir>, writes a Markdown summary and a SARIF
log, and appends the Markdown to $GITHUB_STEP_SUMMARY when it is set (cut to fit GitHub's 1 MiB).
Every stack in the folder's manifest must have a report of every pack the app runs on it
(AwsSolutions; DataProtection on the data stacks). Exit code: 0 no unsuppressed error, 1 an
unsuppressed error, 2 a usage error, missing, unreadable or malformed reports, or a file that
cannot be written.

  --dir <dir>        the cloud assembly folder (default cdk.out)
  --markdown <file>  where to write the Markdown (default <dir>/nag-report.md); its folder must exist
  --sarif <file>     where to write the SARIF log (default <dir>/nag-report.sarif); its folder must exist`;

/** Where the CLI reads and writes, and how it talks. */
export interface NagReportIo extends CliOutput {
  /** Environment; `GITHUB_STEP_SUMMARY`, when set, names a file the Markdown is appended to. */
  readonly env: NodeJS.ProcessEnv;
}

/**
 * Turns the cdk-nag JSON reports of a synth into a Markdown summary and a SARIF log. Resolves to
 * the exit code: 0 when no unsuppressed error remains, 1 when one does. Missing or malformed
 * reports and files that cannot be written are one-line ConfigErrors (exit 2 through runCli).
 */
export async function main(args: readonly string[], io: NagReportIo): Promise<number> {
  const parsed = parseOptions(args, { dir: { type: 'string' }, markdown: { type: 'string' }, sarif: { type: 'string' } }, { usage: USAGE });
  const dir = parsed.dir ?? 'cdk.out';
  const reports = readReports(dir);

  const markdown = renderMarkdown(reports);
  const sarif = renderSarif(reports, createSourceLocator(resolve(import.meta.dirname, '..', '..')));
  const markdownPath = parsed.markdown ?? join(dir, 'nag-report.md');
  const sarifPath = parsed.sarif ?? join(dir, 'nag-report.sarif');
  if (io.env.GITHUB_STEP_SUMMARY) assertAppendable(io.env.GITHUB_STEP_SUMMARY);
  writeFilesAtomically([
    { path: markdownPath, text: markdown },
    { path: sarifPath, text: `${JSON.stringify(sarif, null, 2)}\n` },
  ]);
  const summary = io.env.GITHUB_STEP_SUMMARY;
  if (summary) {
    const note = `… cut here to keep the job summary under GitHub's 1 MiB; the whole report is ${markdownPath} (in CI, the cdk-out artifact).`;
    appendTextFile(summary, cutToBytes(markdown, stepSummaryRoom(summary), note));
  }

  const stacks = new Set(reports.map((report) => report.stack)).size;
  io.stdout(`Read ${reports.length} nag reports on ${stacks} stacks from ${dir}; wrote ${markdownPath} and ${sarifPath}.`);
  const blocking = blockingFindings(reports);
  // The reports' text is printed so that it cannot act on the terminal or forge a line.
  for (const { line } of blocking) io.stderr(printable(`Error ${line.ruleId} at ${line.resourceId}: ${line.ruleInfo}`));
  if (blocking.length > 0) {
    io.stderr(`${blocking.length} unsuppressed nag ${blocking.length === 1 ? 'error' : 'errors'}.`);
    return 1;
  }
  io.stdout('No unsuppressed nag error.');
  return 0;
}

if (import.meta.main) runCli((argv) => main(argv, { ...PROCESS_OUTPUT, env: process.env }));
