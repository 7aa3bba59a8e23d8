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

/** What is kept of the error a request failed with: names and ids, never its message. */
export interface ErrorCause {
  /** The cause's class name, e.g. `ValidationException` or `TypeError`. */
  readonly name: string;
  /** The AWS error code DynamoDB answered with, or a Node system error code such as `ECONNREFUSED`. */
  readonly code?: string;
  /** The AWS request id, to quote to AWS support. */
  readonly requestId?: string;
}

/** Where the client's guide says what to do about each error: its section of "Errors and what to do about them". */
export const ERRORS_GUIDE = 'docs/client.md';

/** Base class of every data-client error. */
export class DataClientError extends Error {
  /** The anchor of the guide's section on errors of this class; a subclass of the client's own inherits its parent's. */
  static readonly section: string = 'any-other-failure';
  public readonly table: string;
  public readonly operation: string;
  public readonly key: ErrorKey;
  /** The failed request's error, by name and code only; absent when the client itself refused. */
  public readonly failure?: ErrorCause;
  /** The section of the client's guide that says what to do, e.g. `docs/client.md#conflicterror`. */
  public readonly help: string;

  constructor(context: OperationContext, reason: string, failure?: ErrorCause) {
    super(`${context.operation} on ${context.table} ${formatKey(context.key)}: ${reason}`);
    this.name = new.target.name;
    this.help = `${ERRORS_GUIDE}#${(new.target as typeof DataClientError).section}`;
    this.table = context.table;
    this.operation = context.operation;
    this.key = context.key;
    if (failure) this.failure = failure;
  }
}

/** The item does not exist (or has expired and only awaits TTL deletion). */
export class NotFoundError extends DataClientError {
  static override readonly section: string = 'notfounderror';
}

/** A conditional write lost: another writer changed the item first. Re-read and decide again. */
export class ConflictError extends DataClientError {
  static override readonly section: string = 'conflicterror';
}

/** A status change the job state machine does not allow from the item's current status. */
export class IllegalTransitionError extends DataClientError {
  static override readonly section: string = 'illegaltransitionerror';
  public readonly from: string | undefined;
  public readonly to: string;

  constructor(context: OperationContext, from: string | undefined, to: string) {
    super(context, `cannot move from ${from ?? '(no status)'} to ${to}`);
    this.from = from;
    this.to = to;
  }
}

/**
 * An argument was refused before any request was sent: `field` names it, the reason says what it
 * must be. The value itself is never quoted (it may be a secret, or 2 KB of noise).
 */
export class InvalidInputError extends DataClientError {
  static override readonly section: string = 'invalidinputerror';
  public readonly field: string;
  /** What the field must be. */
  public readonly reason: string;

  constructor(context: OperationContext, field: string, reason: string) {
    super(context, `${field} ${reason}`);
    this.field = field;
    this.reason = reason;
  }
}

/** DynamoDB kept throttling the request after the SDK's retries. */
export class ThrottledError extends DataClientError {
  static override readonly section: string = 'throttlederror';
  public readonly attempts: number;

  constructor(context: OperationContext, attempts: number, failure?: ErrorCause) {
    super(context, `throttled after ${attempts} attempts; retry later or check the table's throttle alarms`, failure);
    this.attempts = attempts;
  }
}

/** A cursor this read did not hand out (corrupt, edited, or from another read): refused before any request. */
export class InvalidCursorError extends InvalidInputError {
  static override readonly section: string = 'invalidcursorerror';
  constructor(context: OperationContext, reason: string) {
    super(context, 'cursor', `is refused: ${reason}; pass back the cursor of the previous page unchanged`);
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

/**
 * `shop/redact` for a shop that is installed (it re-installed since the uninstall the request
 * follows): nothing of it was deleted. Acknowledge the webhook; the live install's data stays.
 */
export class ShopInstalledError extends DataClientError {
  static override readonly section: string = 'shopinstallederror';
}

/** Another worker held the shop's refresh lease for longer than the caller would wait. Retry later. */
export class RefreshBusyError extends DataClientError {
  static override readonly section: string = 'refreshbusyerror';
}

/**
 * The app's refresh function failed, did not answer within the lease, or returned an access token
 * that expires within the margin; the stored tokens are unchanged and the lease is released.
 * `cause` is the app's own error, as it threw it. Retry later; if Shopify refuses the refresh
 * token for good, the merchant must open the app (a token exchange grants anew).
 */
export class RefreshFailedError extends DataClientError {
  static override readonly section: string = 'refreshfailederror';
  constructor(context: OperationContext, cause: unknown, reason?: string) {
    super(context, `the refresh function ${reason ?? `failed with ${cause instanceof Error ? cause.name : typeof cause}`}; the stored tokens are unchanged`);
    Object.defineProperty(this, 'cause', { value: cause, enumerable: false, configurable: true, writable: true });
  }
}

/**
 * The shop is installed but holds no token that works: Shopify refused it (a 401), its offline
 * session was deleted, or its token does not expire and the cut-over has passed; and there is no
 * refresh token to get another. Nothing is marked uninstalled. The app must obtain a new grant
 * (token exchange or OAuth, which Shopify's library does when the session has no token) and store it.
 */
export class NoTokenError extends DataClientError {
  static override readonly section: string = 'notokenerror';
}

/**
 * A grant stored for an uninstalled shop was obtained no later than its uninstall (within the
 * skew the store allows between clocks): Shopify revoked it with the uninstall, so it was not
 * stored and the shop stays uninstalled. If the merchant is re-installing this very moment,
 * retry in a few seconds.
 */
export class StaleGrantError extends DataClientError {
  static override readonly section: string = 'stalegranterror';
}
