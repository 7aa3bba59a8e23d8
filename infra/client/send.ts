import { AsyncLocalStorage } from 'node:async_hooks';
import { toDataClientError, type ConflictReason, type OperationContext } from './errors';

/** What counts the requests of the client operation that is running. */
export interface RequestCounter {
  /** Called with each request's result (which may report consumed capacity). */
  record(result: unknown): void;
}

/**
 * The client operation a request belongs to: every `send` within an observed operation counts
 * there, whichever module sends it (token store, redaction, jobs), without passing it down.
 */
export const runningOperation = new AsyncLocalStorage<RequestCounter>();

/**
 * Runs one DynamoDB request and turns its failure into a data-client error that carries the
 * table, key and operation, and of the cause only its name, code and request id: its message,
 * `$response` and properties can quote the request, and so an item's values.
 *
 * @param conflict the reason a failed condition means, when the request has one: a
 *   ConditionalCheckFailedException then becomes a ConflictError with it (or the error
 *   `conflict` returns, for conditions that mean something else, such as a missing item).
 */
export async function send<T>(context: OperationContext, request: () => Promise<T>, conflict?: ConflictReason): Promise<T> {
  const counter = runningOperation.getStore();
  try {
    const result = await request();
    counter?.record(result);
    return result;
  } catch (error) {
    counter?.record(undefined);
    throw toDataClientError(error, context, conflict);
  }
}
