import type { OperationContext } from './errors';
import { toDataClientError, type ConflictReason } from './failures';

/** What counts the requests of the client operation that is running. */
export interface RequestCounter {
  /** Called with each request's result (which may report consumed capacity). */
  record(result: unknown): void;
}

/**
 * Runs one DynamoDB request and turns its failure into a data-client error that carries the
 * table, key and operation, and of the cause only its name, code and request id: its message,
 * `$response` and properties can quote the request, and so an item's values.
 *
 * @param conflict the reason a failed condition means, when the request has one: a
 *   ConditionalCheckFailedException then becomes a ConflictError with it (or the error
 *   `conflict` returns, for conditions that mean something else, such as a missing item).
 * @param counter the operation the request belongs to, which counts it. It is passed down rather
 *   than found through AsyncLocalStorage: that would slow every promise of the process.
 */
export async function send<T>(context: OperationContext, request: () => Promise<T>, conflict?: ConflictReason, counter?: RequestCounter): Promise<T> {
  try {
    const result = await request();
    counter?.record(result);
    return result;
  } catch (error) {
    counter?.record(undefined);
    throw toDataClientError(error, context, conflict);
  }
}
