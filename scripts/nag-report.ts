import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ConfigError } from '../infra/stage-selection';
import { parseOptions } from './lib/cli';
import { renderMarkdown } from './nag-report/markdown';
import { ReportError, blockingFindings, readReports, type StackReport } from './nag-report/read-reports';
import { renderSarif } from './nag-report/sarif';
import { createSourceLocator } from './nag-report/source-locations';

const USAGE = 'Usage: npm run nag-report -- [--dir cdk.out] [--markdown <file>] [--sarif <file>]';

/** Where the CLI reads and writes, and how it talks. */
export interface NagReportIo {
  /** Environment; `GITHUB_STEP_SUMMARY`, when set, names a file the Markdown is appended to. */
  readonly env: NodeJS.ProcessEnv;
  readonly stdout: (line: string) => void;
  readonly stderr: (line: string) => void;
}

interface Options {
  readonly dir: string;
  readonly markdown: string | undefined;
  readonly sarif: string | undefined;
}

/**
 * Turns the cdk-nag JSON reports of a synth into a Markdown summary and a SARIF log. Returns the
 * exit code: 0 when no unsuppressed error remains, 1 when one does, 2 when there is nothing to
 * read or the arguments are wrong.
 */
export function main(args: readonly string[], io: NagReportIo): number {
  let options: Options;
  let reports: StackReport[];
  try {
    const parsed = parseOptions(args, { dir: { type: 'string' }, markdown: { type: 'string' }, sarif: { type: 'string' } });
    options = { dir: parsed.dir ?? 'cdk.out', markdown: parsed.markdown, sarif: parsed.sarif };
    reports = readReports(options.dir);
  } catch (error) {
    if (error instanceof ConfigError) {
      io.stderr(`Error: ${error.message}\n${USAGE}`);
      return 2;
    }
    if (!(error instanceof ReportError)) throw error;
    io.stderr(`Error: ${error.message}`);
    return 2;
  }

  const markdown = renderMarkdown(reports);
  const sarif = renderSarif(reports, createSourceLocator(resolve(__dirname, '..')));
  const markdownPath = options.markdown ?? join(options.dir, 'nag-report.md');
  const sarifPath = options.sarif ?? join(options.dir, 'nag-report.sarif');
  for (const [path, text] of [[markdownPath, markdown], [sarifPath, `${JSON.stringify(sarif, null, 2)}\n`]] as const) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
  }
  if (io.env.GITHUB_STEP_SUMMARY) appendFileSync(io.env.GITHUB_STEP_SUMMARY, markdown);

  const stacks = new Set(reports.map((report) => report.stack)).size;
  io.stdout(`Read ${reports.length} nag reports on ${stacks} stacks from ${options.dir}; wrote ${markdownPath} and ${sarifPath}.`);
  const blocking = blockingFindings(reports);
  for (const { line } of blocking) io.stderr(`Error ${line.ruleId} at ${line.resourceId}: ${line.ruleInfo}`);
  if (blocking.length > 0) {
    io.stderr(`${blocking.length} unsuppressed nag ${blocking.length === 1 ? 'error' : 'errors'}.`);
    return 1;
  }
  io.stdout('No unsuppressed nag error.');
  return 0;
}


if (require.main === module) {
  process.exitCode = main(process.argv.slice(2), {
    env: process.env,
    stdout: (line) => console.log(line),
    stderr: (line) => console.error(line),
  });
}
