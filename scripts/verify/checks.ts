import type {
  ContinuousBackupsDescription,
  KeySchemaElement,
  AttributeDefinition,
  Projection,
  SSEDescription,
  TableDescription,
  TimeToLiveDescription,
} from '@aws-sdk/client-dynamodb';
import type { IndexSchema, KeyAttribute, TableSchema } from '../../infra/data/schema-model';
import { physicalTableName, stageKeyAlias, type StagePolicy } from '../../infra/data/stages';
import { aliasDistrust, type StackKey } from '../shared/stage-key-identity';

/** The verdict of one check. */
export type CheckStatus = 'PASS' | 'FAIL' | 'UNSUPPORTED';

/** One line of the report. */
export interface CheckResult {
  /** Physical table name. */
  readonly table: string;
  /** What was checked, e.g. `keys` or `index status-createdAt`. */
  readonly check: string;
  readonly status: CheckStatus;
  /** What was found, and on FAIL what was expected. */
  readonly detail: string;
}

/** An API's answer, or the reason the endpoint could not give one. */
export type Answer<T> = { readonly answered: T } | { readonly unsupported: string };

/** Everything the describe APIs said about one table. */
export interface TableObservation {
  /** DescribeTable's `Table`, or absent when the table does not exist. */
  readonly table?: TableDescription;
  /** DescribeTimeToLive's `TimeToLiveDescription`. */
  readonly timeToLive: Answer<TimeToLiveDescription>;
  /** DescribeContinuousBackups's `ContinuousBackupsDescription`. */
  readonly continuousBackups: Answer<ContinuousBackupsDescription>;
  /** ARN of the key the stage's alias names (KMS DescribeKey), undefined when the alias does not exist. */
  readonly stageKeyArn: Answer<string | undefined>;
}

/**
 * Compares what the describe APIs say about a deployed table with the schema map and the stage
 * policy: one result per check, so a report shows every drift at once.
 */
export function checkTable(
  schema: TableSchema,
  stage: string,
  policy: StagePolicy,
  observed: TableObservation,
  /** The table observed, when it is not the stage's own (a restored copy). */
  table = physicalTableName(schema.name, stage),
): CheckResult[] {
  const result = resultMaker(table);
  const unsupported = (check: string, reason: string): CheckResult => ({ table, check, status: 'UNSUPPORTED', detail: reason });

  const description = observed.table;
  if (!description) return [result('table', false, 'not found', 'the table to exist')];
  const results: CheckResult[] = [];
  results.push(result('table', description.TableStatus === 'ACTIVE', description.TableStatus ?? 'no status', 'ACTIVE'));
  results.push(...checkKeysAndIndexes(schema, table, description));

  // DynamoDB leaves BillingModeSummary out for a table that has only ever been PROVISIONED.
  const billing = description.BillingModeSummary?.BillingMode ?? 'PROVISIONED';
  results.push(result('billing', billing === 'PAY_PER_REQUEST', billing, 'PAY_PER_REQUEST'));

  // A table the map gives no TTL is only checked where the endpoint answers: TTL switched on there would delete data.
  if ('unsupported' in observed.timeToLive) {
    if (schema.ttl) results.push(unsupported('ttl', observed.timeToLive.unsupported));
  } else {
    const ttl = observed.timeToLive.answered;
    const status = ttl.TimeToLiveStatus ?? 'DISABLED';
    // A disabled TTL deletes nothing, whichever attribute it last named (moto keeps the name after disabling).
    const found = ttl.AttributeName && status !== 'DISABLED' ? `${status} on ${ttl.AttributeName}` : status;
    const expected = schema.ttl ? `ENABLED on ${schema.ttl.attribute}` : 'DISABLED';
    results.push(result('ttl', found === expected || found === expected.replace('ENABLED', 'ENABLING'), found, expected));
  }

  if ('unsupported' in observed.continuousBackups) {
    results.push(unsupported('point-in-time recovery', observed.continuousBackups.unsupported));
  } else {
    const pitr = observed.continuousBackups.answered.PointInTimeRecoveryDescription;
    const status = pitr?.PointInTimeRecoveryStatus ?? 'DISABLED';
    const found = status === 'ENABLED' ? `ENABLED, ${pitr?.RecoveryPeriodInDays ?? 35} days` : status;
    const expected = `ENABLED, ${policy.pitrRecoveryPeriodDays} days`;
    results.push(result('point-in-time recovery', found === expected, found, expected));
  }

  // DynamoDB reports DeletionProtectionEnabled on every table; an engine that leaves it out
  // ignores table settings, so its silence on encryption is no evidence either way.
  const reportsSettings = description.DeletionProtectionEnabled !== undefined;
  const sse = description.SSEDescription;
  if (!sse && !reportsSettings) {
    results.push(unsupported('encryption', 'this endpoint does not report table settings (no DeletionProtectionEnabled, no SSEDescription)'));
  } else {
    results.push(checkEncryption(table, stage, sse, observed.stageKeyArn));
  }

  if (!reportsSettings) {
    results.push(unsupported('deletion protection', 'this endpoint does not report DeletionProtectionEnabled'));
  } else {
    const found = description.DeletionProtectionEnabled ? 'on' : 'off';
    results.push(result('deletion protection', found === (policy.protectData ? 'on' : 'off'), found, policy.protectData ? 'on' : 'off'));
  }
  return results;
}

/** Encryption passes only with the stage's own key: the one its alias names, not any KMS key. */
function checkEncryption(table: string, stage: string, sse: SSEDescription | undefined, stageKeyArn: Answer<string | undefined>): CheckResult {
  const result = resultMaker(table);
  const alias = stageKeyAlias(stage);
  const found = !sse
    ? 'AWS owned key'
    : sse.SSEType === 'KMS' && sse.KMSMasterKeyArn
      ? `${sse.Status ?? 'no status'} KMS ${sse.KMSMasterKeyArn}`
      : `${sse.Status ?? 'no status'} ${sse.SSEType ?? 'no type'}`;
  const usesKms = sse?.Status === 'ENABLED' && sse.SSEType === 'KMS' && !!sse.KMSMasterKeyArn;
  if ('unsupported' in stageKeyArn) {
    if (!usesKms) return result('encryption', false, found, `ENABLED KMS with the stage key ${alias}`);
    return { table, check: 'encryption', status: 'UNSUPPORTED', detail: `${found}; whether it is the stage key ${alias} is unknown: ${stageKeyArn.unsupported}` };
  }
  const keyArn = stageKeyArn.answered;
  if (keyArn === undefined) return result('encryption', false, found, `ENABLED KMS with the stage key ${alias}, which does not exist`);
  const matches = usesKms && sse.KMSMasterKeyArn === keyArn;
  return result('encryption', matches, matches ? `${found} (${alias})` : found, `ENABLED KMS ${keyArn} (${alias})`);
}

/**
 * The checks that decide whether data fits the table: its key schema, its index names, and each
 * index's keys and projection, compared with the schema map.
 */
export function checkKeysAndIndexes(schema: TableSchema, table: string, description: TableDescription): CheckResult[] {
  const result = resultMaker(table);
  const attributes = description.AttributeDefinitions ?? [];
  const expectedKeys = describeKeys(schema.partitionKey, schema.sortKey);
  const actualKeys = describeKeySchema(description.KeySchema, attributes);
  const results = [result('keys', actualKeys === expectedKeys, actualKeys, expectedKeys)];

  const actualIndexes = description.GlobalSecondaryIndexes ?? [];
  const foundNames = nameList(actualIndexes.map((index) => index.IndexName ?? ''));
  const expectedNames = nameList(schema.indexes.map((index) => index.name));
  results.push(result('indexes', foundNames === expectedNames, foundNames, expectedNames));
  for (const index of schema.indexes) {
    const actual = actualIndexes.find((candidate) => candidate.IndexName === index.name);
    if (!actual) continue;
    const found = `${describeKeySchema(actual.KeySchema, attributes)}, ${describeProjection(actual.Projection)}, ${actual.IndexStatus ?? 'no status'}`;
    const expected = `${describeKeys(index.partitionKey, index.sortKey)}, ${describeProjection(expectedProjection(index))}, ACTIVE`;
    results.push(result(`index ${index.name}`, found === expected, found, expected));
  }
  return results;
}

function resultMaker(table: string) {
  return (check: string, pass: boolean, found: string, expected: string): CheckResult => ({
    table,
    check,
    status: pass ? 'PASS' : 'FAIL',
    detail: pass ? found : `${found}; expected ${expected}`,
  });
}

/** One aligned line per result, then a summary line. */
export function formatResults(results: readonly CheckResult[]): string[] {
  const width = (pick: (result: CheckResult) => string) => Math.max(0, ...results.map((result) => pick(result).length));
  const [tableWidth, checkWidth] = [width((result) => result.table), width((result) => result.check)];
  const lines = results.map(
    (result) => `${result.status.padEnd(11)}  ${result.table.padEnd(tableWidth)}  ${result.check.padEnd(checkWidth)}  ${result.detail}`,
  );
  const count = (status: CheckStatus) => results.filter((result) => result.status === status).length;
  lines.push(
    `${count('PASS')} passed, ${count('FAIL')} failed, ${count('UNSUPPORTED')} could not be checked on this endpoint.`,
  );
  return lines;
}

function nameList(names: readonly string[]): string {
  return [...names].sort().join(', ') || 'none';
}

function describeKeys(partitionKey: KeyAttribute, sortKey: KeyAttribute | undefined): string {
  return [partitionKey, sortKey]
    .filter((key): key is KeyAttribute => key !== undefined)
    .map((key) => `${key.name} (${key.type})`)
    .join(' / ');
}

function describeKeySchema(keySchema: readonly KeySchemaElement[] | undefined, attributes: readonly AttributeDefinition[]): string {
  const typeOf = (name: string | undefined) => attributes.find((attribute) => attribute.AttributeName === name)?.AttributeType ?? '?';
  const ordered = [...(keySchema ?? [])].sort((a, b) => (a.KeyType === 'HASH' ? -1 : b.KeyType === 'HASH' ? 1 : 0));
  return ordered.map((key) => `${key.AttributeName} (${typeOf(key.AttributeName)})`).join(' / ') || 'no key';
}

function expectedProjection(index: IndexSchema): Projection {
  const { projection } = index;
  return projection.type === 'INCLUDE'
    ? { ProjectionType: 'INCLUDE', NonKeyAttributes: [...projection.attributes] }
    : { ProjectionType: projection.type };
}

function describeProjection(projection: Projection | undefined): string {
  const type = projection?.ProjectionType ?? 'no projection';
  const attributes = [...(projection?.NonKeyAttributes ?? [])].sort();
  return attributes.length > 0 ? `${type} ${attributes.join(', ')}` : type;
}

/**
 * Whether the stage alias points at the key the stack created (its outputs), and the key the tables'
 * encryption is to be compared with: the stack's, when it is known, since an alias can be moved.
 * Nothing is checked where the alias could not be looked up (no KMS, or no such alias).
 */
export function checkKeyAlias(stage: string, aliasKeyArn: Answer<string | undefined>, stackKey: StackKey | undefined): { result?: CheckResult; stageKeyArn: Answer<string | undefined> } {
  if (!('answered' in aliasKeyArn) || aliasKeyArn.answered === undefined || stackKey === undefined) return { stageKeyArn: aliasKeyArn };
  const alias = stageKeyAlias(stage);
  if ('unsupported' in stackKey) return { result: { table: alias, check: 'target', status: 'UNSUPPORTED', detail: stackKey.unsupported }, stageKeyArn: aliasKeyArn };
  const distrust = aliasDistrust(stage, aliasKeyArn.answered, stackKey);
  const result = resultMaker(alias)('target', distrust === undefined, distrust ?? `the key the stack created, ${aliasKeyArn.answered}`, 'the key the stack created');
  return { result, stageKeyArn: 'arn' in stackKey ? { answered: stackKey.arn } : aliasKeyArn };
}
