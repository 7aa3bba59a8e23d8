/** A table's TTL: a declared Number attribute that is no key, a retention and what it counts from. */

import { checkNameBytes, isRecord, keyNames, show, type Raw, type Report } from './common';

export function checkTtl(ttl: unknown, table: Raw, indexes: unknown[], declared: Map<string, string>, report: Report): void {
  if (!isRecord(ttl)) return report('ttl', `expected {attribute, retentionDays, countedFrom}, got ${show(ttl)}`);
  const { attribute, retentionDays, countedFrom } = ttl;
  if (typeof attribute !== 'string' || attribute === '') report('ttl.attribute', `expected an attribute name, got ${show(attribute)}`);
  else {
    checkNameBytes(attribute, 'ttl.attribute', 'the TTL attribute name', report);
    const keyOwners = [
      { owner: 'the table', keys: keyNames(table) },
      ...indexes.filter(isRecord).map((index) => ({ owner: `index "${String(index.name)}"`, keys: keyNames(index) })),
    ];
    const keyOf = keyOwners.find(({ keys }) => keys.includes(attribute));
    if (keyOf) report('ttl.attribute', `"${attribute}" is also a key of ${keyOf.owner}; TTL needs a non-key attribute`);
    if (!declared.has(attribute)) report('ttl.attribute', `"${attribute}" is not declared in attributes; TTL needs a Number ("N") attribute`);
    else if (declared.get(attribute) !== 'N') {
      report('ttl.attribute', `"${attribute}" is declared as ${show(declared.get(attribute))}; TTL reads only a Number ("N") of epoch seconds`);
    }
  }
  if (typeof retentionDays !== 'number' || !Number.isInteger(retentionDays) || retentionDays <= 0) {
    report('ttl.retentionDays', `${show(retentionDays)} is not a positive whole number of days`);
  }
  if (typeof countedFrom !== 'string' || !declared.has(countedFrom)) {
    report('ttl.countedFrom', `${show(countedFrom)} is not declared in attributes`);
  }
}
