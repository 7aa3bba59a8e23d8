import { existsSync } from 'node:fs';

/**
 * Where `npm test` has the app synthesized while Jest starts (synth-app.ts), for the global setup
 * to wait for: set by the gate (scripts/test-gate/main.mts names it too).
 */
export const GATE_CDK_OUT_ENV = 'INAVOR_TEST_CDK_OUT';

/** The file beside that assembly which says its synthesis failed. */
export const failedMarker = (outdir: string): string => `${outdir}.failed`;

/** Longer than any synthesis takes on a loaded machine (3 s idle, 7 s beside two busy processes). */
const LONGEST_WAIT_MS = 120_000;

/**
 * The gate's assembly once it is complete, or undefined when its synthesis failed or never ended:
 * the caller then synthesizes itself, and fails as it would have, in Jest's own output.
 */
export async function gateAssembly(outdir: string, longestWaitMs = LONGEST_WAIT_MS): Promise<string | undefined> {
  const giveUp = Date.now() + longestWaitMs;
  while (Date.now() < giveUp) {
    if (existsSync(outdir)) return outdir;
    if (existsSync(failedMarker(outdir))) return undefined;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return undefined;
}
