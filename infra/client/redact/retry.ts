import * as check from '../core/validate';

/** How a batch's unprocessed items are retried: attempts in all, and the first wait, doubled each time. */
export interface RetryPolicy {
  readonly attempts: number;
  readonly baseDelayMs: number;
}

/** Ten attempts from 50 ms doubling wait at most ~25 s in all, well inside a webhook's retry window. */
export const DEFAULT_RETRY: RetryPolicy = { attempts: 10, baseDelayMs: 50 };

/** Bounds of a retry policy: every wait below a minute, and the whole within a webhook's time. */
const RETRY_LIMITS = { attempts: { min: 1, max: 20 }, baseDelayMs: { min: 1, max: 5_000 } } as const;

/**
 * A retry policy checked: whole attempts from 1 to 20 and a first wait from 1 to 5,000 ms, no
 * other field (a NaN or a misspelt name would retry forever or not at all).
 */
export function retryPolicy(value: unknown, where: check.Where, field: string): RetryPolicy {
  const given = check.options(value as Partial<RetryPolicy> | undefined, where, field, false, Object.keys(RETRY_LIMITS));
  return {
    attempts: given.attempts === undefined ? DEFAULT_RETRY.attempts : check.integerIn(given.attempts, where, `${field}.attempts`, RETRY_LIMITS.attempts.min, RETRY_LIMITS.attempts.max),
    baseDelayMs: given.baseDelayMs === undefined ? DEFAULT_RETRY.baseDelayMs : check.integerIn(given.baseDelayMs, where, `${field}.baseDelayMs`, RETRY_LIMITS.baseDelayMs.min, RETRY_LIMITS.baseDelayMs.max),
  };
}
