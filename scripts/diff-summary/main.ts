import { ConfigError } from '../../infra/data/config-error';
import { PROCESS_OUTPUT, UsageError, parseOptions, runCli, type CliOutput } from '../shared/cli';
import { STEP_SUMMARY_MAX_BYTES, appendTextFile, assertAppendable, readTextFile, stepSummaryRoom } from '../shared/files';
import { code, fencedText, markdownTable } from '../shared/markdown';
import { parseCdkDiff, stripColours } from './parse-cdk-diff';

const USAGE = `Usage: npm run diff-summary -- --input <file> [--exit-code <n>]

Turns the saved output of \`cdk diff\` (--input) into Markdown on stdout, appended to
$GITHUB_STEP_SUMMARY when set: resources that would be replaced, deleted or orphaned first, then
each stack's diff. --exit-code is cdk diff's own exit code; when it is not 0 this exits 1.`;
/** GitHub keeps at most 1 MiB of one step's summary; each stack's diff is cut well below that. */
const MAX_STACK_CHARS = 60_000;
/** Lines of a failed diff's output shown in the summary. */
const FAILURE_LINES = 30;
/** Rows of the destructive-change table; more are counted, not listed (the job log has them all). */
const MAX_DESTRUCTIVE_ROWS = 200;
/** Characters of a failed diff's line shown; a long line is cut. */
const MAX_LINE_CHARS = 500;

/**
 * The job summary of a pull request's `cdk diff`: replacements and deletions first, then each
 * stack's diff, as many as fit in `maxBytes` of UTF-8 (cdk diff's box-drawing characters take 3 each).
 */
export function renderDiffSummary(output: string, cdkExitCode: number, diff = parseCdkDiff(output), maxBytes = STEP_SUMMARY_MAX_BYTES): string {
  const out: string[] = ['## cdk diff', ''];
  if (cdkExitCode !== 0) {
    const tail = stripColours(output)
      .trimEnd()
      .split('\n')
      .slice(-FAILURE_LINES)
      .map((line) => (line.length > MAX_LINE_CHARS ? `${line.slice(0, MAX_LINE_CHARS)}…` : line))
      .join('\n');
    out.push(`❌ **\`cdk diff\` failed (exit ${cdkExitCode})**; the last lines it printed:`, '', ...fencedText(tail), '');
  }
  if (diff.destructive.length > 0) {
    const count = diff.destructive.length;
    out.push(
      `⚠️ **${count} ${count === 1 ? 'resource' : 'resources'} would be replaced, deleted or orphaned by this change.** ` +
        'A replaced table is a new, empty table: its items stay behind in the old one (or are deleted with it).',
      '',
      markdownTable(
        ['stack', 'resource', 'type', 'impact', 'because of'],
        diff.destructive.slice(0, MAX_DESTRUCTIVE_ROWS).map((change) => [
          change.stack,
          code(change.resource),
          change.type,
          `**${change.impact}**`,
          change.causes.length > 0 ? change.causes.map(code).join(', ') : '—',
        ]),
      ),
      '',
      ...(count > MAX_DESTRUCTIVE_ROWS ? [`… and ${count - MAX_DESTRUCTIVE_ROWS} more; the job log has the whole diff.`, ''] : []),
    );
  } else if (cdkExitCode === 0) {
    out.push('✅ No resource would be replaced, deleted or orphaned.', '');
  }
  // Room kept for the line that says stacks were left out.
  const room = maxBytes - 300;
  let length = Buffer.byteLength(out.join('\n'));
  for (const [index, stack] of diff.stacks.entries()) {
    const text = stack.text.length > MAX_STACK_CHARS ? `${stack.text.slice(0, MAX_STACK_CHARS)}\n… (cut; the job log has the whole diff)` : stack.text;
    const section = stack.changed
      ? [`### ${stack.stack}`, '', '<details open><summary>diff</summary>', '', ...fencedText(text), '', '</details>', '']
      : [`### ${stack.stack}: no differences`, ''];
    length += Buffer.byteLength(section.join('\n')) + 1;
    if (length > room) {
      out.push(`… ${diff.stacks.length - index} more stacks are left out to keep the summary under GitHub's limit; the job log has the whole diff.`, '');
      break;
    }
    out.push(...section);
  }
  if (diff.stacks.length === 0) out.push('No stack diff was found in the output.', '');
  return out.join('\n');
}

/**
 * `npm run diff-summary -- --input F [--exit-code N]`: turns the saved output of `cdk diff` into
 * Markdown (stdout, and appended to `$GITHUB_STEP_SUMMARY` when set). Exits 1 when cdk diff failed
 * (N is not 0), so a role that cannot read the stacks is seen, 0 otherwise: a replacement is
 * reported here and refused by the table guard in `npm test`.
 */
export async function main(argv: string[], output: CliOutput = PROCESS_OUTPUT, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const options = parseOptions(argv, { input: { type: 'string' }, 'exit-code': { type: 'string' } }, { usage: USAGE });
  if (options.input === undefined) throw new UsageError('--input is required.', USAGE);
  if (!/^\d{1,3}$/.test(options['exit-code'] ?? '0') || Number(options['exit-code']) > 255) {
    throw new UsageError(`--exit-code must be a whole number from 0 to 255, not "${options['exit-code']}".`, USAGE);
  }
  const exitCode = Number(options['exit-code'] ?? '0');
  const text = readTextFile(options.input);
  // A summary of nothing would read as "no resource would be replaced": only real cdk diff output is summarized.
  if (text.trim() === '') throw new ConfigError([`--input ${options.input} is empty: not the output of cdk diff.`]);
  const diff = parseCdkDiff(text);
  if (exitCode === 0 && diff.stacks.length === 0) {
    throw new ConfigError([`--input ${options.input} holds no "Stack <name>" section: not the output of cdk diff.`]);
  }
  if (env.GITHUB_STEP_SUMMARY) assertAppendable(env.GITHUB_STEP_SUMMARY);
  // What earlier commands of the step wrote to its summary counts against the same 1 MiB.
  const markdown = renderDiffSummary(text, exitCode, diff, env.GITHUB_STEP_SUMMARY ? stepSummaryRoom(env.GITHUB_STEP_SUMMARY) - 1 : undefined);
  output.stdout(markdown);
  if (env.GITHUB_STEP_SUMMARY) appendTextFile(env.GITHUB_STEP_SUMMARY, `${markdown}\n`);
  return exitCode === 0 ? 0 : 1;
}

if (import.meta.main) runCli(main);
