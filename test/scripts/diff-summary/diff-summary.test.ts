import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main, renderDiffSummary } from '../../../scripts/diff-summary/main';
import { runCommand } from '../../../scripts/shared/cli';
import { parseCdkDiff } from '../../../scripts/diff-summary/parse-cdk-diff';

const FIXTURES = join(__dirname, '..', '..', 'fixtures', 'cdk-diff');
const replacements = readFileSync(join(FIXTURES, 'replacements.txt'), 'utf8');
const noReplacement = readFileSync(join(FIXTURES, 'no-replacement.txt'), 'utf8');
// Captured from this app: `cdk diff -c stage=dev InavorShuttleData-dev --template <dev template with Jobs keyed by id>`.
const captured = readFileSync(join(FIXTURES, 'jobs-key-schema-change.txt'), 'utf8');

describe('reading cdk diff output', () => {
  const parsed = parseCdkDiff(replacements);

  test('a DynamoDB table whose key schema changes is reported as replaced, in its stack, with the property that forces it', () => {
    expect(parsed.destructive).toContainEqual({
      stack: 'InavorShuttleData-dev',
      type: 'AWS::DynamoDB::GlobalTable',
      resource: 'Jobs/Table JobsTable1A2B3C4D',
      impact: 'will be replaced',
      causes: ['KeySchema (requires replacement)'],
    });
  });

  test('the output of cdk diff for a change of the Jobs key names the Jobs table as replaced', () => {
    expect(parseCdkDiff(captured).destructive).toEqual([
      {
        stack: 'InavorShuttleData-dev',
        type: 'AWS::DynamoDB::GlobalTable',
        resource: 'Jobs/Table JobsTable10C8EDF6',
        impact: 'will be replaced',
        causes: ['KeySchema (requires replacement)'],
      },
    ]);
  });

  test('possible replacements and orphaned (retained, removed from the stack) tables are reported too', () => {
    expect(parsed.destructive.map(({ stack, resource, impact, causes }) => ({ stack, resource, impact, causes }))).toEqual([
      { stack: 'InavorShuttleData-dev', resource: 'Jobs/Table JobsTable1A2B3C4D', impact: 'will be replaced', causes: ['KeySchema (requires replacement)'] },
      { stack: 'InavorShuttleData-prod', resource: 'ImportHistory/Table ImportHistoryTable5E6F7A8B', impact: 'will be orphaned', causes: [] },
      { stack: 'InavorShuttleData-prod', resource: 'Shops/Table ShopsTable9C0D1E2F', impact: 'may be replaced', causes: ['SSESpecification (may cause replacement)'] },
    ]);
  });

  test('an in-place update or an addition is not reported as destructive', () => {
    expect(parsed.destructive.map((change) => change.resource)).not.toContain('DataKey DataKey1234ABCD');
    expect(parseCdkDiff(noReplacement).destructive).toEqual([]);
  });

  test('every stack is read, with or without differences', () => {
    expect(parsed.stacks.map(({ stack, changed }) => ({ stack, changed }))).toEqual([
      { stack: 'InavorShuttleData-dev', changed: true },
      { stack: 'InavorShuttleData-staging', changed: false },
      { stack: 'InavorShuttleData-prod', changed: true },
    ]);
  });

  test('terminal colours do not hide a replacement', () => {
    const coloured = replacements.replace(' replace\n', ' \x1b[3m\x1b[1m\x1b[31mreplace\x1b[39m\x1b[22m\x1b[23m\n').replace(/\[~\]/g, '\x1b[33m[~]\x1b[39m');
    expect(parseCdkDiff(coloured).destructive).toEqual(parsed.destructive);
  });
});

describe('the job summary', () => {
  const summary = renderDiffSummary(replacements, 0);

  test('calls out the replacements above every stack diff', () => {
    const callout = summary.indexOf('3 resources would be replaced, deleted or orphaned');
    expect(callout).toBeGreaterThan(-1);
    expect(summary.indexOf('| InavorShuttleData-dev | `Jobs/Table JobsTable1A2B3C4D` | AWS::DynamoDB::GlobalTable | **will be replaced** | `KeySchema (requires replacement)` |')).toBeGreaterThan(callout);
    expect(summary.indexOf('### InavorShuttleData-dev')).toBeGreaterThan(summary.indexOf('**may be replaced**'));
  });

  test('shows each stack diff, and names the stacks without differences', () => {
    expect(summary).toContain('### InavorShuttleData-staging: no differences');
    expect(summary).toContain('└─ [~] KeySchema (requires replacement)');
  });

  test('says so when nothing would be replaced', () => {
    expect(renderDiffSummary(noReplacement, 0)).toContain('✅ No resource would be replaced, deleted or orphaned.');
  });

  test('npm run diff-summary appends to the job summary, and exits 1 when cdk diff failed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'diff-summary-'));
    writeFileSync(join(dir, 'diff.txt'), 'Unable to resolve AWS account to use.\n');
    const stepSummary = join(dir, 'summary.md');
    // What it prints is the summary read back below.
    const silent = { stdout: () => {}, stderr: () => {} };
    const code = await runCommand((argv) => main(argv, silent, { GITHUB_STEP_SUMMARY: stepSummary }), ['--input', join(dir, 'diff.txt'), '--exit-code', '1'], silent);
    expect(code).toBe(1);
    expect(readFileSync(stepSummary, 'utf8')).toContain('**`cdk diff` failed (exit 1)**; the last lines it printed:\n\n~~~text\nUnable to resolve AWS account to use.\n~~~');
  });
});

describe("GitHub's 1 MiB per step summary", () => {
  const MIB = 1024 * 1024;
  const stack = (index: number, filler: string) =>
    [`Stack Stack${index}`, 'Resources', `[~] AWS::DynamoDB::Table Table${index} Table${index}ABCDEF replace`, ` └─ [~] KeySchema (requires replacement)`, filler].join('\n');
  const many = (filler: string) => Array.from({ length: 1_500 }, (_, index) => stack(index, filler)).join('\n');

  test('a diff of many stacks and replacements stays under it, saying what is left out', () => {
    const output = many('x'.repeat(4_000));
    const markdown = renderDiffSummary(output, 0);
    expect(output.length).toBeGreaterThan(6_000_000);
    expect(Buffer.byteLength(markdown)).toBeLessThanOrEqual(MIB);
    expect(markdown).toContain('… and 1300 more; the job log has the whole diff.');
    expect(markdown).toMatch(/… \d+ more stacks are left out to keep the summary under GitHub's limit; the job log has the whole diff\./);
  });

  test("counted in bytes: cdk diff's box-drawing characters take three each", () => {
    const markdown = renderDiffSummary(many(' │ ├─ [~] Property\n'.repeat(200)), 0);
    expect(Buffer.byteLength(markdown)).toBeLessThanOrEqual(MIB);
  });

  test('what the step wrote to its summary before counts too', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'diff-summary-'));
    const input = join(dir, 'diff.txt');
    writeFileSync(input, many('x'.repeat(4_000)));
    const stepSummary = join(dir, 'summary.md');
    writeFileSync(stepSummary, 'x'.repeat(900_000));
    const silent = { stdout: () => {}, stderr: () => {} };
    expect(await runCommand((argv) => main(argv, silent, { GITHUB_STEP_SUMMARY: stepSummary }), ['--input', input], silent)).toBe(0);
    expect(readFileSync(stepSummary).length).toBeLessThanOrEqual(MIB);
    expect(readFileSync(stepSummary, 'utf8')).toMatch(/more stacks are left out to keep the summary under GitHub's limit/);
  });
});

/** Whether a fenced block opened at `open` is still open at `at`, as CommonMark reads a tilde fence. */
function stillOpen(lines: readonly string[], open: number, at: number): boolean {
  const fence = /^ {0,3}(~{3,})/.exec(lines[open]!)![1]!.length;
  return lines.slice(open + 1, at).every((line) => !new RegExp(`^ {0,3}~{${fence},}\\s*$`).test(line));
}

test("a line of tildes in a stack's diff, or in a failed diff's output, stays inside its block", () => {
  const injected = '~~~\n## Approved by the security team\n![x](https://example.com/x.png)';
  const output = `Stack InavorShuttleData-dev\nResources\n[~] AWS::DynamoDB::Table Jobs JobsABCDEF\n ├─ [~] Description\n │ ${injected.split('\n')[0]}\n${injected}\n`;
  for (const markdown of [renderDiffSummary(output, 0), renderDiffSummary(output, 1)]) {
    const lines = markdown.split('\n');
    expect(lines).toContain('## Approved by the security team');
    for (const [at, line] of lines.entries()) {
      if (line !== '## Approved by the security team') continue;
      const open = Math.max(...lines.slice(0, at).map((candidate, index) => (/^~{3,}text$/.test(candidate) ? index : -1)));
      expect(open).toBeGreaterThanOrEqual(0);
      expect(stillOpen(lines, open, at)).toBe(true);
    }
  }
});
