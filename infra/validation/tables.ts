/** The schema map: each table's names, attributes, keys, indexes, TTL and redaction, and names unique across the map. */

import { physicalTableName } from '../data/stages';
import { NAME_PATTERN, NAME_RULE, checkName, isRecord, keyNames, show, type Raw, type Report } from './common';
import { MAX_INDEXES, MAX_PROJECTED_ATTRIBUTES, checkHotKeyProne, checkProjection, checkSecretsOffIndex } from './indexes';
import { checkAttributes, checkKeys } from './keys-attributes';
import { checkExportNames } from './stage-policy';
import { checkTtl } from './ttl';

/** Problems of the schema map; `stageNames` are the stages whose physical table names must be valid. */
export function validateSchemaMap(schemas: unknown, stageNames: readonly string[]): string[] {
  if (!Array.isArray(schemas)) return [`schema map: expected a list of tables, got ${show(schemas)}`];
  const problems = schemas.flatMap((table, i) => validateTable(table, i, stageNames));
  const positions = new Map<string, number[]>();
  schemas.forEach((table, i) => {
    if (isRecord(table) && typeof table.name === 'string') {
      positions.set(table.name, [...(positions.get(table.name) ?? []), i]);
    }
  });
  for (const [name, at] of positions) {
    if (at.length > 1) problems.push(`${name}.name: ${at.map((i) => `tables[${i}]`).join(' and ')} share the name "${name}"`);
  }
  return problems;
}

export function validateTable(table: unknown, position: number, stageNames: readonly string[]): string[] {
  if (!isRecord(table)) return [`tables[${position}]: expected a table, got ${show(table)}`];
  const label = typeof table.name === 'string' && table.name !== '' ? table.name : `tables[${position}]`;
  const problems: string[] = [];
  const report: Report = (field, message) => {
    problems.push(`${label}.${field}: ${message}`);
  };

  const nameProblem = checkName(table.name);
  if (nameProblem) report('name', nameProblem);
  else {
    for (const stage of stageNames) {
      const physical = physicalTableName(table.name as string, stage);
      if (!NAME_PATTERN.test(physical)) report('name', `physical name "${physical}" of stage ${stage} breaks ${NAME_RULE}`);
    }
    checkExportNames(table.name as string, stageNames, report);
  }

  const declared = checkAttributes(table.attributes, report);
  const indexes = Array.isArray(table.indexes) ? table.indexes : [];
  if (!Array.isArray(table.indexes)) report('indexes', `expected a list of indexes (empty when none), got ${show(table.indexes)}`);

  checkKeys(table, '', declared, report);
  if (indexes.length > MAX_INDEXES) {
    report('indexes', `${indexes.length} global secondary indexes; DynamoDB allows at most ${MAX_INDEXES}`);
  }
  const projected = indexes.reduce(
    (sum: number, index: unknown) =>
      sum + (isRecord(index) && isRecord(index.projection) && Array.isArray(index.projection.attributes) ? index.projection.attributes.length : 0),
    0,
  );
  if (projected > MAX_PROJECTED_ATTRIBUTES) {
    report(
      'indexes',
      `${projected} non-key attributes projected (INCLUDE) across the indexes; DynamoDB allows at most ${MAX_PROJECTED_ATTRIBUTES} in total, an attribute in two indexes counting twice`,
    );
  }
  const indexPositions = new Map<unknown, number>();
  indexes.forEach((index: unknown, i: number) => {
    const field = `indexes[${i}]`;
    if (!isRecord(index)) return report(field, `expected an index, got ${show(index)}`);
    const indexNameProblem = checkName(index.name);
    if (indexNameProblem) report(`${field}.name`, indexNameProblem);
    else if (indexPositions.has(index.name)) {
      report(`${field}.name`, `"${index.name}" is also the name of indexes[${indexPositions.get(index.name)}]`);
    }
    if (!indexPositions.has(index.name)) indexPositions.set(index.name, i);
    checkKeys(index, `${field}.`, declared, report);
    checkProjection(index.projection, `${field}.projection`, [...keyNames(table), ...keyNames(index)], declared, report);
    checkSecretsOffIndex(table, index, field, report);
    checkHotKeyProne(index.hotKeyProne, `${field}.hotKeyProne`, report);
  });
  checkHotKeyProne(table.hotKeyProne, 'hotKeyProne', report);

  const sealed = Array.isArray(table.attributes) ? table.attributes.filter((a) => isRecord(a) && a.sealed === true).map((a) => a.name) : [];
  for (const owner of [table, ...indexes.filter(isRecord)]) {
    for (const key of keyNames(owner).filter((name) => sealed.includes(name))) {
      const where = owner === table ? 'the table' : `index "${String(owner.name)}"`;
      report('attributes', `"${key}" is sealed and also a key of ${where}; ciphertext is fresh on every write, so it cannot be looked up`);
    }
  }
  if (table.ttl !== undefined) checkTtl(table.ttl, table, indexes, declared, report);

  if (table.appendOnly !== undefined && typeof table.appendOnly !== 'boolean') {
    report('appendOnly', `expected true or false, got ${show(table.appendOnly)}`);
  }
  if (table.redaction !== undefined) checkRedaction(table, report);

  const patterns = Array.isArray(table.accessPatterns) ? table.accessPatterns : [];
  if (!Array.isArray(table.accessPatterns)) report('accessPatterns', `expected a list of access patterns, got ${show(table.accessPatterns)}`);
  patterns.forEach((pattern: unknown, i: number) => {
    if (!isRecord(pattern) || pattern.index === undefined || indexPositions.has(pattern.index)) return;
    const known = indexPositions.size > 0 ? `its indexes are ${[...indexPositions.keys()].join(', ')}` : 'it has no index';
    report(`accessPatterns[${i}].index`, `"${String(pattern.index)}" is not an index of ${label}; ${known}`);
  });
  return problems;
}

/** A redaction finds a shop's items by the table's own key (partition key only) or by one of its access patterns. */
export function checkRedaction(table: Raw, report: Report): void {
  const redaction = table.redaction;
  if (!isRecord(redaction)) return report('redaction', `expected {by: 'key'} or {by: 'accessPattern', accessPattern}, got ${show(redaction)}`);
  if (redaction.by === 'key') {
    if (table.sortKey !== undefined) report('redaction.by', '"key" needs a table keyed by the shop alone; this table has a sort key, so name the access pattern that lists a shop\'s items');
    return;
  }
  if (redaction.by !== 'accessPattern') return report('redaction.by', `${show(redaction.by)} is not "key" or "accessPattern"`);
  const patterns = Array.isArray(table.accessPatterns) ? table.accessPatterns.filter(isRecord) : [];
  const pattern = patterns.find((candidate) => candidate.name === redaction.accessPattern);
  if (!pattern) {
    report('redaction.accessPattern', `${show(redaction.accessPattern)} is not an access pattern of the table (${patterns.map((p) => String(p.name)).join(', ')})`);
  } else if (pattern.operation !== 'Query') {
    report('redaction.accessPattern', `"${String(pattern.name)}" is a ${String(pattern.operation)}; a redaction walks a shop's items with a Query`);
  }
}
