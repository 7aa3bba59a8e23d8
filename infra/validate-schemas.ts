/**
 * Checks the schema map and the stage config before any construct is made, so a careless edit
 * stops synth with every problem listed instead of reaching CloudFormation. Inputs are unchecked
 * data: the map is edited by hand and the type checker is not the last line of defence.
 */

import { ATTRIBUTE_TYPES, KEY_ATTRIBUTE_TYPES } from './schema-model';
import { unknownStageMessage } from './stage-selection';
import { BACKUP_SCHEDULES, DATA_ROLE_PURPOSES, TRUSTED_SERVICES, dataExportName, dataRoleName, dataStackName, physicalTableName, tableOutputIds } from './stages';

/** DynamoDB's rule for table and index names. */
const NAME_PATTERN = /^[a-zA-Z0-9_.-]{3,255}$/;
const NAME_RULE = "DynamoDB's naming rule: 3-255 characters of a-z, A-Z, 0-9, _, . and -";
/** DynamoDB's default quota of global secondary indexes per table. */
const MAX_INDEXES = 20;
const PROJECTION_TYPES = ['ALL', 'KEYS_ONLY', 'INCLUDE'];
const PITR_DAYS = { min: 1, max: 35 };
/** DynamoDB's limit on non-key attributes projected (INCLUDE) across all of a table's indexes; a repeat counts again. */
const MAX_PROJECTED_ATTRIBUTES = 100;
/** DynamoDB's (and CloudFormation's) limit on the UTF-8 length of key, projected and TTL attribute names. */
const MAX_INDEXED_NAME_BYTES = 255;

/**
 * Region names of the commercial, AWS GovCloud (US) and China partitions as of late 2026. Offline on
 * purpose: synth needs no network; a test compares it with the regions aws-cdk-lib knows, so an
 * upgrade that brings a new region says so.
 */
export const AWS_REGIONS = [
  'af-south-1',
  'ap-east-1', 'ap-east-2',
  'ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3',
  'ap-south-1', 'ap-south-2',
  'ap-southeast-1', 'ap-southeast-2', 'ap-southeast-3', 'ap-southeast-4', 'ap-southeast-5', 'ap-southeast-6', 'ap-southeast-7',
  'ca-central-1', 'ca-west-1',
  'eu-central-1', 'eu-central-2',
  'eu-north-1',
  'eu-south-1', 'eu-south-2',
  'eu-west-1', 'eu-west-2', 'eu-west-3',
  'il-central-1',
  'me-central-1', 'me-south-1', 'me-west-1',
  'mx-central-1',
  'sa-east-1',
  'us-east-1', 'us-east-2',
  'us-west-1', 'us-west-2',
  'us-gov-east-1', 'us-gov-west-1',
  'cn-north-1', 'cn-northwest-1',
] as const;

/**
 * Stage names: a lowercase letter, then lowercase letters, digits and single hyphens, no hyphen
 * last. The name is part of the stack name and export names (letters, digits, hyphens only), the
 * KMS alias and the physical table names; lowercase keeps `prod` and `Prod` from being two stages
 * that people read as one, and keeps the name usable in names that must be lowercase (S3 buckets).
 */
const STAGE_NAME_PATTERN = /^[a-z](?:-?[a-z0-9])*$/;
/** CloudFormation's stack name rule. */
const STACK_NAME_PATTERN = /^[A-Za-z][A-Za-z0-9-]*$/;
const MAX_STACK_NAME = 128;
/** CloudFormation's export name rule. */
const EXPORT_NAME_PATTERN = /^[A-Za-z0-9:-]+$/;
const MAX_EXPORT_NAME = 255;

/** AWS tag limits shared by DynamoDB, KMS and CloudFormation. */
const TAGS = {
  maxPerResource: 50,
  maxKey: 128,
  maxValue: 256,
  /** Letters, numbers and spaces in any language, and `_ . : / = + - @`. */
  pattern: /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u,
  reservedPrefix: /^aws:/i,
} as const;

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
    const problems = stageNameProblems(name);
    if (!isRecord(policy)) return [...problems, `stages.${name}: expected a stage policy, got ${show(policy)}`];
    if (typeof policy.region !== 'string' || !(AWS_REGIONS as readonly string[]).includes(policy.region)) {
      problems.push(`stages.${name}.region: ${show(policy.region)} is not an AWS region name (e.g. us-east-1)`);
    }
    const days = policy.pitrRecoveryPeriodDays;
    if (!Number.isInteger(days) || (days as number) < PITR_DAYS.min || (days as number) > PITR_DAYS.max) {
      problems.push(
        `stages.${name}.pitrRecoveryPeriodDays: ${show(days)} is outside ${PITR_DAYS.min}-${PITR_DAYS.max} days (whole days only)`,
      );
    }
    if (typeof policy.protectData !== 'boolean') {
      problems.push(`stages.${name}.protectData: expected true or false, got ${show(policy.protectData)}`);
    }
    return [
      ...problems,
      ...tagProblems(policy.tags, `stages.${name}.tags`),
      ...checkMonitoring(policy.monitoring, `stages.${name}.monitoring`),
      ...validateBackup(`stages.${name}.backup`, policy.backup, policy.protectData === true),
      ...checkAccess(policy.access, `stages.${name}.access`),
    ];
  });
}

function stageNameProblems(stage: string): string[] {
  const problems = STAGE_NAME_PATTERN.test(stage)
    ? []
    : [
        `stages.${stage}: ${show(stage)} is not a stage name: a lowercase letter, then lowercase letters, digits and single hyphens, not ending in a hyphen (it becomes part of stack, export, table and KMS alias names)`,
      ];
  return [...problems, ...stackNameProblems(stage), ...roleNameProblems(stage)];
}

/** IAM's limit on the stage's data-access role names, the longest of which is reported. */
function roleNameProblems(stage: string): string[] {
  const longest = DATA_ROLE_PURPOSES.map((purpose) => dataRoleName(stage, purpose)).reduce((a, b) => (b.length > a.length ? b : a));
  return longest.length > MAX_ROLE_NAME ? [`stages.${stage}: role name ${longest} is ${longest.length} characters; IAM allows at most ${MAX_ROLE_NAME}`] : [];
}

/** CloudFormation's rule for the stage's stack name, whatever `dataStackName` makes of the stage name. */
function stackNameProblems(stage: string): string[] {
  const stackName = dataStackName(stage);
  if (stackName.length > MAX_STACK_NAME) {
    return [`stages.${stage}: stack name ${stackName} is ${stackName.length} characters; CloudFormation allows at most ${MAX_STACK_NAME}`];
  }
  if (!STACK_NAME_PATTERN.test(stackName)) {
    return [`stages.${stage}: stack name ${stackName} breaks CloudFormation's rule: a letter, then letters, digits and hyphens`];
  }
  return [];
}

function tagProblems(tags: unknown, field: string): string[] {
  if (!isRecord(tags)) return [`${field}: expected a map of tag keys to values, got ${show(tags)}`];
  const entries = Object.entries(tags);
  const problems: string[] = [];
  if (entries.length > TAGS.maxPerResource) {
    problems.push(`${field}: ${entries.length} tags; AWS allows at most ${TAGS.maxPerResource} user tags per resource`);
  }
  for (const [key, value] of entries) {
    const at = `${field}[${JSON.stringify(key)}]`;
    // Tag limits count Unicode characters, not UTF-16 units.
    const keyLength = [...key].length;
    if (keyLength < 1 || keyLength > TAGS.maxKey) {
      problems.push(`${at}: the key is ${keyLength} characters; AWS allows 1-${TAGS.maxKey}`);
    }
    if (TAGS.reservedPrefix.test(key)) problems.push(`${at}: keys starting with "aws:" (in any case) are reserved for AWS`);
    if (!TAGS.pattern.test(key)) problems.push(`${at}: the key may hold only letters, digits, spaces and _ . : / = + - @`);
    if (typeof value !== 'string') {
      problems.push(`${at}: expected a string value, got ${show(value)}`);
      continue;
    }
    const valueLength = [...value].length;
    if (valueLength > TAGS.maxValue) {
      problems.push(`${at}: the value is ${valueLength} characters; AWS allows at most ${TAGS.maxValue}`);
    }
    if (!TAGS.pattern.test(value)) problems.push(`${at}: the value may hold only letters, digits, spaces and _ . : / = + - @`);
  }
  return problems;
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
  checkNameBytes(name, `${field}.name`, 'key attribute names', report);
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
function checkSecretsOffIndex(table: Raw, index: Raw, field: string, report: Report): void {
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

/** A redaction finds a shop's items by the table's own key (partition key only) or by one of its access patterns. */
function checkRedaction(table: Raw, report: Report): void {
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

function checkTtl(ttl: unknown, table: Raw, indexes: unknown[], declared: Map<string, string>, report: Report): void {
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

/** The table's export names (e.g. `InavorShuttleData-prod-JobsTableArn`) in every stage with a valid stack name. */
function checkExportNames(table: string, stageNames: readonly string[], report: Report): void {
  // A stage whose stack name is invalid is reported once, under stages.
  const stages = stageNames.filter((stage) => stackNameProblems(stage).length === 0);
  const exports = stages.flatMap((stage) => tableOutputIds(table).map((id) => ({ stage, name: dataExportName(stage, id) })));
  const badCharacters = exports.find(({ name }) => !EXPORT_NAME_PATTERN.test(name));
  if (badCharacters) {
    report('name', `"${table}" is part of export names such as ${badCharacters.name}, which CloudFormation limits to letters, digits, hyphens and colons`);
  }
  for (const stage of stages) {
    const longest = exports.filter((entry) => entry.stage === stage).reduce((a, b) => (b.name.length > a.name.length ? b : a));
    if (longest.name.length > MAX_EXPORT_NAME) {
      report('name', `export name ${longest.name} of stage ${stage} is ${longest.name.length} characters; CloudFormation allows at most ${MAX_EXPORT_NAME}`);
    }
  }
}

function checkNameBytes(name: string, field: string, what: string, report: Report): void {
  const bytes = Buffer.byteLength(name, 'utf8');
  if (bytes > MAX_INDEXED_NAME_BYTES) report(field, `the name is ${bytes} bytes (UTF-8); DynamoDB allows at most ${MAX_INDEXED_NAME_BYTES} for ${what}`);
}

/** A stage's monitoring block: both switches, a reason, and no Contributor Insights without the alarms that point to it. */
function checkMonitoring(monitoring: unknown, field: string): string[] {
  if (!isRecord(monitoring)) return [`${field}: expected {alarms, contributorInsights, reason}, got ${show(monitoring)}`];
  const problems: string[] = [];
  for (const flag of ['alarms', 'contributorInsights'] as const) {
    if (typeof monitoring[flag] !== 'boolean') problems.push(`${field}.${flag}: expected true or false, got ${show(monitoring[flag])}`);
  }
  if (typeof monitoring.reason !== 'string' || monitoring.reason.trim() === '') {
    problems.push(`${field}.reason: expected one line on why the stage watches this much, got ${show(monitoring.reason)}`);
  }
  if (monitoring.contributorInsights === true && monitoring.alarms === false) {
    problems.push(`${field}.contributorInsights: on without alarms; hot keys are looked up when an alarm fires, so turn alarms on or this off`);
  }
  return problems;
}

/** A table's or an index's hot-key mark: absent, or a reason. */
function checkHotKeyProne(value: unknown, field: string, report: Report): void {
  if (value === undefined) return;
  if (!isRecord(value) || typeof value.reason !== 'string' || value.reason.trim() === '') {
    report(field, `expected {reason} saying which key values run hot, got ${show(value)}`);
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

/** True for a plain object (not null, not a list). */
export function isRecord(value: unknown): value is Raw {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function show(value: unknown): string {
  // JSON would print NaN and Infinity as null.
  return value === undefined || typeof value === 'number' ? String(value) : JSON.stringify(value);
}

/** AWS Backup's rule-name pattern. */
const BACKUP_RULE_NAME = /^[a-zA-Z0-9_.-]{1,50}$/;
/** AWS Backup's shortest compliance-mode grace time. */
const MIN_CHANGEABLE_FOR_DAYS = 3;
const VAULT_ARN = /^arn:aws[a-z-]*:backup:[a-z0-9-]+:\d{12}:backup-vault:[a-zA-Z0-9_.-]+$/;

/** Problems of a stage's `backup` block; `field` is e.g. `stages.prod.backup`. */
function validateBackup(field: string, backup: unknown, protectData: boolean): string[] {
  if (!isRecord(backup)) return [`${field}: expected {rules, reason}, got ${show(backup)}`];
  const problems: string[] = [];
  const report: Report = (sub, message) => {
    problems.push(`${field}.${sub}: ${message}`);
  };
  if (!isReason(backup.reason)) report('reason', 'expected one line on why the stage gets these rules');
  const rules = Array.isArray(backup.rules) ? backup.rules : [];
  if (!Array.isArray(backup.rules)) report('rules', `expected a list of rules (empty for none), got ${show(backup.rules)}`);
  else if (protectData && rules.length === 0) {
    report('rules', 'empty, but the stage protects its data; a protected stage needs at least one backup rule');
  }
  const names = new Map<unknown, number>();
  const retentions: Array<[string, unknown]> = [];
  rules.forEach((rule: unknown, i: number) => {
    const at = `rules[${i}]`;
    if (!isRecord(rule)) return report(at, `expected {name, schedule, retentionDays, reason}, got ${show(rule)}`);
    if (typeof rule.name !== 'string' || !BACKUP_RULE_NAME.test(rule.name)) {
      report(`${at}.name`, `${show(rule.name)} breaks AWS Backup's rule-name pattern (1-50 of a-z, A-Z, 0-9, _, . and -)`);
    } else if (names.has(rule.name)) report(`${at}.name`, `"${rule.name}" is also the name of rules[${names.get(rule.name)}]`);
    else names.set(rule.name, i);
    if (!(BACKUP_SCHEDULES as readonly unknown[]).includes(rule.schedule)) {
      report(`${at}.schedule`, `${show(rule.schedule)} is not a schedule (${BACKUP_SCHEDULES.join(', ')})`);
    }
    if (!isPositiveInteger(rule.retentionDays)) report(`${at}.retentionDays`, `${show(rule.retentionDays)} is not a positive whole number of days`);
    else retentions.push([`${at}.retentionDays`, rule.retentionDays]);
    if (!isReason(rule.reason)) report(`${at}.reason`, 'expected one line on why this rule and this retention');
  });
  if (backup.copy !== undefined) {
    const copy = backup.copy;
    if (!isRecord(copy)) report('copy', `expected {destinationVaultArn, retentionDays, reason}, got ${show(copy)}`);
    else {
      if (typeof copy.destinationVaultArn !== 'string' || !VAULT_ARN.test(copy.destinationVaultArn)) {
        report('copy.destinationVaultArn', `${show(copy.destinationVaultArn)} is not a backup vault ARN (arn:aws:backup:<region>:<account>:backup-vault:<name>)`);
      }
      if (!isPositiveInteger(copy.retentionDays)) report('copy.retentionDays', `${show(copy.retentionDays)} is not a positive whole number of days`);
      if (!isReason(copy.reason)) report('copy.reason', 'expected one line on why the copy exists');
      if (rules.length === 0) report('copy', 'set, but there is no rule whose recovery points it would copy');
    }
  }
  if (backup.vaultLock !== undefined) {
    const lock = backup.vaultLock;
    if (!isRecord(lock)) report('vaultLock', `expected {minRetentionDays, maxRetentionDays, reason}, got ${show(lock)}`);
    else {
      const { minRetentionDays: min, maxRetentionDays: max, changeableForDays } = lock;
      if (!isPositiveInteger(min)) report('vaultLock.minRetentionDays', `${show(min)} is not a positive whole number of days`);
      if (!isPositiveInteger(max)) report('vaultLock.maxRetentionDays', `${show(max)} is not a positive whole number of days`);
      if (isPositiveInteger(min) && isPositiveInteger(max)) {
        if (min > max) report('vaultLock', `minRetentionDays ${min} is above maxRetentionDays ${max}`);
        // The lock makes AWS Backup fail any job whose retention lies outside it.
        for (const [at, days] of retentions) {
          if ((days as number) < min || (days as number) > max) {
            report(at, `${show(days)} days is outside the vault lock's ${min}-${max} days, so every backup job of the rule would fail`);
          }
        }
      }
      if (changeableForDays !== undefined && (!Number.isInteger(changeableForDays) || (changeableForDays as number) < MIN_CHANGEABLE_FOR_DAYS)) {
        report('vaultLock.changeableForDays', `${show(changeableForDays)} is not a whole number of days of at least ${MIN_CHANGEABLE_FOR_DAYS} (AWS Backup's shortest grace time)`);
      }
      if (!isReason(lock.reason)) report('vaultLock.reason', 'expected one line on why this lock and this mode');
      if (rules.length === 0) report('vaultLock', 'set, but the stage has no backup rule and so no vault');
    }
  }
  return problems;
}

function isPositiveInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value > 0;
}

function isReason(value: unknown): boolean {
  return typeof value === 'string' && value.trim() !== '' && !value.includes('\n');
}

/** IAM's characters for a role path and name, plus `*` for the break-glass pattern. */
const ROLE_PATTERN = /^[\w+=,.@/*-]+$/;
const MAX_ROLE_NAME = 64;

/**
 * A stage's access block: a break-glass role that names one role (not a wildcard that every role
 * matches), a known service for each data-access role, and a reason.
 */
function checkAccess(access: unknown, field: string): string[] {
  if (!isRecord(access)) return [`${field}: expected {breakGlassRole, roleTrust, reason}, got ${show(access)}`];
  const problems: string[] = [];
  const role = access.breakGlassRole;
  if (typeof role !== 'string' || !ROLE_PATTERN.test(role) || role.startsWith('/') || role.endsWith('/')) {
    problems.push(`${field}.breakGlassRole: ${show(role)} is not a role path and name (letters, digits, + = , . @ _ - and /, with * for any run of characters)`);
  } else {
    const name = role.slice(role.lastIndexOf('/') + 1);
    if (role.startsWith('*') || name.replace(/\*/g, '') === '') {
      problems.push(`${field}.breakGlassRole: ${show(role)} starts with or is only a wildcard, so roles anyone can create would match it; name the role`);
    }
    if (name.length > MAX_ROLE_NAME) problems.push(`${field}.breakGlassRole: the name is ${name.length} characters; IAM allows at most ${MAX_ROLE_NAME}`);
  }
  const trust = access.roleTrust;
  const services = Object.keys(TRUSTED_SERVICES);
  if (!isRecord(trust)) {
    problems.push(`${field}.roleTrust: expected the service of each role (${DATA_ROLE_PURPOSES.join(', ')}), got ${show(trust)}`);
  } else {
    for (const purpose of DATA_ROLE_PURPOSES) {
      if (!services.includes(trust[purpose] as string)) {
        problems.push(`${field}.roleTrust.${purpose}: ${show(trust[purpose])} is not a trusted service (${services.join(', ')})`);
      }
    }
    for (const extra of Object.keys(trust).filter((key) => !(DATA_ROLE_PURPOSES as readonly string[]).includes(key))) {
      problems.push(`${field}.roleTrust.${extra}: not a data-access role (${DATA_ROLE_PURPOSES.join(', ')})`);
    }
  }
  if (!isReason(access.reason)) problems.push(`${field}.reason: expected one line on who holds the break-glass role`);
  return problems;
}
