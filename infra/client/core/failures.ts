import { ConflictError, DataClientError, ThrottledError, type ErrorCause, type OperationContext } from './errors';

/** SDK error names that mean DynamoDB throttled the request (after the SDK's own retries). */
const THROTTLING_ERRORS = new Set(['ProvisionedThroughputExceededException', 'ThrottlingException', 'RequestLimitExceeded']);

/** A code is kept only when it looks like one (AWS codes, Node's `ECONNREFUSED`): never free text. */
const CODE = /^[A-Za-z][A-Za-z0-9_.:-]{0,99}$/;

/** The name, code and request id of a failure, and nothing else it carries. */
export function errorCause(error: unknown): ErrorCause {
  const fields = (typeof error === 'object' && error !== null ? error : {}) as {
    name?: unknown;
    Code?: unknown;
    code?: unknown;
    $metadata?: { requestId?: unknown };
  };
  const name = typeof fields.name === 'string' && CODE.test(fields.name) ? fields.name : 'UnknownError';
  // An AWS service error's code is its name unless it says otherwise; a Node system error has `code`.
  const rawCode = fields.Code ?? fields.code ?? (fields.$metadata ? name : undefined);
  const code = typeof rawCode === 'string' && CODE.test(rawCode) ? rawCode : undefined;
  const requestId = typeof fields.$metadata?.requestId === 'string' && CODE.test(fields.$metadata.requestId) ? fields.$metadata.requestId : undefined;
  return { name, ...(code && { code }), ...(requestId && { requestId }) };
}

/**
 * What a failed condition means for the request that had it: a reason for a ConflictError, or
 * the error to throw instead, built from the SDK's failure (which may carry the old item).
 */
export type ConflictReason = string | ((failure: unknown) => DataClientError);

/**
 * The typed error for any failure of a request: a data-client error passes through; a failed
 * condition is a ConflictError (with `conflict`'s reason, or the error it builds); throttling is
 * a ThrottledError; anything else a DataClientError naming the cause and its code. The cause's
 * message, request and response are dropped: they can quote an item's values.
 */
export function toDataClientError(error: unknown, context: OperationContext, conflict?: ConflictReason): DataClientError {
  if (error instanceof DataClientError) return error;
  const failure = errorCause(error);
  if (failure.name === 'ConditionalCheckFailedException') {
    if (typeof conflict === 'function') return conflict(error);
    return new ConflictError(context, conflict ?? 'its condition failed: another writer changed the item first', failure);
  }
  if (THROTTLING_ERRORS.has(failure.name)) {
    const attempts = (error as { $metadata?: { attempts?: number } }).$metadata?.attempts ?? 1;
    return new ThrottledError(context, attempts, failure);
  }
  const code = failure.code && failure.code !== failure.name ? ` (${failure.code})` : '';
  const request = failure.requestId ? `, request id ${failure.requestId}` : '';
  return new DataClientError(context, `DynamoDB failed with ${failure.name}${code}${request}`, failure);
}

/** Runs `body`, turning whatever it throws (synchronously or not) into the typed error of {@link toDataClientError}. */
export async function inContext<T>(context: OperationContext, body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (error) {
    throw toDataClientError(error, context);
  }
}
