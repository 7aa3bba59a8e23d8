import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { setPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { COMPILED_ENV, writeCompileConfig } from './compile.mts';
import { ensurePrismaClient } from './prisma-client.mts';

const ROOT = join(import.meta.dirname, '..', '..');
/** TypeScript 7's compiler, beside the 5.x that ts-jest needs (package.json: typescript-native). */
const TSC = join(ROOT, 'node_modules', 'typescript-native', 'bin', 'tsc');

/**
 * `npm test`: the type-check (TypeScript 7's native tsc), the app's one synthesis for the suites
 * and Jest run side by side; the gate fails when any of them fails. Arguments go to Jest. Node
 * runs this file as it is (type stripping, Node 22.18 and later), so the gate starts without ts-node.
 */
function run(command: string, args: string[], captureOutput: boolean, env: NodeJS.ProcessEnv = {}, niceness = 0): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    // Once interrupted, nothing new starts: the run ends with what was running.
    if (interrupted) return resolve({ code: process.exitCode as number, output: '' });
    const child = spawn(command, args, {
      stdio: captureOutput ? ['ignore', 'pipe', 'pipe'] : 'inherit',
      env: { ...process.env, ...env },
    });
    if (niceness !== 0 && child.pid !== undefined) setPriority(child.pid, niceness);
    running.add(child);
    child.on('exit', () => running.delete(child));
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk));
    child.on('close', (code) => resolve({ code: code ?? 1, output }));
  });
}

/**
 * TypeScript 7's runs (Go) with the collector held off up to 1 GiB: the check peaks at 0.6 GB, and
 * collecting on the way there cost a quarter of its CPU time (a fifth of the compile's).
 */
const GO_MEMORY = { GOGC: 'off', GOMEMLIMIT: '1GiB' };

/** The children still running, stopped with the gate (so its temporary folder goes too). */
const running = new Set<ChildProcess>();
let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    interrupted = true;
    process.exitCode = signal === 'SIGINT' ? 130 : 143;
    for (const child of running) child.kill(signal);
  });
}

/**
 * Jest and its workers (which inherit the flags), and the synthesis, without V8's optimizing
 * compiler: test code runs once, and optimizing it cost more CPU than it saved (the suites took
 * 0.86x the wall without it; the synthesis 0.8x). AsyncLocalStorage on context frames, not async
 * hooks: Jest runs every test in one, and the hooks it otherwise installs cost every promise of
 * every suite (a tenth of the CPU). Functions go straight to V8's baseline compiler, not the
 * interpreter first (0.98 of the wall).
 */
const JEST_FLAGS = ['--no-opt', '--experimental-async-context-frame', '--always-sparkplug'];

/** Where the suites find the app's assembly (test/support/gate-assembly.ts names it too). */
const CDK_OUT_ENV = 'INAVOR_TEST_CDK_OUT';

/** Jest's own questions, answered without running a test: no type-check for them. */
const JEST_QUESTIONS = new Set(['--help', '-h', '--version', '--listTests', '--showConfig']);

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  if (args.some((arg) => JEST_QUESTIONS.has(arg))) {
    return (await run(process.execPath, [join(ROOT, 'node_modules', 'jest', 'bin', 'jest.js'), ...args], false)).code;
  }
  // The type-check reads the generated client's types (the Shopify example), the tests load it.
  ensurePrismaClient();
  // One folder for the run, removed at its end even when it is interrupted (Jest then skips its
  // teardown): the compiled modules, the app's assembly, and Jest's temporary folder (its TMPDIR).
  const scratch = mkdtempSync(join(tmpdir(), 'inavor-test-gate-'));
  const compiled = join(scratch, 'js');
  mkdirSync(compiled);
  const cdkOut = join(scratch, 'cdk.out');
  try {
    const typechecked = run(
      process.execPath,
      // One thread: its answer is read at the end, and its threads cost a quarter more CPU.
      [TSC, '--noEmit', '-p', 'tsconfig.typecheck.json', '--singleThreaded'],
      true,
      GO_MEMORY,
      // It yields the CPU to the compile, the synthesis and Jest's start, which every suite waits
      // for (started first, it made them wait).
      10,
    );
    // The app's one synthesis (about 3 s), which many suites read, runs beside the compile, Jest's start
    // and the first suites instead of before them; a suite that reads it waits for it
    // (test/support/gate-assembly.ts).
    const synthesized = run(process.execPath, [...JEST_FLAGS, '-r', join(ROOT, 'scripts', 'typescript-imports.cjs'), join(ROOT, 'test', 'support', 'synth-app.ts'), cdkOut], true);
    // Jest's modules, compiled in one pass beside the type-check (under a second) instead of by
    // ts-jest file by file in Jest's processes; should it fail, Jest compiles them all itself.
    const compile = await run(process.execPath, [TSC, '-p', writeCompileConfig(ROOT, compiled)], true, GO_MEMORY);
    const [typecheck, jest, synthesis] = await Promise.all([
      typechecked,
      run(process.execPath, [...JEST_FLAGS, join(ROOT, 'node_modules', 'jest', 'bin', 'jest.js'), ...args], false, {
        TMPDIR: scratch,
        [CDK_OUT_ENV]: cdkOut,
        ...(compile.code === 0 && { [COMPILED_ENV]: compiled }),
      }),
      synthesized,
    ]);
    // The suites that read the assembly failed naming its error; this is the whole of what it printed.
    if (synthesis.code !== 0) process.stderr.write(`${synthesis.output}\nThe app's synthesis for the suites failed (test/support/synth-app.ts, above).\n`);
    report(typecheck);
    return typecheck.code !== 0 ? typecheck.code : jest.code !== 0 ? jest.code : synthesis.code;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

function report(typecheck: { code: number; output: string }): void {
  if (typecheck.code !== 0) {
    process.stderr.write(`${typecheck.output}\nType-check failed (tsc --noEmit, TypeScript 7).\n`);
  } else {
    process.stdout.write('Type-check passed (tsc --noEmit, TypeScript 7).\n');
  }
}

const code = await main();
process.exitCode ??= code;
