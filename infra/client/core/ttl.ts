import { SECONDS_PER_DAY, type TtlSchema } from '../../data/schema-model';

/** Whole epoch seconds of a date: the unit DynamoDB TTL reads (epoch milliseconds never expire). */
export function epochSeconds(date: Date): number {
  return Math.floor(date.getTime() / 1000);
}

/** The TTL value for an item whose retention starts at `from`, in epoch seconds. */
export function expiresAt(ttl: TtlSchema, from: Date): number {
  return epochSeconds(from) + ttl.retentionDays * SECONDS_PER_DAY;
}

/**
 * The oldest start time an item may have and still be live at `now`. TTL deletes expired items
 * only within a few days, so reads bound their sort key by this instead of trusting deletion.
 */
export function oldestLive(ttl: TtlSchema, now: Date): Date {
  return new Date(now.getTime() - ttl.retentionDays * SECONDS_PER_DAY * 1000);
}
