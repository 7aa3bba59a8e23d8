// One file: the nag report's tests, on the real synth output and on fixture reports, share the in-process runner of the command.
import '@microsoft/jest-sarif';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type { Log } from 'sarif';
import { runCommand } from '../../../scripts/shared/cli';
import { main } from '../../../scripts/nag-report/main';
import { cdkOutDir } from '../../support/cdk-out';
import { synthAllStages, type SynthesizedStages } from '../../support/synth';

const REPO = join(__dirname, '..', '..', '..');
const STAGES = ['dev', 'staging', 'prod'] as const;
const TABLES = ['Shops', 'Jobs', 'ImportHistory'] as const;

/** Runs the report in-process as `npm run nag-report` does; returns its exit code, what it printed and what it wrote. */
async function runReport(dir: string, env: NodeJS.ProcessEnv = {}) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  // Written apart from the reports: the clean folder is the test run's shared cloud assembly.
  const out = tempDir('nag-out-');
  const markdownPath = join(out, 'nag-report.md');
  const sarifPath = join(out, 'nag-report.sarif');
  const output = { stdout: (line: string) => stdout.push(line), stderr: (line: string) => stderr.push(line) };
  const code = await runCommand((argv) => main(argv, { ...output, env }), ['--dir', dir, '--markdown', markdownPath, '--sarif', sarifPath], output);
  const read = (path: string) => {
    try {
      return readFileSync(path, 'utf8');
    } catch {
      return undefined;
    }
  };
  const sarifText = read(sarifPath);
  return {
    code,
    stdout: stdout.join('\n'),
    stderr: stderr.join('\n'),
    markdown: read(markdownPath) ?? '',
    sarif: (sarifText === undefined ? undefined : JSON.parse(sarifText)) as Log,
  };
}

/** The 1-based line of the first line of a repository file whose trimmed text starts with `prefix`. */
function lineStartingWith(file: string, prefix: string): number {
  const index = readFileSync(join(REPO, file), 'utf8')
    .split('\n')
    .findIndex((line) => line.trim().startsWith(prefix));
  expect(index).toBeGreaterThanOrEqual(0);
  return index + 1;
}

const tempDirs: string[] = [];
function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

let cleanDir: string;
let brokenDir: string;
let broken: SynthesizedStages;
beforeAll(() => {
  // What `cdk synth` writes, from the test run's one synthesis.
  cleanDir = cdkOutDir();
  // The same app with PITR off and an AWS-owned key on every table of every stage, and the
  // prod key's rotation off, through the escape hatch a later change might use: 9 x 2 + 1 errors
  // (AwsSolutions-KMS5 reads the typed property and misses the override; DataProtection does not).
  brokenDir = tempDir('nag-broken-');
  broken = synthAllStages(
    (stacks) => {
      for (const stage of STAGES) {
        for (const table of TABLES) {
          const cfn = stacks[stage].tables[table]!.table.node.defaultChild as dynamodb.CfnGlobalTable;
          cfn.addPropertyOverride('Replicas.0.PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled', false);
          cfn.addPropertyOverride('SSESpecification.SSEEnabled', false);
          cfn.addPropertyDeletionOverride('Replicas.0.SSESpecification');
        }
      }
      (stacks.prod.encryptionKey.node.defaultChild as kms.CfnKey).addPropertyOverride('EnableKeyRotation', false);
    },
    { nagReportDir: brokenDir },
  );
});

describe('on the real synth output', () => {
  test('exits 0 and says so when no unsuppressed error remains', async () => {
    const { code, stdout, stderr } = await runReport(cleanDir);
    expect(code).toBe(0);
    expect(stdout).toContain('No unsuppressed nag error.');
    expect(stderr).toBe('');
  });

  test('the Markdown counts every stage and stack for both packs', async () => {
    const { markdown } = await runReport(cleanDir);
    expect(markdown).toContain('✅ No unsuppressed error in 6 reports on 3 stacks.');
    for (const stage of STAGES) {
      expect(markdown).toMatch(new RegExp(`^\\| ${stage} \\| InavorShuttleData-${stage} \\| AwsSolutions \\| \\d+ \\| 0 \\| \\d+ \\| 0 \\|$`, 'm'));
      expect(markdown).toMatch(new RegExp(`^\\| ${stage} \\| InavorShuttleData-${stage} \\| DataProtection \\| \\d+ \\| 0 \\| 0 \\| 0 \\|$`, 'm'));
      expect(markdown).toContain(`### ${stage}: InavorShuttleData-${stage}`);
    }
  });

  test('the SARIF is a valid SARIF 2.1.0 log whose only results are the suppressed backup-role and deploy-role policies', async () => {
    const { sarif } = await runReport(cleanDir);
    expect(sarif).toBeValidSarifLog();
    expect(sarif.version).toBe('2.1.0');
    const suppressed = { 'AwsSolutions-IAM4': [/^InavorShuttleData-\w+\/Backups\/Role\/Resource$/, 'AWS Backup service role'], 'AwsSolutions-IAM5': [/^InavorShuttleData-\w+\/Deploy\/Role\/DefaultPolicy\/Resource$/, 'The deploy role of the promotion pipeline'] } as const;
    const results = sarif.runs[0]!.results!;
    expect(new Set(results.map((result) => result.ruleId))).toEqual(new Set(Object.keys(suppressed)));
    for (const result of results) {
      const [path, justification] = suppressed[result.ruleId as keyof typeof suppressed];
      expect(result.locations![0]!.logicalLocations![0]!.fullyQualifiedName).toMatch(path);
      expect(result.suppressions).toEqual([{ kind: 'inSource', justification: expect.stringContaining(justification) }]);
    }
  });
});

describe('PITR off and an AWS-owned key on every table of every stage', () => {
  test.each(STAGES.flatMap((stage) => TABLES.map((table) => ({ stage, table }))))(
    'synth reports DataProtection-PITR and DataProtection-CMK errors on $table in $stage',
    ({ stage, table }) => {
      // The assembly of the one synth; Annotations.fromStack would synthesize again and re-run nag.
      const messages = broken.app.synth().getStackArtifact(broken.stacks[stage].artifactId).messages;
      const errors = messages
        .filter((message) => message.level === 'error' && message.id === `/InavorShuttleData-${stage}/${table}/Table/Resource`)
        .map((message) => String(message.entry.data).split(':')[0]);
      expect(errors).toEqual(['DataProtection-PITR', 'DataProtection-CMK']);
    },
  );

  test('nag-report exits 1 and lists each unsuppressed error by construct path', async () => {
    const { code, stderr } = await runReport(brokenDir);
    expect(code).toBe(1);
    expect(stderr).toContain(
      'Error DataProtection-PITR at InavorShuttleData-prod/Jobs/Table/Resource: The DynamoDB table does not have point-in-time recovery enabled',
    );
    expect(stderr).toContain('19 unsuppressed nag errors.');
  });

  test('the Markdown shows the failure and each finding\'s construct path', async () => {
    const { markdown } = await runReport(brokenDir);
    expect(markdown).toContain('❌ **19 unsuppressed errors**');
    expect(markdown).toMatch(/^\| prod \| InavorShuttleData-prod \| DataProtection \| \d+ \| 7 \| 0 \| 0 \|$/m);
    expect(markdown).toContain('| Error | DataProtection-CMK | `InavorShuttleData-staging/Shops/Table/Resource` |');
  });

  test('the SARIF is valid and places each table finding on its entry in infra/data/schemas.ts', async () => {
    const { sarif } = await runReport(brokenDir);
    expect(sarif).toBeValidSarifLog();
    const results = sarif.runs[0]!.results!.filter((result) => !result.suppressions?.length);
    expect(results).toHaveLength(19);
    for (const table of TABLES) {
      const tableResults = results.filter((result) => result.locations![0]!.logicalLocations![0]!.fullyQualifiedName!.includes(`/${table}/`));
      expect(tableResults).toHaveLength(6);
      for (const result of tableResults) {
        expect(result.level).toBe('error');
        expect(result.locations![0]!.physicalLocation).toEqual({
          artifactLocation: { uri: 'infra/data/schemas.ts', uriBaseId: '%SRCROOT%' },
          region: { startLine: lineStartingWith('infra/data/schemas.ts', `name: '${table}',`) },
        });
      }
    }
  });

  test('the SARIF places the key finding where infra/cdk/stacks/data-stack.ts creates the key', async () => {
    const { sarif } = await runReport(brokenDir);
    const keyResults = sarif.runs[0]!.results!.filter((result) => result.ruleId === 'DataProtection-KeyRotation');
    expect(keyResults).toHaveLength(1);
    expect(keyResults[0]!.locations![0]!.physicalLocation!).toEqual({
      artifactLocation: { uri: 'infra/cdk/stacks/data-stack.ts', uriBaseId: '%SRCROOT%' },
      region: { startLine: lineStartingWith('infra/cdk/stacks/data-stack.ts', "this.encryptionKey = new StageKey(this, 'DataKey'") },
    });
  });
});

describe('on fixture reports', () => {
  const line = (fields: Partial<Record<string, string>>) => ({
    ruleId: 'DataProtection-PITR',
    resourceId: 'InavorShuttleData-prod/Jobs/Table/Resource',
    compliance: 'Compliant',
    exceptionReason: 'N/A',
    ruleLevel: 'Error',
    ruleInfo: 'The DynamoDB table does not have point-in-time recovery enabled.',
    ...fields,
  });
  /** An AwsSolutions report with no line: every data stack has one beside its DataProtection report. */
  const awsSolutions = (stack: string) => ({ [`AwsSolutions--${stack}-NagReport.json`]: { lines: [] } });
  function fixtureDir(files: Record<string, unknown>): string {
    const dir = tempDir('nag-fixture-');
    for (const [name, content] of Object.entries(files)) {
      writeFileSync(join(dir, name), typeof content === 'string' ? content : JSON.stringify(content));
    }
    return dir;
  }

  test('a suppressed error does not fail; its reason is in the Markdown and the SARIF', async () => {
    const reason = 'Restored from a backup in INC-42 | PITR re-enabled by the restore job';
    const dir = fixtureDir({
      ...awsSolutions('InavorShuttleData-prod'),
      'DataProtection--InavorShuttleData-prod-NagReport.json': {
        lines: [line({ compliance: 'Suppressed', exceptionReason: reason }), line({ ruleId: 'DataProtection-CMK' })],
      },
    });
    const { code, markdown, sarif } = await runReport(dir);
    expect(code).toBe(0);
    expect(markdown).toContain('| prod | InavorShuttleData-prod | DataProtection | 1 | 0 | 1 | 0 |');
    expect(markdown).toContain(
      '| DataProtection-PITR | `InavorShuttleData-prod/Jobs/Table/Resource` | Restored from a backup in INC-42 \\| PITR re-enabled by the restore job |',
    );
    expect(sarif).toBeValidSarifLog();
    expect(sarif.runs[0]!.results).toEqual([
      expect.objectContaining({ ruleId: 'DataProtection-PITR', suppressions: [{ kind: 'inSource', justification: reason }] }),
    ]);
  });

  test('warnings are listed but do not fail', async () => {
    const dir = fixtureDir({
      ...awsSolutions('InavorShuttleData-dev'),
      'DataProtection--InavorShuttleData-dev-NagReport.json': {
        lines: [line({ ruleId: 'DataProtection-TTL', ruleLevel: 'Warning', compliance: 'Non-Compliant', resourceId: 'InavorShuttleData-dev/Jobs/Table/Resource' })],
      },
    });
    const { code, markdown, sarif } = await runReport(dir);
    expect(code).toBe(0);
    expect(markdown).toContain('| Warning | DataProtection-TTL | `InavorShuttleData-dev/Jobs/Table/Resource` |');
    expect(sarif.runs[0]!.results![0]!.level).toBe('warning');
  });

  test('a stack outside the stages is reported without a stage and located at the DataStack class', async () => {
    const dir = fixtureDir({
      'AwsSolutions--Elsewhere-NagReport.json': {
        lines: [line({ ruleId: 'AwsSolutions-IAM5', compliance: 'Non-Compliant', resourceId: 'Elsewhere/Role/Resource' })],
      },
    });
    const { code, markdown, sarif } = await runReport(dir);
    expect(code).toBe(1);
    expect(markdown).toContain('| — | Elsewhere | AwsSolutions | 0 | 1 | 0 | 0 |');
    expect(sarif.runs[0]!.results![0]!.locations![0]!.physicalLocation!.region).toEqual({
      startLine: lineStartingWith('infra/cdk/stacks/data-stack.ts', 'export class DataStack'),
    });
  });

  test('appends the Markdown to $GITHUB_STEP_SUMMARY when it is set', async () => {
    const dir = fixtureDir({ ...awsSolutions('InavorShuttleData-dev'), 'DataProtection--InavorShuttleData-dev-NagReport.json': { lines: [line({})] } });
    const summary = join(dir, 'summary.md');
    writeFileSync(summary, '# earlier step\n');
    const { markdown } = await runReport(dir, { GITHUB_STEP_SUMMARY: summary });
    expect(readFileSync(summary, 'utf8')).toBe(`# earlier step\n${markdown}`);
  });

  test("a report too large for a job summary is cut to GitHub's 1 MiB there, saying where the whole one is", async () => {
    // 6,000 suppressions with a long reason: about 6 MB of Markdown.
    const reason = `Accepted in review: ${'the table is rebuilt nightly from the source of truth; '.repeat(18)}`;
    const lines = Array.from({ length: 6_000 }, (_, index) =>
      line({ ruleId: 'AwsSolutions-IAM5', compliance: 'Suppressed', exceptionReason: reason, resourceId: `InavorShuttleData-dev/Role${index}/Resource` }),
    );
    const dir = fixtureDir({ 'AwsSolutions--InavorShuttleData-dev-NagReport.json': { lines }, 'DataProtection--InavorShuttleData-dev-NagReport.json': { lines: [] } });
    const summary = join(dir, 'summary.md');
    writeFileSync(summary, '# earlier step\n');
    const { code, markdown } = await runReport(dir, { GITHUB_STEP_SUMMARY: summary });
    expect(code).toBe(0);
    expect(Buffer.byteLength(markdown)).toBeGreaterThan(5 * 1024 * 1024);
    const appended = readFileSync(summary, 'utf8');
    expect(Buffer.byteLength(appended)).toBeLessThanOrEqual(1024 * 1024);
    expect(appended.startsWith(`# earlier step\n${markdown.slice(0, 1_000)}`)).toBe(true);
    expect(appended).toMatch(/\n… cut here to keep the job summary under GitHub's 1 MiB; the whole report is \S+nag-report\.md \(in CI, the cdk-out artifact\)\.\n$/);
  });

  test("a finding's text is printed escaped: no terminal escape or line break forges a line", async () => {
    const dir = fixtureDir({
      ...awsSolutions('InavorShuttleData-dev'),
      'DataProtection--InavorShuttleData-dev-NagReport.json': {
        lines: [line({ compliance: 'Non-Compliant', resourceId: 'InavorShuttleData-dev/Jobs/Table/Resource', ruleInfo: 'Bad\u001b[2K\nNo unsuppressed nag error.' })],
      },
    });
    const { code, stderr } = await runReport(dir);
    expect(code).toBe(1);
    expect(stderr.split('\n')).toEqual([
      'Error DataProtection-PITR at InavorShuttleData-dev/Jobs/Table/Resource: Bad\\x1b[2K\\x0aNo unsuppressed nag error.',
      '1 unsuppressed nag error.',
    ]);
  });

  test('a construct path with a backtick stays one piece of inline code', async () => {
    const dir = fixtureDir({
      ...awsSolutions('InavorShuttleData-dev'),
      'DataProtection--InavorShuttleData-dev-NagReport.json': { lines: [line({ compliance: 'Non-Compliant', ruleLevel: 'Warning', resourceId: 'InavorShuttleData-dev/Odd`Name/Resource' })] },
    });
    const { markdown } = await runReport(dir);
    expect(markdown).toContain('| Warning | DataProtection-PITR | `` InavorShuttleData-dev/Odd`Name/Resource `` |');
  });

  test('reports of stacks missing from the manifest are left over from an earlier synth and are skipped', async () => {
    const dir = fixtureDir({
      'manifest.json': { artifacts: { 'InavorShuttleData-prod': { type: 'aws:cloudformation:stack', properties: {} } } },
      ...awsSolutions('InavorShuttleData-prod'),
      'DataProtection--InavorShuttleData-prod-NagReport.json': { lines: [line({})] },
      'DataProtection--InavorShuttleData-dev-NagReport.json': {
        lines: [line({ compliance: 'Non-Compliant', resourceId: 'InavorShuttleData-dev/Jobs/Table/Resource' })],
      },
    });
    const { code, markdown } = await runReport(dir);
    expect(code).toBe(0);
    expect(markdown).toContain('| prod | InavorShuttleData-prod | DataProtection | 1 | 0 | 0 | 0 |');
    expect(markdown).not.toContain('InavorShuttleData-dev');
  });

  test('exits 2 with a one-line message when the manifest is not JSON or a report is null', async () => {
    // A short file is quoted in the parser's message, its line break with it.
    const badManifest = fixtureDir({ 'manifest.json': 'nope\n', 'DataProtection--InavorShuttleData-dev-NagReport.json': { lines: [] } });
    expect(await runReport(badManifest)).toMatchObject({ code: 2, stderr: expect.stringMatching(/^Error: .*manifest\.json is not valid JSON: [^\n]*$/) });
    const nullReport = fixtureDir({ 'DataProtection--InavorShuttleData-dev-NagReport.json': 'null' });
    expect(await runReport(nullReport)).toMatchObject({ code: 2, stderr: expect.stringContaining('is not a cdk-nag JSON report') });
  });

  const stackArtifact = { type: 'aws:cloudformation:stack', properties: {} };

  test('exits 2 naming the stack when a stack in the manifest has no report of a pack', async () => {
    const dir = fixtureDir({
      'manifest.json': { artifacts: { 'InavorShuttleData-dev': stackArtifact, 'InavorShuttleData-prod': stackArtifact } },
      'AwsSolutions--InavorShuttleData-dev-NagReport.json': { lines: [line({})] },
      'DataProtection--InavorShuttleData-dev-NagReport.json': { lines: [line({})] },
      'AwsSolutions--InavorShuttleData-prod-NagReport.json': { lines: [line({})] },
    });
    expect(await runReport(dir)).toMatchObject({
      code: 2,
      stderr: `Error: InavorShuttleData-prod is in ${join(dir, 'manifest.json')} but has no DataProtection nag report; run \`npx cdk synth\` again.`,
    });
  });

  test('exits 2 when one pack has no report for any stack of the manifest', async () => {
    const dir = fixtureDir({
      'manifest.json': { artifacts: { 'InavorShuttleData-dev': stackArtifact, 'InavorShuttleData-prod': stackArtifact } },
      ...awsSolutions('InavorShuttleData-dev'),
      ...awsSolutions('InavorShuttleData-prod'),
    });
    expect(await runReport(dir)).toMatchObject({
      code: 2,
      stderr: `Error: InavorShuttleData-dev is in ${join(dir, 'manifest.json')} but has no DataProtection nag report; run \`npx cdk synth\` again.`,
    });
  });

  test('exits 2 when a data stack has no AwsSolutions report, without a manifest too', async () => {
    const dir = fixtureDir({ 'DataProtection--InavorShuttleData-prod-NagReport.json': { lines: [line({})] } });
    expect(await runReport(dir)).toMatchObject({
      code: 2,
      stderr: `Error: InavorShuttleData-prod in ${dir} has no AwsSolutions nag report; run \`npx cdk synth\` again.`,
    });
  });

  test.each([
    ['compliance', { compliance: 'Passed' }, 'Compliant, Non-Compliant, Suppressed, UNKNOWN'],
    ['ruleLevel', { compliance: 'Non-Compliant', ruleLevel: 'Critical' }, 'Error, Warning, Info'],
  ])('exits 2 on a finding whose %s cdk-nag never writes, instead of counting it clean', async (field, fields, known) => {
    const dir = fixtureDir({ ...awsSolutions('InavorShuttleData-prod'), 'DataProtection--InavorShuttleData-prod-NagReport.json': { lines: [line({}), line(fields)] } });
    const file = join(dir, 'DataProtection--InavorShuttleData-prod-NagReport.json');
    expect(await runReport(dir)).toMatchObject({
      code: 2,
      stderr: `Error: ${file}: line 2 (DataProtection-PITR at InavorShuttleData-prod/Jobs/Table/Resource) has ${field} "${Object.values(fields).at(-1)}", not one of ${known}: not what cdk-nag writes.`,
    });
  });

  test.each([
    ['empty', {}],
    ['null', null],
    ['not an object', 'stacks'],
  ])('exits 2 naming the manifest when its artifacts are %s, though reports are there', async (_, artifacts) => {
    const dir = fixtureDir({
      'manifest.json': { artifacts },
      'DataProtection--InavorShuttleData-dev-NagReport.json': { lines: [line({})] },
    });
    expect(await runReport(dir)).toMatchObject({
      code: 2,
      stderr: `Error: ${join(dir, 'manifest.json')} has no artifacts (expected an object of them, as cdk synth writes); run \`npx cdk synth\` again.`,
    });
  });

  test('an unwritable $GITHUB_STEP_SUMMARY ends in one line naming it, before either report is written', async () => {
    const dir = fixtureDir({ ...awsSolutions('InavorShuttleData-dev'), 'DataProtection--InavorShuttleData-dev-NagReport.json': { lines: [line({})] } });
    const summary = join(dir, 'missing', 'summary.md');
    const result = await runReport(dir, { GITHUB_STEP_SUMMARY: summary });
    expect(result).toMatchObject({ code: 2, stderr: `Error: cannot append to ${summary}: ${join(dir, 'missing')} is not an existing folder.`, markdown: '' });
    expect(result.sarif).toBeUndefined();
  });

  test('exits 2 with a one-line message when a report is not a cdk-nag report', async () => {
    const dir = fixtureDir({ 'DataProtection--InavorShuttleData-dev-NagReport.json': '{"rows": []}' });
    const { code, stderr } = await runReport(dir);
    expect(code).toBe(2);
    expect(stderr).toBe(`Error: ${join(dir, 'DataProtection--InavorShuttleData-dev-NagReport.json')} is not a cdk-nag JSON report (expected {"lines": [...]}).`);
  });
});

test('the CLI exits 2 with a clear message when synth has not run', async () => {
  const empty = tempDir('nag-empty-');
  const { code, stderr } = await runReport(empty);
  expect(code).toBe(2);
  expect(stderr).toBe(`Error: no cdk-nag JSON report in ${empty}; run \`npx cdk synth\` first.`);
});
