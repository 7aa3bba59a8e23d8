import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runChild, type ChildResult } from './child-process';
import { startMoto } from './moto-server';
import { MOTO_GAPS, type Rehearsal } from './report';
import { LOCAL_TABLES_ENDPOINT_ENV } from '../shared/local-engine';

const ROOT = join(import.meta.dirname, '..', '..');
/** Tests whose result moto cannot decide, by name, with the reason; they run on dynalite and DynamoDB only. */
export const TESTS_MOTO_CANNOT_DECIDE: ReadonlyArray<{ readonly name: string; readonly reason: string }> = [
  { name: 'of two workers claiming one PENDING job, exactly one wins', reason: MOTO_GAPS.concurrentConditions },
  { name: 'two workers refreshing one shop at once: exactly one wins', reason: MOTO_GAPS.concurrentConditions },
  // The lifecycle regressions in which workers refresh one shop at once race the same conditional writes.
  { name: 'shrunk, without the refresh lease: two workers find the token expiring at once', reason: MOTO_GAPS.concurrentConditions },
  { name: 'three workers refreshing an expired token at once, while a refresh started earlier is still to write', reason: MOTO_GAPS.concurrentConditions },
  { name: 'a refresh while the uninstall webhook is on its way', reason: MOTO_GAPS.concurrentConditions },
  // The session storage's loads at once race the refresh lease the same way (the lifecycle model runs its workers one at a time there).
  { name: 'two admin requests at once near expiry make one call to the token endpoint, and both get the new token', reason: MOTO_GAPS.concurrentConditions },
];

/** The longest the suites may run on moto: 30-40 s on a busy 2-core machine; a hung test would keep the rehearsal from exiting. */
const SUITES_TIMEOUT_MS = 300_000;

/** The suites that run on the local tables: every test file that imports test/support/local-tables. */
export function localTableSuites(): string[] {
  const dir = join(ROOT, 'test');
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.test.ts') && /'(?:\.\.?\/)+support\/local-tables'/.test(readFileSync(join(dir, file), 'utf8')))
    .map((file) => join('test', file))
    .sort();
}

/**
 * Runs the data client's suites with moto as their engine (the local-tables switch), on a moto
 * server of their own (their clean slates never touch a rehearsed stage), one suite at a time;
 * resolves to a report of Jest's tally and every failed test's name. The tests moto cannot decide
 * are left out and said.
 */
export async function runSuitesOnMoto(signal?: AbortSignal): Promise<(rehearsal: Rehearsal) => void> {
  const suites = localTableSuites();
  const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const skip = `^(?!.*(?:${TESTS_MOTO_CANNOT_DECIDE.map(({ name }) => escape(name)).join('|')}))`;
  const moto = await startMoto();
  let result: ChildResult;
  try {
    const jest = join(ROOT, 'node_modules', 'jest', 'bin', 'jest.js');
    result = await runChild(process.execPath, [jest, '--runInBand', '--testNamePattern', skip, ...suites], {
      timeoutMs: SUITES_TIMEOUT_MS,
      signal,
      cwd: ROOT,
      env: { ...process.env, [LOCAL_TABLES_ENDPOINT_ENV]: moto.endpoint },
    });
  } finally {
    await moto.stop();
  }
  const { code, stopped } = result;
  const lines = `${result.stdout}\n${result.stderr}`.split('\n');
  return (rehearsal) => {
    rehearsal.section(`The data client's suites with moto as the engine (${suites.join(', ')})`);
    for (const { name, reason } of TESTS_MOTO_CANNOT_DECIDE) rehearsal.notChecked(`Jest on moto: "${name}"`, reason);
    // Each failed test, top-level ones included, once (Jest names it again in its summary).
    for (const line of new Set(lines.filter((candidate) => /^\s+● (?!Console$)/.test(candidate)).map((candidate) => candidate.trim()))) rehearsal.note(line);
    const tally = lines.find((line) => line.startsWith('Tests:'))?.trim() ?? 'no tally';
    rehearsal.check(`Jest on moto: ${tally}`, code === 0, stopped ?? `exit ${code}`);
  };
}
