/** A table's attribute list and the keys of the table and its indexes. */

import { ATTRIBUTE_TYPES, KEY_ATTRIBUTE_TYPES } from '../data/schema-model';
import { checkNameBytes, isRecord, show, type Raw, type Report } from './common';

/** Checks the attribute list and returns each declared name with its type. */
export function checkAttributes(attributes: unknown, report: Report): Map<string, string> {
  const declared = new Map<string, string>();
  if (!Array.isArray(attributes)) {
    report('attributes', `expected a list of attributes, keys included, got ${show(attributes)}`);
    return declared;
  }
  const positions = new Map<string, number>();
  attributes.forEach((attribute: unknown, i: number) => {
    const field = `attributes[${i}]`;
    if (!isRecord(attribute)) return report(field, `expected {name, type, description}, got ${show(attribute)}`);
    const { name, type } = attribute;
    if (typeof name !== 'string' || name === '') return report(`${field}.name`, `expected an attribute name, got ${show(name)}`);
    if (!(ATTRIBUTE_TYPES as readonly unknown[]).includes(type)) {
      report(`${field}.type`, `${show(type)} is not an attribute type (${ATTRIBUTE_TYPES.join(', ')})`);
    }
    if (attribute.sealed === true) {
      // The ciphertext is an Encryption SDK message (bytes), and only the caller that seals knows the secret.
      if (type !== 'B') report(`${field}.type`, `"${name}" is sealed, so it holds ciphertext bytes: declare it "B", not ${show(type)}`);
      if (attribute.sensitive !== true) report(`${field}.sensitive`, `"${name}" is sealed, so it is a secret: mark it sensitive too`);
    }
    const first = positions.get(name);
    if (first === undefined) {
      positions.set(name, i);
      declared.set(name, type as string);
    } else if (declared.get(name) !== type) {
      report(`${field}.type`, `"${name}" is declared as ${show(declared.get(name))} in attributes[${first}] and as ${show(type)} here`);
    } else {
      report(`${field}.name`, `"${name}" is already declared in attributes[${first}]`);
    }
  });
  return declared;
}

/** Checks the partition and sort key of a table (prefix '') or an index (prefix 'indexes[i].'). */
export function checkKeys(owner: Raw, prefix: string, declared: Map<string, string>, report: Report): void {
  if (owner.partitionKey === undefined) {
    const why = owner.sortKey === undefined ? 'every table and index needs one' : 'a sort key needs a partition key';
    report(`${prefix}partitionKey`, `missing; ${why}`);
  } else checkKey(owner.partitionKey, `${prefix}partitionKey`, declared, report);
  if (owner.sortKey !== undefined) checkKey(owner.sortKey, `${prefix}sortKey`, declared, report);
  const [partition, sort] = [owner.partitionKey, owner.sortKey];
  if (isRecord(partition) && isRecord(sort) && partition.name === sort.name) {
    report(`${prefix}sortKey.name`, `"${String(sort.name)}" is also the partition key`);
  }
}

function checkKey(key: unknown, field: string, declared: Map<string, string>, report: Report): void {
  if (!isRecord(key)) return report(field, `expected {name, type}, got ${show(key)}`);
  const { name, type } = key;
  if (typeof name !== 'string' || name === '') report(`${field}.name`, `expected an attribute name, got ${show(name)}`);
  const validType = (KEY_ATTRIBUTE_TYPES as readonly unknown[]).includes(type);
  if (type === undefined) report(`${field}.type`, `missing; a key needs a type (${KEY_ATTRIBUTE_TYPES.join(', ')})`);
  else if (!validType) report(`${field}.type`, `${show(type)} is not a key type (${KEY_ATTRIBUTE_TYPES.join(', ')})`);
  if (typeof name !== 'string' || name === '') return;
  checkNameBytes(name, `${field}.name`, 'key attribute names', report);
  if (!declared.has(name)) report(`${field}.name`, `"${name}" is not declared in attributes`);
  else if (validType && declared.get(name) !== type) {
    report(`${field}.type`, `${show(type)} but attributes declares "${name}" as ${show(declared.get(name))}`);
  }
}
