import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import type { CfnTemplate } from '../../../infra/policy/cfn-template';
import { STAGE_NAMES, type StageName } from '../../../infra/data/stages';
import { runCommand } from '../../../scripts/shared/cli';
import { formatResults, type CheckResult } from '../../../scripts/verify/checks';
import { main as rehearse } from '../../../scripts/rehearse/main';
import { isIgnoredFinding, lintTemplates } from '../../../scripts/rehearse/cfn-lint';
import { TESTS_MOTO_CANNOT_DECIDE, localTableSuites } from '../../../scripts/rehearse/jest-on-moto';
import { onPath } from '../../../scripts/rehearse/moto-server';
import { MOTO_GAPS, Rehearsal, resultLines } from '../../../scripts/rehearse/report';
import { stageTemplateJson } from '../../support/cdk-out';

/** The rehearsal itself needs moto (npm run rehearse); these tests check its parts without it. */

test('without moto_server, cfn-lint and the AWS CLI on PATH, the rehearsal stops in one line saying how to install them', async () => {
  const empty = mkdtempSync(join(tmpdir(), 'no-tools-'));
  const path = process.env.PATH;
  process.env.PATH = empty;
  try {
    const stdout: string[] = [];
    const stderr: string[] = [];
    const code = await runCommand((argv) => rehearse(argv, (line) => stdout.push(line)), [], {
      stdout: (line) => stdout.push(line),
      stderr: (line) => stderr.push(line),
    });
    expect({ code, stdout, stderr }).toEqual({
      code: 2,
      stdout: [],
      stderr: ['Error: moto_server, cfn-lint and aws not found on PATH: pip install "moto[server]" cfn-lint awscli'],
    });
  } finally {
    process.env.PATH = path;
    rmSync(empty, { recursive: true, force: true });
  }
});

describe('a tool that hangs, or a moto that exits early, never keeps the rehearsal running', () => {
  let bin: string;
  let pidFile: string;
  const saved = { ...process.env };
  const templates = () => Object.fromEntries(STAGE_NAMES.map((stage) => [stage, stageTemplateJson(stage)])) as Record<StageName, CfnTemplate>;
  const alive = (pid: number) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };

  beforeAll(() => {
    bin = mkdtempSync(join(tmpdir(), 'hung-tools-'));
    pidFile = join(bin, 'cfn-lint.pid');
    // A cfn-lint that never ends, and a moto_server that exits once cfn-lint runs.
    writeFileSync(join(bin, 'cfn-lint'), `#!/bin/sh\necho $$ > ${pidFile}\nexec sleep 600\n`, { mode: 0o755 });
    writeFileSync(join(bin, 'moto_server'), `#!/bin/sh\nwhile [ ! -s ${pidFile} ]; do sleep 0.05; done\necho 'OSError: [Errno 98] Address already in use' >&2\nexit 1\n`, { mode: 0o755 });
    process.env.PATH = `${bin}${delimiter}${saved.PATH}`;
  });
  afterAll(() => {
    // Whatever the rehearsal set (its credentials for moto) goes with it.
    for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
    Object.assign(process.env, saved);
    rmSync(bin, { recursive: true, force: true });
  });

  test('moto exiting before it answers ends the run in one line, with cfn-lint stopped', async () => {
    const stdout: string[] = [];
    const stderr: string[] = [];
    const output = { stdout: (line: string) => stdout.push(line), stderr: (line: string) => stderr.push(line) };
    const code = await runCommand((argv) => rehearse(argv, output.stdout, templates), [], output);
    const pid = Number(readFileSync(pidFile, 'utf8'));
    try {
      expect({ code, stderr }).toEqual({ code: 2, stderr: ['Error: moto_server exited before answering: OSError: [Errno 98] Address already in use.'] });
      expect(alive(pid)).toBe(false);
    } finally {
      if (alive(pid)) process.kill(pid, 'SIGKILL');
    }
  });

  test('a cfn-lint that does not finish in its time is stopped and reported as a failed check', async () => {
    const scratch = mkdtempSync(join(tmpdir(), 'hung-lint-'));
    rmSync(pidFile, { force: true });
    try {
      const started = Date.now();
      const report = await lintTemplates(templates(), scratch, { timeoutMs: 500 });
      expect(Date.now() - started).toBeLessThan(10_000);
      if (existsSync(pidFile)) expect(alive(Number(readFileSync(pidFile, 'utf8')))).toBe(false);
      const lines: string[] = [];
      const rehearsal = new Rehearsal((line) => lines.push(line));
      report(rehearsal);
      expect(lines).toContain('FAIL  cfn-lint ran: it did not finish within 0.5 s and was stopped');
      expect(rehearsal.finish(1)).toBe(1);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });
});

test('a tool is found on PATH only as an executable file', () => {
  expect(onPath('node', process.env.PATH)).toBe(true);
  expect(onPath('node', '')).toBe(false);
  expect(onPath('no-such-tool-anywhere', process.env.PATH)).toBe(false);
});

describe('cfn-lint findings', () => {
  const template: CfnTemplate = {
    Resources: { Board: { Type: 'AWS::CloudWatch::Dashboard' }, Alarm: { Type: 'AWS::CloudWatch::Alarm' } },
  };
  const finding = (rule: string, path: string[]) => ({
    Filename: 'x.json',
    Message: "Additional properties are not allowed ('Tags' was unexpected)",
    Rule: { Id: rule },
    Location: { Path: path, Start: { LineNumber: 1 } },
  });

  test("only E3002 on a dashboard's Tags is ignored: cfn-lint's schema predates them", () => {
    expect(isIgnoredFinding(finding('E3002', ['Resources', 'Board', 'Properties', 'Tags']), template)).toBe(true);
  });

  test.each([
    ['on another resource type', finding('E3002', ['Resources', 'Alarm', 'Properties', 'Tags'])],
    ['on another property of the dashboard', finding('E3002', ['Resources', 'Board', 'Properties', 'DashboardBody'])],
    ['inside the Tags of the dashboard', finding('E3002', ['Resources', 'Board', 'Properties', 'Tags', '0'])],
    ['of another rule', finding('E3012', ['Resources', 'Board', 'Properties', 'Tags'])],
  ])('a finding %s counts', (_, counted) => {
    expect(isIgnoredFinding(counted, template)).toBe(false);
  });
});

test("verify's result lines are read back with their status, table and check, names with spaces included", () => {
  const results: CheckResult[] = [
    { table: 'Jobs-prod', check: 'point-in-time recovery', status: 'FAIL', detail: 'DISABLED; expected ENABLED, 35 days' },
    { table: 'Jobs-prod', check: 'ttl', status: 'PASS', detail: 'ENABLED on expiresAt' },
    { table: 'Shops-prod', check: 'encryption', status: 'UNSUPPORTED', detail: 'no KMS' },
  ];
  const lines = formatResults(results).map((line) => `  ${line}`);
  expect(resultLines(lines)).toEqual(results.map(({ status, table, check }) => ({ status, table, check })));
});

test('the rehearsal counts failures for its exit code and lists what moto cannot answer once each', () => {
  const lines: string[] = [];
  const rehearsal = new Rehearsal((line) => lines.push(line));
  rehearsal.check('a thing that holds', true);
  rehearsal.notChecked('a disabled key', MOTO_GAPS.disabledKeys);
  rehearsal.notChecked('another disabled key', MOTO_GAPS.disabledKeys);
  expect(rehearsal.finish(1)).toBe(0);
  expect(lines.filter((line) => line === `  - ${MOTO_GAPS.disabledKeys}`)).toHaveLength(1);
  rehearsal.check('a thing that broke', false, 'found this');
  expect(lines).toContain('FAIL  a thing that broke: found this');
  expect(rehearsal.finish(1)).toBe(1);
});

test('every suite that uses the local tables runs on moto, and each test left out names a gap of moto', () => {
  expect(localTableSuites()).toEqual(expect.arrayContaining(['test/infra/client/jobs/jobs-client.test.ts', 'test/infra/client/import-history/import-history-client.test.ts', 'test/infra/client/redact/redact-shop.test.ts']));
  for (const { reason } of TESTS_MOTO_CANNOT_DECIDE) expect(Object.values(MOTO_GAPS)).toContain(reason);
  // A test left out by name must still be there under that name, or the list would leave out nothing.
  const sources = localTableSuites().map((suite) => require('node:fs').readFileSync(join(__dirname, '..', '..', '..', suite), 'utf8') as string).join('\n');
  for (const { name } of TESTS_MOTO_CANNOT_DECIDE) expect([name, sources.includes(name)]).toEqual([name, true]);
});

test('docs/decisions/0062-rehearsal-on-moto.md lists every gap of moto the rehearsal reports', () => {
  const decision = readFileSync(join(__dirname, '..', '..', '..', 'docs', 'decisions', '0062-rehearsal-on-moto.md'), 'utf8');
  for (const gap of Object.values(MOTO_GAPS)) expect(decision).toContain(gap);
});
