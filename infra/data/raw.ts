/** A value read from a file or the command line, before it is checked: an object of unknown fields. */
export type Raw = Record<string, unknown>;

/** True for a plain object (not null, not a list). */
export function isRecord(value: unknown): value is Raw {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
