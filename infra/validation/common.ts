/** What every check of the map and the stage config uses: the value shapes and DynamoDB's naming rules. */
import { isRecord, type Raw } from '../data/raw';

export { isRecord, type Raw };

/** DynamoDB's rule for table and index names. */
export const NAME_PATTERN = /^[a-zA-Z0-9_.-]{3,255}$/;
export const NAME_RULE = "DynamoDB's naming rule: 3-255 characters of a-z, A-Z, 0-9, _, . and -";

/** DynamoDB's (and CloudFormation's) limit on the UTF-8 length of key, projected and TTL attribute names. */
const MAX_INDEXED_NAME_BYTES = 255;

export type Report = (field: string, message: string) => void;

export function checkNameBytes(name: string, field: string, what: string, report: Report): void {
  const bytes = Buffer.byteLength(name, 'utf8');
  if (bytes > MAX_INDEXED_NAME_BYTES) report(field, `the name is ${bytes} bytes (UTF-8); DynamoDB allows at most ${MAX_INDEXED_NAME_BYTES} for ${what}`);
}

export function checkName(name: unknown): string | undefined {
  if (typeof name !== 'string') return `expected a name, got ${show(name)}`;
  return NAME_PATTERN.test(name) ? undefined : `"${name}" breaks ${NAME_RULE}`;
}

export function keyNames(owner: Raw): string[] {
  return [owner.partitionKey, owner.sortKey].flatMap((key) =>
    isRecord(key) && typeof key.name === 'string' ? [key.name] : [],
  );
}

export function show(value: unknown): string {
  // JSON would print NaN and Infinity as null.
  return value === undefined || typeof value === 'number' ? String(value) : JSON.stringify(value);
}

export function isPositiveInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value > 0;
}

export function isReason(value: unknown): boolean {
  return typeof value === 'string' && value.trim() !== '' && !value.includes('\n');
}
