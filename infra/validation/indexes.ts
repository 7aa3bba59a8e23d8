/** Global secondary indexes: their number, projections, the secrets they must not copy, hot-key marks. */

import { checkNameBytes, isRecord, show, type Raw, type Report } from './common';

/** DynamoDB's default quota of global secondary indexes per table. */
export const MAX_INDEXES = 20;
export const PROJECTION_TYPES = ['ALL', 'KEYS_ONLY', 'INCLUDE'];

/** DynamoDB's limit on non-key attributes projected (INCLUDE) across all of a table's indexes; a repeat counts again. */
export const MAX_PROJECTED_ATTRIBUTES = 100;

export function checkProjection(
  projection: unknown,
  field: string,
  keys: readonly string[],
  declared: Map<string, string>,
  report: Report,
): void {
  if (!isRecord(projection)) return report(field, `expected {type, reason}, got ${show(projection)}`);
  if (!PROJECTION_TYPES.includes(projection.type as string)) {
    return report(`${field}.type`, `${show(projection.type)} is not a projection type (${PROJECTION_TYPES.join(', ')})`);
  }
  if (projection.type !== 'INCLUDE') return;
  const attributes = projection.attributes;
  if (!Array.isArray(attributes) || attributes.length === 0) {
    return report(`${field}.attributes`, 'INCLUDE needs at least one non-key attribute; use KEYS_ONLY to copy only the keys');
  }
  attributes.forEach((attribute: unknown, i: number) => {
    if (typeof attribute === 'string') checkNameBytes(attribute, `${field}.attributes[${i}]`, 'projected attribute names', report);
    if (keys.includes(attribute as string)) {
      report(`${field}.attributes[${i}]`, `"${String(attribute)}" is a key, which every index copies already; list non-key attributes only`);
    } else if (!declared.has(attribute as string)) {
      report(`${field}.attributes[${i}]`, `"${String(attribute)}" is not declared in attributes`);
    }
  });
}

/**
 * An index is a copy of the item that every reader of the index sees: a sensitive or sealed
 * attribute must not be in it, whether by ALL or by INCLUDE.
 */
export function checkSecretsOffIndex(table: Raw, index: Raw, field: string, report: Report): void {
  if (!isRecord(index.projection) || !Array.isArray(table.attributes)) return;
  const { type, attributes } = index.projection;
  const secrets = table.attributes
    .filter((attribute): attribute is Raw => isRecord(attribute) && (attribute.sensitive === true || attribute.sealed === true))
    .map((attribute) => String(attribute.name));
  const projected = type === 'ALL' ? secrets : type === 'INCLUDE' && Array.isArray(attributes) ? secrets.filter((name) => attributes.includes(name)) : [];
  for (const name of projected) {
    const how = type === 'ALL' ? 'projects ALL attributes, so it copies' : 'INCLUDEs';
    report(
      `${field}.projection`,
      `index "${String(index.name)}" ${how} the sensitive attribute "${name}"; project only what the index's readers need (INCLUDE without it, or KEYS_ONLY)`,
    );
  }
}

/** A table's or an index's hot-key mark: absent, or a reason. */
export function checkHotKeyProne(value: unknown, field: string, report: Report): void {
  if (value === undefined) return;
  if (!isRecord(value) || typeof value.reason !== 'string' || value.reason.trim() === '') {
    report(field, `expected {reason} saying which key values run hot, got ${show(value)}`);
  }
}
