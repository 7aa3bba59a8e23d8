/**
 * The errors the data client throws. Each names the table, the key and the operation, and
 * nothing else: no item, no attribute value, so a secret can never travel in an error.
 */

/** A key as printed in an error: the key attributes only (domains, job ids, timestamps). */
export type ErrorKey = Readonly<Record<string, string | number>>;

/** Where a data-client operation failed. */
export interface OperationContext {
  /** Physical table name, e.g. `Jobs-prod`. */
  readonly table: string;
  /** The client operation, e.g. `jobs.claim`. */
  readonly operation: string;
  /** The key of the item the operation addressed. */
  readonly key: ErrorKey;
}

/** Base class of every data-client error. */
export class DataClientError extends Error {
  public readonly table: string;
  public readonly operation: string;
  public readonly key: ErrorKey;

  constructor(context: OperationContext, reason: string) {
    super(`${context.operation} on ${context.table} ${formatKey(context.key)}: ${reason}`);
    this.name = new.target.name;
    this.table = context.table;
    this.operation = context.operation;
    this.key = context.key;
  }
}

/** The item does not exist (or has expired and only awaits TTL deletion). */
export class NotFoundError extends DataClientError {}

/** A conditional write lost: another writer changed the item first. Re-read and decide again. */
export class ConflictError extends DataClientError {}

/** A status change the job state machine does not allow from the item's current status. */
export class IllegalTransitionError extends DataClientError {
  constructor(
    context: OperationContext,
    public readonly from: string | undefined,
    public readonly to: string,
  ) {
    super(context, `cannot move from ${from ?? '(no status)'} to ${to}`);
  }
}

/** DynamoDB kept throttling the request after the SDK's retries. */
export class ThrottledError extends DataClientError {
  constructor(
    context: OperationContext,
    public readonly attempts: number,
  ) {
    super(context, `throttled after ${attempts} attempts; retry later or check the table's throttle alarms`);
  }
}

function formatKey(key: ErrorKey): string {
  return `{${Object.entries(key)
    .map(([name, value]) => `${name}: ${JSON.stringify(value)}`)
    .join(', ')}}`;
}
