import { createHmac, timingSafeEqual } from 'node:crypto';
import { InvalidCursorError, type OperationContext } from './errors';

export { InvalidCursorError } from './errors';

/** A page of a paginated read, and the opaque cursor of the next page when there is one. */
export interface Page<T> {
  /** The items of this page, in the read's order. */
  readonly items: T[];
  /** Pass it back to read the next page; absent on the last page. */
  readonly cursor?: string;
}

/**
 * The key cursors are signed with when the app gives none. It makes every edit evident; only a
 * caller who reads this source could sign a cursor of their own, and that cursor can still only
 * start the same read of the same partition (checked after the signature), so it reaches nothing
 * the caller could not list anyway. Pass `cursorKey` to make cursors unforgeable as well.
 */
export const DEFAULT_CURSOR_KEY = 'inavor-shuttle data client cursor v1';

/** The read a cursor belongs to: a cursor is valid for this read only. */
export interface CursorScope {
  /** The table and operation, e.g. `Jobs-prod` and `jobs.listByShop`. */
  readonly context: OperationContext;
  /** The partition key read, e.g. `{ name: 'shopDomain', value: 'acme.myshopify.com' }`. */
  readonly partition: { readonly name: string; readonly value: string };
  /** The bounds the caller asked for, if any: a page of another range is another read. */
  readonly range?: { readonly from?: string | number; readonly to?: string | number };
}

/** Longest cursor accepted: a key of the Jobs or ImportHistory tables encodes to a few hundred characters. */
const MAX_CURSOR_LENGTH = 2_048;

type KeyRecord = Record<string, string | number>;

function signature(key: string | Uint8Array, scope: CursorScope, payload: string): string {
  const signed = JSON.stringify([scope.context.table, scope.context.operation, scope.partition.value, scope.range?.from ?? null, scope.range?.to ?? null, payload]);
  // 128 bits of HMAC-SHA-256 are plenty to refuse a guessed cursor.
  return createHmac('sha256', key).update(signed).digest().subarray(0, 16).toString('base64url');
}

/** Encodes a LastEvaluatedKey as an opaque, URL-safe cursor signed for `scope`. */
export function encodeCursor(lastEvaluatedKey: Record<string, unknown> | undefined, scope: CursorScope, key: string | Uint8Array): string | undefined {
  if (!lastEvaluatedKey) return undefined;
  const payload = Buffer.from(JSON.stringify(lastEvaluatedKey)).toString('base64url');
  return `${payload}.${signature(key, scope, payload)}`;
}

/**
 * Decodes a cursor back into an ExclusiveStartKey. It must carry the signature of this read
 * (table, operation, partition and range), so an edited cursor, or one of another shop, status,
 * range or read, is refused; and it must hold exactly the key attributes `keyNames`, each a
 * string or number, with the partition being read.
 */
export function decodeCursor(cursor: unknown, keyNames: readonly string[], scope: CursorScope, key: string | Uint8Array): KeyRecord | undefined {
  if (cursor === undefined) return undefined;
  const refuse = (reason: string): never => {
    throw new InvalidCursorError(scope.context, reason);
  };
  if (typeof cursor !== 'string' || cursor.length > MAX_CURSOR_LENGTH) return refuse('it is not a cursor this client wrote');
  const [payload = '', signed = '', ...rest] = cursor.split('.');
  const expected = Buffer.from(signature(key, scope, payload));
  if (rest.length > 0 || Buffer.byteLength(signed) !== expected.length || !timingSafeEqual(Buffer.from(signed), expected)) {
    return refuse('it was not handed out by this read (edited, or from another shop, status, range or list)');
  }
  let start: unknown;
  try {
    start = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return refuse('it is not a cursor this client wrote');
  }
  if (start === null || typeof start !== 'object' || Array.isArray(start)) return refuse('it is not a cursor this client wrote');
  const names = Object.keys(start).sort();
  const wanted = [...new Set(keyNames)].sort();
  if (names.join() !== wanted.join() || !Object.values(start).every((value) => typeof value === 'string' || typeof value === 'number')) {
    return refuse(`it does not hold the keys ${wanted.join(', ')}`);
  }
  if ((start as KeyRecord)[scope.partition.name] !== scope.partition.value) return refuse(`it belongs to another ${scope.partition.name}`);
  return start as KeyRecord;
}
