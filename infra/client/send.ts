import { toDataClientError, type ConflictReason, type OperationContext } from './errors';

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
  try {
    return await request();
  } catch (error) {
    throw toDataClientError(error, context, conflict);
  }
}
