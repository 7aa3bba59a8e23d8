import { existsSync, readFileSync } from 'node:fs';

/**
 * Where `npm test` has the app synthesized (synth-app.ts) while Jest starts and its first suites
 * run: set by the gate (scripts/test-gate/main.mts names it too).
 */
export const GATE_CDK_OUT_ENV = 'INAVOR_TEST_CDK_OUT';

/** The file beside that assembly which says its synthesis failed, and why. */
export const failedMarker = (outdir: string): string => `${outdir}.failed`;

/** Far longer than the synthesis takes: 3.1-3.4 s alone on a 2-core machine, 5.1-5.9 s beside two CPU-bound processes. */
const LONGEST_WAIT_MS = 120_000;
const POLL_MS = 10;

/**
 * `outdir` once the synthesis writing it is complete (the assembly appears whole: it is written
 * beside it and renamed). A suite that reads it before then waits here, blocking its own worker,
 * which has nothing else to run; a failed synthesis, one that never ends, or a run stopped meanwhile
 * (the process that started this one is gone: a blocked worker would not see Jest go) is an Error
 * naming why.
 */
export function awaitAssembly(outdir: string, longestWaitMs = LONGEST_WAIT_MS): string {
  const giveUp = Date.now() + longestWaitMs;
  // Node reads a process's parent once, at its start: a worker's is Jest's own process.
  const parent = process.ppid;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    if (existsSync(outdir)) return outdir;
    if (existsSync(failedMarker(outdir))) {
      throw new Error(`The app's synthesis for the suites failed (npm test prints its output at the end): ${readFileSync(failedMarker(outdir), 'utf8')}`);
    }
    if (!isRunning(parent)) throw new Error(`The run stopped while this process waited for the app's synthesis (${outdir}).`);
    if (Date.now() >= giveUp) throw new Error(`The app's synthesis for the suites did not finish within ${longestWaitMs / 1000} s: ${outdir} never appeared.`);
    Atomics.wait(pause, 0, 0, POLL_MS);
  }
}

/** Whether process `pid` still runs (signal 0 sends nothing; EPERM: it runs as another user). */
function isRunning(pid: number): boolean {
  try {
    return process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
