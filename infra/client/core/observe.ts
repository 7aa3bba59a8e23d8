import type { ConsumedCapacity } from '@aws-sdk/client-dynamodb';
import { DataClientError, type OperationContext } from './errors';
import { inContext, toDataClientError, type ConflictReason } from './failures';
import { tableSchema } from '../../data/schemas';
import { send, type RequestCounter } from './send';

/** What the client reports of each operation it ran: names and numbers, never a value of an item. */
export interface OperationEvent {
  /** Physical table name, e.g. `Jobs-prod`. */
  readonly table: string;
  /** The client operation, e.g. `jobs.claim`. */
  readonly operation: string;
  /** Wall time of the whole operation, every request and retry included, in milliseconds. */
  readonly durationMs: number;
  /** DynamoDB requests the operation sent (0 when its input was refused). */
  readonly requests: number;
  /**
   * Capacity units its requests consumed, table and indexes, as DynamoDB reported them; absent when
   * no request reported any (a refused input, a failed request, or an engine that does not report).
   */
  readonly consumedCapacity?: number;
  /** `success`, or `error` with the error's class name in `error`. */
  readonly outcome: 'success' | 'error';
  /** The class of the error thrown, e.g. `ConflictError`; only on `error`. */
  readonly error?: string;
  /** The AWS error code of a failed request, e.g. `ValidationException`; only when a request failed. */
  readonly awsErrorCode?: string;
}

/**
 * Receives one event per client operation, after it ends. It runs inline: keep it quick (log a
 * line, add to a metric). What it throws, or the promise it returns rejects with, is ignored, so
 * an observer can never fail a write nor crash the process.
 */
export type OperationObserver = (event: OperationEvent) => unknown;

/** One running client operation: sends its requests and counts what they cost. */
export class OperationRun implements RequestCounter {
  public readonly context: OperationContext;
  private readonly measured: boolean;
  private requests = 0;
  private capacity: number | undefined;

  constructor(context: OperationContext, measured: boolean) {
    this.context = context;
    this.measured = measured;
  }

  /** Request parameters that ask DynamoDB for the consumed capacity, when there is an observer to report it to. */
  get capacityRequest(): { ReturnConsumedCapacity?: 'TOTAL' } {
    return this.measured ? { ReturnConsumedCapacity: 'TOTAL' } : {};
  }

  /** Sends one request under this operation's context (or `context`, when a request addresses another key). */
  send<T>(request: () => Promise<T>, conflict?: ConflictReason, context: OperationContext = this.context): Promise<T> {
    return send(context, request, conflict, this);
  }

  /** Counts one request of this operation, and the capacity its result reports. */
  record(result: unknown): void {
    this.requests += 1;
    const consumed = (result as { ConsumedCapacity?: ConsumedCapacity | ConsumedCapacity[] } | undefined)?.ConsumedCapacity;
    for (const entry of [consumed ?? []].flat()) {
      if (entry.CapacityUnits !== undefined) this.capacity = (this.capacity ?? 0) + entry.CapacityUnits;
    }
  }

  /** The event of this run, ended with `error` or with success. */
  event(durationMs: number, error?: DataClientError): OperationEvent {
    return {
      table: this.context.table,
      operation: this.context.operation,
      durationMs,
      requests: this.requests,
      ...(this.capacity !== undefined && { consumedCapacity: this.capacity }),
      outcome: error ? 'error' : 'success',
      ...(error && { error: error.name }),
      ...(error?.failure?.code && { awsErrorCode: error.failure.code }),
    };
  }
}

/**
 * Runs one client operation: whatever it throws leaves as a DataClientError naming `context`
 * (a bug's TypeError included), and the observer, if any, gets one event when it ends. An
 * operation another one calls (install's write through the token store) takes the outer run
 * instead of calling this, so its requests count there and only the call the app made reports.
 */
export async function runOperation<T>(
  observer: OperationObserver | undefined,
  context: OperationContext,
  body: (run: OperationRun) => Promise<T>,
): Promise<T> {
  const run = new OperationRun(context, observer !== undefined);
  // Without an observer nothing is counted or reported: the operation only keeps the error contract.
  if (observer === undefined) return inContext(context, () => body(run));
  const started = performance.now();
  try {
    const result = await body(run);
    notify(observer, run, started);
    return result;
  } catch (caught) {
    const error = toDataClientError(caught, context);
    notify(observer, run, started, error);
    throw error;
  }
}

const SHOP_KEY = tableSchema('Shops').partitionKey.name;

/** The context of an operation on a shop: its key once the domain is a string, none before it is checked. */
export function shopOperation(table: string, operation: string, domain: unknown): OperationContext {
  return { table, operation, key: typeof domain === 'string' && /^[\x21-\x7e]{1,255}$/.test(domain) ? { [SHOP_KEY]: domain.toLowerCase() } : {} };
}

function notify(observer: OperationObserver, run: OperationRun, started: number, error?: DataClientError): void {
  try {
    const returned: unknown = observer(run.event(performance.now() - started, error));
    // An async observer's rejection would otherwise be unhandled, which ends a Node process.
    if (isThenable(returned)) returned.then(undefined, ignore);
  } catch {
    // An observer's failure (a full log pipe, a metrics bug) must not turn a done write into an error.
  }
}

function ignore(): void {}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === 'object' || typeof value === 'function') && value !== null && typeof (value as { then?: unknown }).then === 'function';
}
