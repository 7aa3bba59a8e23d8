// One file: the contract every command keeps is one table with a row per command (CLIS), run by one set of cases.
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { IDENTITY_BASELINE_FILE } from '../../../infra/policy/table-identity';
import { main as bench } from '../../../scripts/bench/main';
import { main as buildClient } from '../../../scripts/build-client/main';
import { main as diffSummary } from '../../../scripts/diff-summary/main';
import { main as docs } from '../../../scripts/docs/main';
import { runCommand, type CliOutput } from '../../../scripts/shared/cli';
import { NETWORK_LIMITS, createClients, createKmsClient, type NetworkLimits } from '../../../scripts/shared/clients';
import { createCloudFormationClient } from '../../../scripts/shared/stage-key-identity';
import { main as lintWorkflows } from '../../../scripts/lint-workflows/main';
import { main as local } from '../../../scripts/local/main';
import { main as nagReport } from '../../../scripts/nag-report/main';
import { main as rehearse } from '../../../scripts/rehearse/main';
import { main as restore } from '../../../scripts/restore/main';
import { main as sessions } from '../../../scripts/sessions/main';
import { main as tokenCost } from '../../../scripts/token-cost/main';
import { main as baselineUpdate } from '../../../scripts/baseline/main';
import { main as testLifecycle } from '../../../scripts/test-lifecycle/main';
import { main as verify } from '../../../scripts/verify/main';
import { startLocalEngine } from '../../../scripts/shared/local-engine';
import { devTemplate } from '../../support/dev-template';
import { nodeArgvOf } from '../../support/npm-script';

/**
 * The contract every command-line tool keeps: `--help` prints its usage and does nothing else;
 * an unknown flag or a malformed value is one `Error:` line (and at most a usage line), exit 2; a
 * path it cannot use is one line naming the path; an endpoint that never answers, or is not
 * DynamoDB, is one line naming the endpoint. A new CLI is one more row of CLIS.
 */

const REPO = join(__dirname, '..', '..', '..');
// Short limits where no answer is awaited: an endpoint that never answers is waited on for exactly
// the limit, whatever the machine's speed. An endpoint that answers is given the commands' own limits.
const SHORT_LIMITS: NetworkLimits = { connectionTimeoutMs: 1_000, requestTimeoutMs: 25, maxAttempts: 2 };

type Run = (argv: string[], output: CliOutput, limits: NetworkLimits) => Promise<number>;

interface CliRow {
  /** The npm script, as its usage names it. */
  readonly name: string;
  /** Runs the CLI's main in this process. */
  readonly run: Run;
  /** Arguments that would make the CLI act (write, listen, connect), given beside --help and --bogus. */
  readonly actingArgs: () => string[];
  /** What the CLI would change if it acted; must be the same before and after --help or a usage error. */
  readonly footprint: () => unknown;
  /** Command lines with a malformed or empty value, one case each. */
  readonly malformed: readonly string[][];
  /** For a CLI with options: a command line that would act, with one option given twice. */
  readonly twice?: () => string[];
  /** Arguments naming a path the CLI cannot use, and that path. */
  readonly badPath?: () => { argv: string[]; path: string };
  /**
   * For a CLI that talks to AWS: arguments and a run that send its requests to `endpoint`, and the
   * service it asks first (DynamoDB unless said).
   */
  readonly network?: (endpoint: string) => { argv: string[]; run?: Run; service?: string };
}

let scratch: string;
let nagDir: string;
let hanging: Server;
let hangingEndpoint: string;
let connections = 0;
let jestRuns = 0;
let plainHttpEndpoint: string;
const sockets = new Set<Socket>();
const closers: Array<() => void> = [];

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'cli-contract-'));
  nagDir = join(scratch, 'cdk.out');
  mkdirSync(nagDir);
  for (const pack of ['AwsSolutions', 'DataProtection']) writeFileSync(join(nagDir, `${pack}--InavorShuttleData-dev-NagReport.json`), JSON.stringify({ lines: [] }));

  // Accepts connections and never answers.
  hanging = createServer((socket) => {
    connections += 1;
    sockets.add(socket);
  });
  await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
  hangingEndpoint = `http://127.0.0.1:${(hanging.address() as AddressInfo).port}`;
  closers.push(() => {
    for (const socket of sockets) socket.destroy();
    hanging.close();
  });

  // Answers every request with a web page.
  const plain = createHttpServer((_, response) => response.end('<html>It works!</html>'));
  await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', resolve));
  plainHttpEndpoint = `http://127.0.0.1:${(plain.address() as AddressInfo).port}`;
  closers.push(() => plain.close());
});

afterAll(() => {
  for (const close of closers) close();
  rmSync(scratch, { recursive: true, force: true });
});

const modified = (path: string) => statSync(path).mtimeMs;

const CLIS: readonly CliRow[] = [
  {
    name: 'local',
    run: (argv, output, limits) => local(argv, { print: output.stdout, loadTemplate: async () => devTemplate(), limits }),
    actingArgs: () => ['--port', '0', '--path', join(scratch, 'local-data')],
    footprint: () => existsSync(join(scratch, 'local-data')),
    malformed: [['--port', '1e3']],
    twice: () => ['--port', '0', '--path', join(scratch, 'local-data'), '--port', '0'],
    badPath: () => ({ argv: ['--port', '0', '--path', '/proc'], path: '/proc' }),
    network: (endpoint) => ({
      argv: ['--port', '0'],
      // The engine is replaced by the endpoint under test: local's clients meet it as they would the engine.
      run: (argv, output, limits) =>
        local(argv, {
          print: output.stdout,
          loadTemplate: async () => devTemplate(),
          startEngine: async () => ({ endpoint, close: async () => {} }),
          limits,
        }),
    }),
  },
  {
    name: 'verify',
    run: (argv, output, limits) => verify(argv, output.stdout, limits),
    actingArgs: () => ['--stage', 'dev', '--endpoint', hangingEndpoint],
    footprint: () => connections,
    // Without the refusal the last would win: prod verified when dev was asked first.
    twice: () => ['--stage', 'dev', '--stage', 'prod', '--endpoint', hangingEndpoint],
    malformed: [
      ['--stage', 'dev', '--region', ''],
      ['--stage', 'dev', '--region', 'us-east-l'],
      ['--stage', 'dev', '--endpoint', 'http://user:secret@127.0.0.1:8000'],
    ],
    // The stage key is looked up first, through the same endpoint.
    network: (endpoint) => ({ argv: ['--stage', 'dev', '--endpoint', endpoint], service: 'KMS' }),
  },
  {
    name: 'nag-report',
    run: (argv, output) => nagReport(argv, { ...output, env: {} }),
    actingArgs: () => ['--dir', nagDir],
    footprint: () => readdirSync(nagDir).sort(),
    malformed: [['--markdown']],
    twice: () => ['--dir', nagDir, '--sarif', join(scratch, 'a.sarif'), '--sarif', join(scratch, 'b.sarif')],
    badPath: () => ({ argv: ['--dir', nagDir, '--sarif', '/proc/nope/x.sarif'], path: '/proc/nope/x.sarif' }),
  },
  {
    name: 'docs',
    run: (argv, output) => docs(argv, output),
    actingArgs: () => [],
    footprint: () => modified(join(REPO, 'docs', 'database-schema.md')),
    malformed: [['database-schema.md']],
  },
  {
    name: 'baseline:update',
    run: (argv) => baselineUpdate(argv),
    actingArgs: () => [],
    footprint: () => modified(join(REPO, IDENTITY_BASELINE_FILE)),
    malformed: [['prod']],
  },
  {
    name: 'restore',
    run: (argv, output) => restore(argv, output.stdout),
    actingArgs: () => ['--stage', 'prod', '--table', 'Jobs', '--latest', '--execute', '--target', 'Jobs-prod-contract'],
    footprint: () => connections,
    twice: () => ['--stage', 'prod', '--table', 'Jobs', '--latest', '--execute', '--execute', '--endpoint', hangingEndpoint],
    malformed: [
      ['--stage', 'prod', '--table', 'Jobs', '--to', 'yesterday'],
      ['--stage', 'prod', '--table', 'Jobs', '--latest', '--execute', '--poll-interval', '1e308'],
      ['--stage', 'prod', '--table', 'Jobs', '--latest', '--execute', '--poll-interval', '0'],
      ['--stage', 'prod', '--table', 'Jobs', '--latest', '--execute', '--max-wait', '1e308'],
      ['--stage', 'prod', '--table', 'Jobs', '--latest', '--endpoint', 'ftp://127.0.0.1:1'],
    ],
    network: (endpoint) => ({
      argv: ['--stage', 'prod', '--table', 'Jobs', '--latest'],
      service: 'KMS',
      // Every one of its clients is sent to the endpoint under test, with the test's limits.
      run: (argv, output, limits) =>
        restore(argv, output.stdout, undefined, (region) => ({
          dynamodb: createClients({ region, endpoint, local: true, limits }).client,
          kms: createKmsClient({ region, endpoint, local: true, limits }),
          cloudformation: createCloudFormationClient({ region, endpoint, local: true, limits }),
        })),
    }),
  },
  {
    name: 'sessions',
    run: (argv, output) => sessions(argv, output.stdout),
    actingArgs: () => ['--storage', join(scratch, 'sessions.cjs'), '--execute'],
    // It changes only what the app's module gives it; with no module there is nothing it could act on.
    footprint: () => existsSync(join(scratch, 'sessions.cjs')),
    malformed: [['--storage', 'sessions.cjs', '--after'], ['--storage', '']],
    badPath: () => ({ argv: ['--storage', '/proc/nope/sessions.cjs'], path: '/proc/nope/sessions.cjs' }),
  },
  {
    name: 'rehearse',
    run: (argv, output) => rehearse(argv, output.stdout),
    actingArgs: () => [],
    // Acting would start moto and print; the output checks rule that out.
    footprint: () => null,
    malformed: [['stage']],
  },
  {
    name: 'bench',
    run: (argv, output) => bench(argv, output.stdout),
    actingArgs: () => ['--rounds', '1', '--ops', '1'],
    // It only measures against its own in-process engine and prints; the output checks rule acting out.
    footprint: () => null,
    // Unbounded counts would run for days or fill memory: both are bounded.
    malformed: [['--rounds', '0'], ['--rounds', '51'], ['--ops', '1e12'], ['--ops', '1001']],
    twice: () => ['--rounds', '1', '--ops', '1', '--rounds', '1'],
  },
  {
    name: 'build:client',
    run: (argv, output) => buildClient(argv, output.stdout),
    actingArgs: () => ['--out-dir', join(scratch, 'client-dist')],
    footprint: () => existsSync(join(scratch, 'client-dist')),
    // The folder is removed before the build: the checkout, or a folder holding it, never is.
    malformed: [['--out-dir', ''], ['--out-dir', REPO], ['--out-dir', dirname(REPO)]],
    twice: () => ['--out-dir', join(scratch, 'client-dist'), '--out-dir', join(scratch, 'other-dist')],
    badPath: () => ({ argv: ['--out-dir', '/proc/nope/dist'], path: '/proc/nope/dist' }),
  },
  {
    name: 'diff-summary',
    run: (argv, output) => diffSummary(argv, output, { GITHUB_STEP_SUMMARY: join(scratch, 'summary.md') }),
    actingArgs: () => ['--input', join(REPO, 'package.json')],
    footprint: () => existsSync(join(scratch, 'summary.md')),
    twice: () => ['--input', join(REPO, 'package.json'), '--exit-code', '1', '--exit-code', '0'],
    malformed: [
      ['--input', join(REPO, 'package.json'), '--exit-code', 'one'],
      ['--input', join(REPO, 'package.json'), '--exit-code', '1e3'],
    ],
    badPath: () => ({ argv: ['--input', join(scratch, 'no-diff.txt')], path: join(scratch, 'no-diff.txt') }),
  },
  {
    name: 'token-cost',
    run: (argv, output) => tokenCost(argv, output.stdout),
    actingArgs: () => ['--iterations', '1'],
    // It only measures and prints; acting would print, which the output checks rule out.
    footprint: () => null,
    twice: () => ['--iterations', '1', '--iterations', '1'],
    malformed: [
      ['--iterations', 'many'],
      // Node's parser words this one over several lines; it is still one.
      ['--iterations', '-1'],
      ['--iterations', '1e12'],
    ],
  },
  {
    name: 'test:lifecycle',
    // Jest is replaced by a counter: acting would start it.
    run: (argv) => testLifecycle(argv, async () => (jestRuns += 1) && 0),
    actingArgs: () => ['--runs', '1'],
    footprint: () => jestRuns,
    // Past 100,000 runs the test's time limit would overflow Node's timers and fire at once.
    malformed: [['--runs', '0'], ['--runs', 'many'], ['--runs=1e3'], ['--runs', '100001'], ['--seed', '-1'], ['--seed', '2147483648']],
    twice: () => ['--runs', '1', '--runs=5'],
  },
  {
    name: 'lint:workflows',
    run: (argv, output) => lintWorkflows(argv, output),
    actingArgs: () => [join(REPO, '.github', 'workflows', 'ci.yml')],
    // It writes nothing; acting would print findings, which the output checks rule out.
    footprint: () => null,
    malformed: [['']],
    badPath: () => ({ argv: [join(scratch, 'missing.yml')], path: join(scratch, 'missing.yml') }),
  },
];

async function run(argv: string[], runner: Run, limits = SHORT_LIMITS) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const output: CliOutput = { stdout: (line) => stdout.push(line), stderr: (line) => stderr.push(line) };
  const code = await runCommand((args) => runner(args, output, limits), argv, output);
  return { code, stdout, stderr };
}

/** A usage error: one `Error:` line, then at most the usage's first line; nothing on stdout. */
function expectUsageError(result: { code: number; stdout: string[]; stderr: string[] }, name: string) {
  expect(result.code).toBe(2);
  expect(result.stdout).toEqual([]);
  expect(result.stderr[0]).toMatch(/^Error: \S[^\n]*$/);
  expect(result.stderr.slice(1)).toEqual(result.stderr.length > 1 ? [expect.stringMatching(new RegExp(`^Usage: npm run ${name}\\b`))] : []);
}

describe.each(CLIS)('npm run $name', (cli) => {
  test('--help prints the usage and does nothing else, whatever else is given', async () => {
    const before = cli.footprint();
    for (const help of ['--help', '-h']) {
      const { code, stdout, stderr } = await run([...cli.actingArgs(), help, '--bogus'], cli.run);
      expect({ code, stderr }).toEqual({ code: 0, stderr: [] });
      expect(stdout).toEqual([expect.stringMatching(new RegExp(`^Usage: npm run ${cli.name}\\b`))]);
    }
    expect(cli.footprint()).toEqual(before);
  });

  test('an unknown flag is one line and exit 2, and nothing is done', async () => {
    const before = cli.footprint();
    const result = await run([...cli.actingArgs(), '--bogus'], cli.run);
    expectUsageError(result, cli.name);
    expect(result.stderr[0]).toMatch(/^Error: Unknown option '--bogus'\./);
    expect(cli.footprint()).toEqual(before);
  });

  test.each(cli.malformed.map((argv) => ({ argv, shown: JSON.stringify(argv).replaceAll(`${REPO}/`, '') })))(
    'a malformed or missing value is one line and exit 2: $shown',
    async ({ argv }) => {
      expectUsageError(await run(argv, cli.run), cli.name);
    },
  );

  if (cli.twice) {
    test('an option given twice is one line and exit 2, and nothing is done', async () => {
      const before = cli.footprint();
      const result = await run(cli.twice!(), cli.run);
      expectUsageError(result, cli.name);
      expect(result.stderr[0]).toMatch(/^Error: --[a-z-]+ is given more than once; give it once\.$/);
      expect(cli.footprint()).toEqual(before);
    });
  }

  if (cli.badPath) {
    test('a path it cannot use is one line naming the path, exit 2, and nothing is written', async () => {
      const { argv, path } = cli.badPath!();
      const before = cli.footprint();
      const { code, stderr } = await run(argv, cli.run);
      expect(cli.footprint()).toEqual(before);
      expect(code).toBe(2);
      expect(stderr).toEqual([expect.stringMatching(/^Error: /)]);
      expect(stderr[0]).toContain(path);
    });
  }

  const network = cli.network;
  if (network) {
    test('an endpoint that accepts the connection and never answers ends the run in one line naming it', async () => {
      const { argv, run: runner = cli.run, service = 'DynamoDB' } = network(hangingEndpoint);
      const { code, stderr } = await run(argv, runner);
      expect(code).toBe(2);
      expect(stderr).toEqual([
        `Error: ${service} endpoint ${hangingEndpoint} did not answer in time (2 attempts, each limited to 1 s to connect and 0.025 s to answer).`,
      ]);
    });

    test('an HTTP server that is not DynamoDB is reported as such in one line', async () => {
      const { argv, run: runner = cli.run, service = 'DynamoDB' } = network(plainHttpEndpoint);
      const { code, stderr } = await run(argv, runner, NETWORK_LIMITS);
      expect(code).toBe(2);
      expect(stderr).toEqual([
        `Error: ${plainHttpEndpoint} answered HTTP 200 without the headers every ${service} response has: not a ${service} endpoint.`,
      ]);
    });
  }
});

test('every npm script that runs a CLI has a row', () => {
  const scripts = Object.entries(require('../../../package.json').scripts as Record<string, string>)
    .filter(([, command]) => /^node .* scripts\/(?!test-gate\/)[\w-]+\/main\.ts$/.test(command))
    .map(([name]) => name);
  expect(CLIS.map((cli) => cli.name).sort()).toEqual(scripts.sort());
});

test('run as a process, a usage error sets exit code 2 and prints one line and the usage hint', () => {
  const result = spawnSync(process.execPath, [...nodeArgvOf('docs'), '--bogus'], {
    cwd: REPO,
    encoding: 'utf8',
  });
  expect({ status: result.status, stdout: result.stdout, stderr: result.stderr }).toEqual({
    status: 2,
    stdout: '',
    stderr: "Error: Unknown option '--bogus'.\nUsage: npm run docs\n",
  });
});

/**
 * Broken endpoints and bad inputs: each ends the command within 30 s in one `Error:` line, exit 2,
 * with nothing written. The servers stop by themselves after a bounded amount of work.
 */
describe('broken endpoints and bad inputs', () => {
  const BOUND_MS = 30_000;
  /** Signed like DynamoDB, so the client gets past the headers and reads the body. */
  const SERVICE_HEADERS = { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': 'contract' };

  async function listen(handler: Parameters<typeof createHttpServer>[1]): Promise<string> {
    const server = createHttpServer(handler);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    closers.push(() => {
      server.closeAllConnections();
      server.close();
    });
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  async function timed(argv: string[], runner: Run, limits: NetworkLimits) {
    const started = Date.now();
    const result = await run(argv, runner, limits);
    return { ...result, ms: Date.now() - started };
  }

  const verifyRun: Run = (argv, output, limits) => verify(argv, output.stdout, limits);

  /** A raw TCP server: `answer` gets each connection and writes what it likes. */
  async function listenRaw(answer: (socket: Socket) => void): Promise<string> {
    const server = createServer((socket) => {
      socket.on('error', () => {});
      answer(socket);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    closers.push(() => server.close());
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  /**
   * Runs verify once per endpoint in a Node process of its own, as a user does: inside Jest's
   * sandbox, Node's socket and parser errors come from another realm, and the SDK wraps them
   * without their codes.
   */
  async function verifyAsAProcess(endpoints: readonly string[]): Promise<Array<{ code: number; stderr: string[] }>> {
    const script = `
      const { runCommand } = require('./scripts/shared/cli');
      const { main } = require('./scripts/verify/main');
      (async () => {
        const results = [];
        for (const endpoint of JSON.parse(process.argv[1])) {
          const stderr = [];
          const output = { stdout: () => {}, stderr: (line) => stderr.push(line) };
          const code = await runCommand((argv) => main(argv, output.stdout), ['--stage', 'dev', '--endpoint', endpoint], output);
          results.push({ code, stderr });
        }
        process.stdout.write(JSON.stringify(results));
      })();`;
    const env = { PATH: process.env.PATH, TMPDIR: process.env.TMPDIR };
    // The preloads npm runs verify with, before its file.
    const preloads = nodeArgvOf('verify').slice(0, -1);
    const { stdout } = await promisify(execFile)(process.execPath, [...preloads, '-e', script, JSON.stringify(endpoints)], { cwd: REPO, env });
    return JSON.parse(stdout);
  }

  describe('an endpoint that answers, but not as the service does, ends verify in one line naming it', () => {
    const cases: Array<[string, () => Promise<string>, (endpoint: string) => string]> = [
      [
        'a redirect, whose target is named without its password or query',
        () => listen((_, response) => response.writeHead(307, { location: 'https://user:pw@elsewhere.example/kms?token=secret' }).end()),
        (endpoint) => `${endpoint} answered HTTP 307, a redirect to https://elsewhere.example/kms: KMS requests are not redirected; give the endpoint that answers them.`,
      ],
      [
        "a redirect carrying the service's headers",
        () => listen((_, response) => response.writeHead(302, { ...SERVICE_HEADERS, location: '/elsewhere' }).end('<html>moved</html>')),
        (endpoint) => `${endpoint} answered HTTP 302, a redirect to ${endpoint}/elsewhere: KMS requests are not redirected; give the endpoint that answers them.`,
      ],
      [
        'bytes that are not HTTP',
        () => listenRaw((socket) => socket.end('GARBAGE\r\n\r\n')),
        (endpoint) => `${endpoint} did not answer in HTTP that Node reads (Expected HTTP/, RTSP/ or ICE/): not a KMS endpoint.`,
      ],
      [
        "headers over Node's limit",
        () =>
          listenRaw((socket) => {
            socket.write('HTTP/1.1 200 OK\r\n');
            for (let header = 0; header < 400; header += 1) socket.write(`x-filler-${header}: ${'a'.repeat(100)}\r\n`);
            socket.end('\r\n');
          }),
        (endpoint) => `${endpoint} did not answer in HTTP that Node reads (Header overflow): not a KMS endpoint.`,
      ],
      [
        'a connection closed without an answer',
        () => listenRaw((socket) => socket.once('data', () => socket.resetAndDestroy())),
        (endpoint) => `the KMS endpoint ${endpoint} closed the connection without answering (ECONNRESET); a TLS port is reached with https://.`,
      ],
      [
        'https:// to a plain HTTP port',
        async () => (await listen((_, response) => response.end('plain'))).replace('http:', 'https:'),
        (endpoint) => `cannot talk to the KMS endpoint ${endpoint}: its TLS handshake failed (wrong version number); a plain HTTP port is reached with http:// (EPROTO).`,
      ],
      [
        "an error page carrying the service's headers",
        () => listen((_, response) => response.writeHead(500, SERVICE_HEADERS).end('<html>Internal error</html>')),
        (endpoint) => `${endpoint} answered HTTP 500 with a body that is not a KMS answer.`,
      ],
      [
        'an error without an error type',
        () => listen((_, response) => response.writeHead(400, SERVICE_HEADERS).end('{}')),
        (endpoint) => `${endpoint} answered HTTP 400 with an error that names no KMS error type: not a KMS answer.`,
      ],
      [
        'an error type and message with terminal escapes and line breaks, printed escaped',
        () => listen((_, response) => response.writeHead(400, SERVICE_HEADERS).end(JSON.stringify({ __type: 'Denied\u001b[31m', message: 'no\rError: forged\u001b[2K' }))),
        () => 'Denied\\x1b[31m: no\\x0dError: forged\\x1b[2K',
      ],
    ];
    let endpoints: string[];
    let results: Array<{ code: number; stderr: string[] }>;
    beforeAll(async () => {
      endpoints = await Promise.all(cases.map(([, start]) => start()));
      results = await verifyAsAProcess(endpoints);
    }, BOUND_MS);

    test.each(cases.map(([name, , message], index) => [name, message, index] as const))('%s', (_, message, index) => {
      expect(results[index]).toEqual({ code: 2, stderr: [`Error: ${message(endpoints[index]!)}`] });
    });
  });

  test('verify and restore refuse an endpoint with a user name and password without echoing the password', async () => {
    const endpoint = 'http://admin:hunter2-secret@127.0.0.1:8000';
    const runs: Array<[string[], Run]> = [
      [['--stage', 'dev', '--endpoint', endpoint], verifyRun],
      [['--stage', 'prod', '--table', 'Jobs', '--latest', '--endpoint', endpoint], (argv, output) => restore(argv, output.stdout)],
      [['--stage', 'dev', '--endpoint', 'ftp://admin:hunter2-secret@127.0.0.1:8000'], verifyRun],
    ];
    for (const [argv, runner] of runs) {
      const { code, stdout, stderr } = await run(argv, runner);
      expect(code).toBe(2);
      expect([...stdout, ...stderr].join('\n')).not.toContain('hunter2');
      expect(stderr).toEqual([expect.stringMatching(/^Error: --endpoint .*"\w+:\/\/\*\*\*@127\.0\.0\.1:8000"/)]);
    }
  });

  test('restore against npm run local says that endpoint has no KMS, in one line', async () => {
    const engine = await startLocalEngine({ port: 0 });
    closers.push(() => void engine.close());
    const { code, stdout, stderr } = await run(['--stage', 'dev', '--table', 'Jobs', '--latest', '--endpoint', engine.endpoint], (argv, output) =>
      restore(argv, output.stdout),
    );
    expect({ code, stdout, stderr }).toEqual({
      code: 2,
      stdout: [],
      stderr: [`Error: ${engine.endpoint} has no KMS: it answered HTTP 404 with a body that is not a KMS answer.`],
    });
  });

  test('verify against an endpoint that sends its headers and then a byte at a time gives up within its limits', async () => {
    // At most 200 bytes, one every 100 ms: the server ends by itself after 20 s whatever the client does.
    const trickling = await listen((_, response) => {
      response.writeHead(200, SERVICE_HEADERS);
      let sent = 0;
      const timer = setInterval(() => {
        if (response.destroyed || sent >= 200) {
          clearInterval(timer);
          response.end();
          return;
        }
        response.write('{');
        sent += 1;
      }, 100);
    });
    const limits: NetworkLimits = { connectionTimeoutMs: 1_000, requestTimeoutMs: 250, maxAttempts: 2 };
    const { code, stdout, stderr, ms } = await timed(['--stage', 'dev', '--endpoint', trickling], verifyRun, limits);
    expect({ code, stderr }).toEqual({
      code: 2,
      stderr: [`Error: KMS endpoint ${trickling} did not answer in time (2 attempts, each limited to 1 s to connect and 0.25 s to answer).`],
    });
    expect(stdout.filter((line) => !line.startsWith('Verifying'))).toEqual([]);
    // Well under the 30 s bound even on a loaded machine; without the deadline it ran for as long as the body trickled.
    expect(ms).toBeLessThan(limits.maxAttempts * limits.requestTimeoutMs + 10_000);
  }, BOUND_MS);

  test('verify against an endpoint that streams an endless body stops at the response size cap', async () => {
    // Sends until the client hangs up, 64 MiB at most.
    const chunk = Buffer.alloc(1024 * 1024, 'x');
    const flooding = await listen((_, response) => {
      response.writeHead(200, SERVICE_HEADERS);
      let sent = 0;
      const pump = () => {
        while (!response.destroyed && sent < 64) {
          sent += 1;
          if (!response.write(chunk)) return void response.once('drain', pump);
        }
        response.end();
      };
      pump();
    });
    const { code, stderr, ms } = await timed(['--stage', 'dev', '--endpoint', flooding], verifyRun, NETWORK_LIMITS);
    expect({ code, stderr }).toEqual({ code: 2, stderr: [`Error: ${flooding} sent a response over 16 MiB: not a KMS answer.`] });
    expect(ms).toBeLessThan(BOUND_MS);
  }, BOUND_MS);

  test('nag-report with --sarif naming a folder writes neither file', async () => {
    const markdown = join(scratch, 'whole-or-nothing.md');
    const folder = mkdtempSync(join(scratch, 'sarif-folder-'));
    const { code, stderr } = await run(['--dir', nagDir, '--markdown', markdown, '--sarif', folder], (argv, output) =>
      nagReport(argv, { ...output, env: {} }),
    );
    expect({ code, stderr }).toEqual({ code: 2, stderr: [`Error: cannot write ${folder}: it is a folder.`] });
    expect(existsSync(markdown)).toBe(false);
    expect(readdirSync(folder)).toEqual([]);
  });

  test('nag-report with a job summary it cannot append to writes neither report', async () => {
    const markdown = join(scratch, 'not-half-done.md');
    const sarif = join(scratch, 'not-half-done.sarif');
    const { code, stderr } = await run(['--dir', nagDir, '--markdown', markdown, '--sarif', sarif], (argv, output) =>
      nagReport(argv, { ...output, env: { GITHUB_STEP_SUMMARY: scratch } }),
    );
    expect({ code, stderr }).toEqual({ code: 2, stderr: [`Error: cannot append to ${scratch}: it is a folder.`] });
    expect([existsSync(markdown), existsSync(sarif)]).toEqual([false, false]);
  });

  describe('diff-summary refuses what is not the output of cdk diff, and writes no summary', () => {
    const summary = () => join(scratch, 'refused-summary.md');
    const diffRun: Run = (argv, output) => diffSummary(argv, output, { GITHUB_STEP_SUMMARY: summary() });
    const file = (name: string, content: string | Buffer) => {
      const path = join(scratch, name);
      writeFileSync(path, content);
      return path;
    };
    const cases: Array<[string, () => string, (path: string) => string]> = [
      ['an empty file', () => file('empty.txt', ''), (path) => `--input ${path} is empty: not the output of cdk diff.`],
      ['a binary file', () => file('binary.bin', Buffer.from([0x53, 0x74, 0x61, 0x63, 0x6b, 0x20, 0x00, 0xff, 0xfe])), (path) => `cannot read ${path}: it is not UTF-8 text.`],
      ['text that is not a diff', () => join(REPO, 'package.json'), (path) => `--input ${path} holds no "Stack <name>" section: not the output of cdk diff.`],
      ['a device that never ends', () => '/dev/zero', (path) => `cannot read ${path}: it is not a regular file.`],
      ['a folder', () => scratch, (path) => `cannot read ${path}: it is a folder.`],
      [
        'a diff over the input limit',
        () => {
          // A diff's first line, then a hole to 17 MiB: the size is all that is read.
          const path = file('huge.diff', 'Stack InavorShuttleData-dev\n');
          truncateSync(path, 17 * 1024 * 1024);
          return path;
        },
        (path) => `cannot read ${path}: it is ${17 * 1024 * 1024} bytes, over the 16777216-byte limit.`,
      ],
    ];
    test.each(cases)('%s', async (_, make, message) => {
      const path = make();
      const { code, stdout, stderr } = await run(['--input', path], diffRun);
      expect({ code, stdout, stderr }).toEqual({ code: 2, stdout: [], stderr: [`Error: ${message(path)}`] });
      expect(existsSync(summary())).toBe(false);
    }, BOUND_MS);
  });
});
