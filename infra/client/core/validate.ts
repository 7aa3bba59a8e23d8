import { DataClientError, InvalidInputError, type OperationContext } from './errors';

/**
 * Checks of the client's inputs, run before any request. Each refuses with an InvalidInputError
 * naming the field and saying what it must be; the refused value is never quoted. The context
 * carries no key: the key may be the refused value.
 */
export type Where = Omit<OperationContext, 'key'>;

/** Refuses `field` of an input, saying why. */
export function refuse(where: Where, field: string, reason: string): never {
  throw new InvalidInputError({ ...where, key: {} }, field, reason);
}

/** A whole number within [min, max]: no NaN, Infinity, fraction or string. */
export function integerIn(value: unknown, where: Where, field: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    refuse(where, field, max === Number.MAX_SAFE_INTEGER ? `must be a whole number of at least ${min}` : `must be a whole number from ${min} to ${max}`);
  }
  return value;
}

/** One of the listed values. */
export function oneOf<T extends string>(value: unknown, allowed: readonly T[], where: Where, field: string): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) refuse(where, field, `must be one of ${allowed.join(', ')}`);
  return value as T;
}

/** true or false. */
export function boolean(value: unknown, where: Where, field: string): boolean {
  if (typeof value !== 'boolean') refuse(where, field, 'must be true or false');
  return value;
}

/** A string of 1 to `max` characters with no control characters. */
export function text(value: unknown, where: Where, field: string, max: number): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > max || /[\u0000-\u001f\u007f]/.test(value)) {
    refuse(where, field, `must be text of 1 to ${max} characters without control characters`);
  }
  return value;
}

/** A string matching `pattern`, described by `what`. */
export function matching(value: unknown, pattern: RegExp, where: Where, field: string, what: string): string {
  if (typeof value !== 'string' || !pattern.test(value)) refuse(where, field, `must be ${what}`);
  return value;
}

/**
 * The last instant ISO-8601 UTC writes in its fixed width: a later year gets a sign and six
 * digits, and the string order every stored time relies on breaks.
 */
export const LAST_DATE = new Date('9999-12-31T23:59:59.999Z');

/** True for a valid Date within [min, max]. */
export function isDateIn(value: unknown, min: Date, max: Date): value is Date {
  return value instanceof Date && !Number.isNaN(value.getTime()) && value >= min && value <= max;
}

/**
 * A Date that is valid and within [min, max] (ISO-8601 UTC with milliseconds writes the years
 * 0000 to 9999 in a fixed width, which string order relies on).
 */
export function date(value: unknown, where: Where, field: string, min = new Date(0), max = LAST_DATE): Date {
  if (!isDateIn(value, min, max)) {
    refuse(where, field, `must be a valid Date from ${min.toISOString()} to ${max.toISOString()}`);
  }
  return value;
}

/**
 * An options object, or undefined for the defaults unless it is `required`. Given the `known`
 * names, any other is refused naming it: a misspelt option (`marginMS`) would otherwise be ignored.
 */
export function options<T extends object>(value: T | undefined, where: Where, field = 'options', required = false, known?: readonly string[]): Partial<T> {
  if (value === undefined && !required) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) refuse(where, field, 'must be an object');
  const unknown = known && Object.keys(value).find((name) => !known.includes(name));
  if (unknown !== undefined) refuse(where, `${field}.${unknown.length > 40 ? `${unknown.slice(0, 40)}…` : unknown}`, `is not one of ${field === 'options' ? 'the options' : `${field}'s fields`} (${known!.join(', ')})`);
  return value;
}

/** The first instant a clock of the client may read: no stored time is older than the app. */
const FIRST_CLOCK = new Date('2000-01-01T00:00:00.000Z');

/**
 * The client's clock, checked at every reading: a clock that returns an invalid Date, or one
 * outside the years 2000 to 9999, would write garbage times (or fail deep inside a request).
 */
export function checkedClock(clock: () => Date, table: string): () => Date {
  return () => {
    const now: unknown = clock();
    if (!isDateIn(now, FIRST_CLOCK, LAST_DATE)) {
      throw new DataClientError({ table, operation: 'now', key: {} }, 'the client\'s now() did not return a valid Date of the years 2000 to 9999: pass a clock that returns the current time');
    }
    return now;
  };
}

/** The most items a page may ask for: a page is at most 1 MB of reads anyway. */
export const MAX_PAGE_LIMIT = 1_000;

/** A page's `limit`, `from` and `to`: limit 1 to {@link MAX_PAGE_LIMIT}, valid dates, from not after to. */
export function pageRange(
  value: { readonly limit?: unknown; readonly from?: unknown; readonly to?: unknown },
  where: Where,
  dates: { readonly min?: Date; readonly max?: Date } = {},
): { limit?: number; from?: Date; to?: Date } {
  const limit = value.limit === undefined ? undefined : integerIn(value.limit, where, 'limit', 1, MAX_PAGE_LIMIT);
  const from = value.from === undefined ? undefined : date(value.from, where, 'from', dates.min, dates.max);
  const to = value.to === undefined ? undefined : date(value.to, where, 'to', dates.min, dates.max);
  if (from && to && from > to) refuse(where, 'from', 'must not be after to');
  return { ...(limit !== undefined && { limit }), ...(from && { from }), ...(to && { to }) };
}

/**
 * A JSON document stored as a DynamoDB map: an object whose values are text, finite numbers,
 * booleans, null, lists and objects (plain ones, keys non-empty), nested 32 deep at most (DynamoDB's
 * limit), of at most `maxBytes` as JSON in UTF-8. `undefined`, NaN, Infinity, Dates, Maps, class
 * instances and functions are refused naming their path: DynamoDB or the marshaller would refuse
 * them after the KMS calls, or store something else.
 */
export function document(value: unknown, where: Where, field: string, maxBytes: number): Record<string, unknown> {
  const visit = (node: unknown, path: string, depth: number): void => {
    if (depth > 32) refuse(where, path, 'nests deeper than 32 levels (DynamoDB\'s limit)');
    if (node === null || typeof node === 'string' || typeof node === 'boolean') return;
    if (typeof node === 'number') {
      if (!Number.isFinite(node)) refuse(where, path, 'must be a finite number (NaN and Infinity are not stored)');
      return;
    }
    if (Array.isArray(node)) {
      node.forEach((item, i) => visit(item, `${path}[${i}]`, depth + 1));
      return;
    }
    if (typeof node !== 'object' || Object.getPrototypeOf(node) !== Object.prototype && Object.getPrototypeOf(node) !== null) {
      refuse(where, path, 'must hold JSON values only: text, finite numbers, booleans, null, lists and plain objects (not undefined, a Date, a Map or a class instance)');
    }
    for (const [key, item] of Object.entries(node as Record<string, unknown>)) {
      if (key.length === 0) refuse(where, path, 'must not have an empty key');
      visit(item, `${path}${keyPath(key)}`, depth + 1);
    }
  };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) refuse(where, field, 'must be an object');
  visit(value, field, 1);
  const bytes = Buffer.byteLength(JSON.stringify(value), 'utf8');
  if (bytes > maxBytes) refuse(where, field, `is ${bytes} bytes as JSON, more than ${maxBytes}`);
  return value as Record<string, unknown>;
}

/** A key in a refused field's path: as written when it is a short name, quoted and cut otherwise. */
function keyPath(key: string): string {
  return /^[A-Za-z_$][\w$]{0,39}$/.test(key) ? `.${key}` : `[${JSON.stringify(key.length > 40 ? `${key.slice(0, 40)}…` : key)}]`;
}
