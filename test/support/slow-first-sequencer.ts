import Sequencer from '@jest/test-sequencer';
import type { Test } from '@jest/test-result';

/**
 * Suites that take many seconds by themselves. Jest runs the files it has no timing of (a fresh
 * clone, CI) largest first; the model-based lifecycle test is a small file with the longest run,
 * so it started last and ran alone on one worker while the other sat idle. Started first, it runs
 * beside the rest.
 */
const SLOW = [/[/\\]token-lifecycle\.test\.ts$/];

/** Jest's own order (failed first, then by recorded duration or size), the known-slow suites first. */
export default class SlowFirstSequencer extends Sequencer {
  override sort(tests: Array<Test>): Array<Test> {
    const sorted = super.sort(tests) as Array<Test>;
    const slow = (test: Test) => SLOW.some((pattern) => pattern.test(test.path));
    return [...sorted.filter(slow), ...sorted.filter((test) => !slow(test))];
  }
}
