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

/**
 * An argument was refused before any request was sent: `field` names it, the reason says what it
 * must be. The value itself is never quoted (it may be a secret, or 2 KB of noise).
 */
export class InvalidInputError extends DataClientError {
  constructor(
    context: OperationContext,
    public readonly field: string,
    reason: string,
  ) {
    super(context, `${field} ${reason}`);
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

/** Key values longer than this are cut in messages: a key is for finding the item, not a payload. */
const MAX_KEY_TEXT = 80;

function formatKey(key: ErrorKey): string {
  return `{${Object.entries(key)
    .map(([name, value]) => {
      const text = JSON.stringify(value);
      return `${name}: ${text.length > MAX_KEY_TEXT ? `${text.slice(0, MAX_KEY_TEXT)}…(${text.length} characters)` : text}`;
    })
    .join(', ')}}`;
}

/** SDK error names that mean DynamoDB throttled the request (after the SDK's own retries). */
const THROTTLING_ERRORS = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
]);

/**
 * The typed error for an SDK failure: a failed condition is a conflict (callers that know more
 * throw their own first), throttling is ThrottledError; anything else is returned as it is.
 * Only the context and the SDK's attempt count are kept: never the request or the item.
 */
export function toDataClientError(error: unknown, context: OperationContext): unknown {
  const name = (error as Error | undefined)?.name;
  if (name === 'ConditionalCheckFailedException') {
    return new ConflictError(context, 'its condition failed: another writer changed the item first');
  }
  if (name !== undefined && THROTTLING_ERRORS.has(name)) {
    const attempts = (error as { $metadata?: { attempts?: number } }).$metadata?.attempts ?? 1;
    return new ThrottledError(context, attempts);
  }
  return error;
}

/** True when an SDK error is a failed ConditionExpression. */
export function isConditionFailure(error: unknown): boolean {
  return (error as Error | undefined)?.name === 'ConditionalCheckFailedException';
}

/** Awaits one SDK request, turning its failure into the typed error of {@link toDataClientError}. */
export async function inContext<T>(context: OperationContext, request: Promise<T>): Promise<T> {
  try {
    return await request;
  } catch (error) {
    throw toDataClientError(error, context);
  }
}

/**
 * `shop/redact` for a shop that is installed (it re-installed since the uninstall the request
 * follows): nothing of it was deleted. Acknowledge the webhook; the live install's data stays.
 */
export class ShopInstalledError extends DataClientError {}

/** Another worker held the shop's refresh lease for longer than the caller would wait. Retry later. */
export class RefreshBusyError extends DataClientError {}

/**
 * The app's refresh function failed; the stored tokens are unchanged and the lease is released.
 * `cause` is the app's own error, as it threw it.
 */
export class RefreshFailedError extends DataClientError {
  constructor(context: OperationContext, cause: unknown) {
    super(context, `the refresh function failed with ${cause instanceof Error ? cause.name : typeof cause}; the stored tokens are unchanged`);
    Object.defineProperty(this, 'cause', { value: cause, enumerable: false, configurable: true, writable: true });
  }
}
