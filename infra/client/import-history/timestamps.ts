import { createHash } from 'node:crypto';
import { tableSchema } from '../../data/schemas';
import * as check from '../core/validate';

const SCHEMA = tableSchema('ImportHistory');

/**
 * Distinct keys within one millisecond: the two decimal places after the milliseconds. Ten
 * integer digits of seconds (until the year 2286) plus five decimals are 15 significant digits,
 * the most every IEEE double round-trips exactly, so the key read back is the key written.
 */
export const SLOTS_PER_MILLISECOND = 100;

/** The range of finish times the key holds: ten digits of Unix seconds, from 1970 to 2286. */
export const FIRST_FINISH = new Date(0);
export const LAST_FINISH = new Date(9_999_999_999_999);

/** The slot of a job within a millisecond: a hash of its id, so a retry of the job lands on it again. */
function jobSlot(jobId: string): number {
  return createHash('sha256').update(jobId).digest().readUInt32BE(0) % SLOTS_PER_MILLISECOND;
}

/**
 * The ImportHistory sort key of an import: Unix time in seconds with exactly five decimals, the
 * first three the milliseconds of `finishedAt` and the last two a slot (00-99) taken from the
 * job id, moved on by `probe` when an earlier slot holds another job. E.g. a job finishing at
 * 2026-11-25T10:00:00.250Z in slot 37 is 1795600800.25037. It orders by finish time to the
 * millisecond and never leaves that millisecond.
 */
export function importTimestamp(finishedAt: Date, jobId: string, probe = 0): number {
  const ms = check.date(finishedAt, { table: SCHEMA.name, operation: 'importTimestamp' }, 'finishedAt', FIRST_FINISH, LAST_FINISH).getTime();
  const slot = (jobSlot(jobId) + probe) % SLOTS_PER_MILLISECOND;
  const fraction = `${String(ms % 1000).padStart(3, '0')}${String(slot).padStart(2, '0')}`;
  return Number(`${Math.floor(ms / 1000)}.${fraction}`);
}

/** The first key of a millisecond (slot 00): the lower bound of a range starting at `date`. */
export function firstKeyOf(date: Date): number {
  return date.getTime() / 1000;
}

/** The last key of a millisecond (slot 99): the upper bound of a range ending at `date`, inclusive. */
export function lastKeyOf(date: Date): number {
  const ms = date.getTime();
  return Number(`${Math.floor(ms / 1000)}.${String(ms % 1000).padStart(3, '0')}${SLOTS_PER_MILLISECOND - 1}`);
}

/** When an import finished, read back from its sort key (exact: the decimals are parsed as text). */
export function importFinishedAt(timestamp: number): Date {
  const [seconds, fraction = ''] = String(timestamp).split('.');
  return new Date(Number(seconds) * 1000 + Number(fraction.padEnd(5, '0').slice(0, 3)));
}
