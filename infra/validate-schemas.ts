/**
 * Checks the schema map and the stage config before any construct is made, so a careless edit
 * stops synth with every problem listed instead of reaching CloudFormation. Inputs are unchecked
 * data: the map is edited by hand and the type checker is not the last line of defence.
 */

import { ATTRIBUTE_TYPES, KEY_ATTRIBUTE_TYPES } from './schema-model';
import { unknownStageMessage } from './stage-selection';
import { physicalTableName } from './stages';

/** DynamoDB's rule for table and index names. */
const NAME_PATTERN = /^[a-zA-Z0-9_.-]{3,255}$/;
const NAME_RULE = "DynamoDB's naming rule: 3-255 characters of a-z, A-Z, 0-9, _, . and -";
/** DynamoDB's default quota of global secondary indexes per table. */
const MAX_INDEXES = 20;
const PROJECTION_TYPES = ['ALL', 'KEYS_ONLY', 'INCLUDE'];
const PITR_DAYS = { min: 1, max: 35 };

/** What {@link validateDataConfig} checks. */
export interface DataConfigInput {
  /** The schema map (`TABLE_SCHEMAS` or a test's variant of it). */
  readonly schemas: unknown;
  /** The stage config (`STAGES`). */
  readonly stages: unknown;
  /** Stage names asked for, e.g. with `-c stage=<name>`; every stage when absent. */
  readonly requestedStages?: readonly unknown[];
}

/** Every problem in the schema map and the stage config, each naming the table or stage and the field. */
export function validateDataConfig(input: DataConfigInput): string[] {
  const stageNames = isRecord(input.stages) ? Object.keys(input.stages) : [];
  return [
    ...validateSchemaMap(input.schemas, stageNames),
    ...validateStages(input.stages),
    ...(input.requestedStages ?? [])
      .filter((stage) => typeof stage !== 'string' || !stageNames.includes(stage))
      .map((stage) => unknownStageMessage(stage, stageNames)),
  ];
}

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

/** Problems of the stage config. */
export function validateStages(stages: unknown): string[] {
  if (!isRecord(stages) || Object.keys(stages).length === 0) return ['stages: expected at least one stage'];
  return Object.entries(stages).flatMap(([name, policy]) => {
    if (!isRecord(policy)) return [`stages.${name}: expected a stage policy, got ${show(policy)}`];
    const problems: string[] = [];
    const days = policy.pitrRecoveryPeriodDays;
    if (!Number.isInteger(days) || (days as number) < PITR_DAYS.min || (days as number) > PITR_DAYS.max) {
      problems.push(
        `stages.${name}.pitrRecoveryPeriodDays: ${show(days)} is outside ${PITR_DAYS.min}-${PITR_DAYS.max} days (whole days only)`,
      );
    }
    if (typeof policy.protectData !== 'boolean') {
      problems.push(`stages.${name}.protectData: expected true or false, got ${show(policy.protectData)}`);
    }
    return problems;
  });
}

type Raw = Record<string, unknown>;

function validateTable(table: unknown, position: number, stageNames: readonly string[]): string[] {
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
  }

  const declared = checkAttributes(table.attributes, report);
  const indexes = Array.isArray(table.indexes) ? table.indexes : [];
  if (!Array.isArray(table.indexes)) report('indexes', `expected a list of indexes (empty when none), got ${show(table.indexes)}`);

  checkKeys(table, '', declared, report);
  if (indexes.length > MAX_INDEXES) {
    report('indexes', `${indexes.length} global secondary indexes; DynamoDB allows at most ${MAX_INDEXES}`);
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
  });

  if (table.ttl !== undefined) checkTtl(table.ttl, table, indexes, declared, report);

  const patterns = Array.isArray(table.accessPatterns) ? table.accessPatterns : [];
  if (!Array.isArray(table.accessPatterns)) report('accessPatterns', `expected a list of access patterns, got ${show(table.accessPatterns)}`);
  patterns.forEach((pattern: unknown, i: number) => {
    if (!isRecord(pattern) || pattern.index === undefined || indexPositions.has(pattern.index)) return;
    const known = indexPositions.size > 0 ? `its indexes are ${[...indexPositions.keys()].join(', ')}` : 'it has no index';
    report(`accessPatterns[${i}].index`, `"${String(pattern.index)}" is not an index of ${label}; ${known}`);
  });
  return problems;
}

type Report = (field: string, message: string) => void;

/** Checks the attribute list and returns each declared name with its type. */
function checkAttributes(attributes: unknown, report: Report): Map<string, string> {
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
function checkKeys(owner: Raw, prefix: string, declared: Map<string, string>, report: Report): void {
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
  if (!declared.has(name)) report(`${field}.name`, `"${name}" is not declared in attributes`);
  else if (validType && declared.get(name) !== type) {
    report(`${field}.type`, `${show(type)} but attributes declares "${name}" as ${show(declared.get(name))}`);
  }
}

function checkProjection(
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
    if (keys.includes(attribute as string)) {
      report(`${field}.attributes[${i}]`, `"${String(attribute)}" is a key, which every index copies already; list non-key attributes only`);
    } else if (!declared.has(attribute as string)) {
      report(`${field}.attributes[${i}]`, `"${String(attribute)}" is not declared in attributes`);
    }
  });
}

function checkTtl(ttl: unknown, table: Raw, indexes: unknown[], declared: Map<string, string>, report: Report): void {
  if (!isRecord(ttl)) return report('ttl', `expected {attribute, retentionDays, countedFrom}, got ${show(ttl)}`);
  const { attribute, retentionDays, countedFrom } = ttl;
  if (typeof attribute !== 'string' || attribute === '') report('ttl.attribute', `expected an attribute name, got ${show(attribute)}`);
  else {
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

function checkName(name: unknown): string | undefined {
  if (typeof name !== 'string') return `expected a name, got ${show(name)}`;
  return NAME_PATTERN.test(name) ? undefined : `"${name}" breaks ${NAME_RULE}`;
}

function keyNames(owner: Raw): string[] {
  return [owner.partitionKey, owner.sortKey].flatMap((key) =>
    isRecord(key) && typeof key.name === 'string' ? [key.name] : [],
  );
}

function isRecord(value: unknown): value is Raw {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function show(value: unknown): string {
  // JSON would print NaN and Infinity as null.
  return value === undefined || typeof value === 'number' ? String(value) : JSON.stringify(value);
}
