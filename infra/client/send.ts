import { ConflictError, DataClientError, ThrottledError, type OperationContext } from './errors';

/** Error names DynamoDB uses when it throttles, after the SDK's own retries. */
const THROTTLING = new Set(['ProvisionedThroughputExceededException', 'ThrottlingException', 'RequestLimitExceeded']);

/**
 * Runs one DynamoDB request and turns its failure into a data-client error that carries the
 * table, key and operation only. The SDK's error is dropped, not kept as `cause`: its message,
 * `$response` and properties can quote the request, and so an item's values.
 *
 * @param conflict the reason a failed condition means, when the request has one: a
 *   ConditionalCheckFailedException then becomes a {@link ConflictError} with it (or the error
 *   `conflict` returns, for conditions that mean something else, such as a missing item).
 */
export async function send<T>(
  context: OperationContext,
  request: () => Promise<T>,
  conflict?: string | (() => DataClientError),
): Promise<T> {
  try {
    return await request();
  } catch (error) {
    throw clientError(context, error, conflict);
  }
}

function clientError(context: OperationContext, error: unknown, conflict: string | (() => DataClientError) | undefined): DataClientError {
  const name = error instanceof Error ? error.name : 'UnknownError';
  if (name === 'ConditionalCheckFailedException' && conflict !== undefined) {
    return typeof conflict === 'string' ? new ConflictError(context, conflict) : conflict();
  }
  const metadata = (error as { $metadata?: { attempts?: number; requestId?: string } } | undefined)?.$metadata;
  if (THROTTLING.has(name)) return new ThrottledError(context, metadata?.attempts ?? 1);
  const request = metadata?.requestId ? `, request id ${metadata.requestId}` : '';
  return new DataClientError(context, `DynamoDB failed with ${name}${request}`);
}
