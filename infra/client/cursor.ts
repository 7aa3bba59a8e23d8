/** A page of a paginated read, and the opaque cursor of the next page when there is one. */
export interface Page<T> {
  /** The items of this page, in the read's order. */
  readonly items: T[];
  /** Pass it back to read the next page; absent on the last page. */
  readonly cursor?: string;
}

/** A cursor that this read did not hand out (corrupt, edited, or from another read). */
export class InvalidCursorError extends Error {
  constructor(reason: string) {
    super(`Invalid cursor: ${reason}; pass back the cursor of the previous page unchanged.`);
    this.name = 'InvalidCursorError';
  }
}

type KeyRecord = Record<string, string | number>;

/** Encodes a LastEvaluatedKey as an opaque, URL-safe cursor. */
export function encodeCursor(lastEvaluatedKey: Record<string, unknown> | undefined): string | undefined {
  return lastEvaluatedKey && Buffer.from(JSON.stringify(lastEvaluatedKey)).toString('base64url');
}

/**
 * Decodes a cursor back into an ExclusiveStartKey, checking that it holds exactly the key
 * attributes of the read (`keyNames`), each a string or number, and that its partition key is the
 * value being read (`partition`), so a cursor of another shop or status is refused.
 */
export function decodeCursor(
  cursor: string | undefined,
  keyNames: readonly string[],
  partition: { readonly name: string; readonly value: string },
): KeyRecord | undefined {
  if (cursor === undefined) return undefined;
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError('it is not a cursor this client wrote');
  }
  if (key === null || typeof key !== 'object' || Array.isArray(key)) throw new InvalidCursorError('it is not a cursor this client wrote');
  const names = Object.keys(key).sort();
  const expected = [...new Set(keyNames)].sort();
  const values = Object.values(key) as unknown[];
  if (names.join() !== expected.join() || !values.every((value) => typeof value === 'string' || typeof value === 'number')) {
    throw new InvalidCursorError(`it does not hold the keys ${expected.join(', ')}`);
  }
  if ((key as KeyRecord)[partition.name] !== partition.value) {
    throw new InvalidCursorError(`it belongs to another ${partition.name}`);
  }
  return key as KeyRecord;
}
