import type { AccessPatternSchema, KeyAttribute, TableSchema } from '../../data/schema-model';
import { DataClientError, type OperationContext } from './errors';
import { epochSeconds, oldestLive } from './ttl';
import * as check from './validate';

/** A key attribute value: a string for S keys, a number for N keys. */
export type KeyValue = string | number;

/** What a caller supplies to run an access pattern. */
export interface AccessRequestParams {
  /** Partition key value; for GetItem on a table with a sort key, `sortKey` too. */
  readonly partitionKey: KeyValue;
  /** Sort key value, for GetItem on a table that has a sort key. */
  readonly sortKey?: KeyValue;
  /** Inclusive sort-key range for a Query; open-ended when absent. */
  readonly range?: { readonly from?: KeyValue; readonly to?: KeyValue };
  /** Page size for a Query. */
  readonly limit?: number;
  /** `LastEvaluatedKey` of the previous page. */
  readonly startKey?: Record<string, unknown>;
  /** The current time, used to leave out items past their TTL that are not yet deleted. */
  readonly now?: Date;
}

/** A GetItem input in the shape of `@aws-sdk/lib-dynamodb` (native JS values). */
export interface GetItemRequest {
  readonly operation: 'GetItem';
  readonly input: { TableName: string; Key: Record<string, KeyValue> };
}

/** A Query input in the shape of `@aws-sdk/lib-dynamodb` (native JS values). */
export interface QueryRequest {
  readonly operation: 'Query';
  readonly input: {
    TableName: string;
    IndexName?: string;
    KeyConditionExpression: string;
    ExpressionAttributeNames: Record<string, string>;
    ExpressionAttributeValues: Record<string, KeyValue>;
    ScanIndexForward: boolean;
    Limit?: number;
    ExclusiveStartKey?: Record<string, unknown>;
  };
}

/** A GetItem or Query request. */
export type AccessRequest = GetItemRequest | QueryRequest;

/** Names of the access patterns a schema declares (any string for a schema typed as plain {@link TableSchema}). */
export type PatternNameOf<S extends TableSchema> = S['accessPatterns'][number]['name'];

/**
 * The request a pattern is built as: for a schema-map entry and a literal pattern name, exactly
 * GetItemRequest or QueryRequest, so callers read `.input` without narrowing.
 */
export type RequestFor<S extends TableSchema, P extends string> = Extract<
  S['accessPatterns'][number],
  { name: P }
>['operation'] extends infer O
  ? O extends 'GetItem'
    ? GetItemRequest
    : O extends 'Query'
      ? QueryRequest
      : never
  : never;

/** The requested range lies wholly before the TTL horizon: the answer is empty without a read. */
export class ExpiredRangeError extends DataClientError {}

/** Finds an access pattern of a table by name, or says which ones exist. */
function findPattern(schema: TableSchema, name: string, TableName: string): AccessPatternSchema {
  const pattern = schema.accessPatterns.find((candidate) => candidate.name === name);
  if (!pattern) {
    const known = schema.accessPatterns.map((candidate) => candidate.name).join(', ');
    check.refuse({ table: TableName, operation: 'buildAccessRequest' }, 'patternName', `must be an access pattern of ${schema.name}: ${known}`);
  }
  return pattern;
}

/** The partition and sort key a pattern reads through: the index's, or the table's own. */
export function patternKeys(schema: TableSchema, pattern: AccessPatternSchema): {
  partitionKey: KeyAttribute;
  sortKey?: KeyAttribute;
} {
  if (pattern.index === undefined) return { partitionKey: schema.partitionKey, sortKey: schema.sortKey };
  const index = schema.indexes.find((candidate) => candidate.name === pattern.index);
  if (!index) throw new Error(`${schema.name}.${pattern.name} names unknown index "${pattern.index}".`);
  return { partitionKey: index.partitionKey, sortKey: index.sortKey };
}

/**
 * Builds the one request that answers an access pattern. Queries bound the sort key below by the
 * TTL horizon when the sort key is what the retention counts from, so expired items that TTL has
 * not yet deleted are neither returned nor read (no filter expression discards paid-for reads).
 */
export function buildAccessRequest<S extends TableSchema, P extends PatternNameOf<S>>(
  schema: S,
  patternName: P,
  tableName: string,
  params: AccessRequestParams,
): RequestFor<S, P> {
  return buildRequest(schema, patternName, tableName, params) as RequestFor<S, P>;
}

function buildRequest(schema: TableSchema, patternName: string, TableName: string, params: AccessRequestParams): AccessRequest {
  const pattern = findPattern(schema, patternName, TableName);
  const { partitionKey, sortKey } = patternKeys(schema, pattern);
  const context: OperationContext = { table: TableName, operation: `${schema.name}.${pattern.name}`, key: { [partitionKey.name]: params.partitionKey } };

  if (pattern.operation === 'GetItem') {
    const Key: Record<string, KeyValue> = { [partitionKey.name]: params.partitionKey };
    if (sortKey) {
      if (params.sortKey === undefined) check.refuse(context, 'sortKey', `must be given: ${schema.name} has the sort key ${sortKey.name}`);
      Key[sortKey.name] = params.sortKey;
    }
    return { operation: 'GetItem', input: { TableName, Key } };
  }

  const names: Record<string, string> = { '#pk': partitionKey.name };
  const values: Record<string, KeyValue> = { ':pk': params.partitionKey };
  let condition = '#pk = :pk';
  const lower = maxDefined(params.range?.from, ttlHorizon(schema, sortKey, params.now));
  const upper = params.range?.to;
  if (lower !== undefined && upper !== undefined && lower > upper) {
    throw new ExpiredRangeError(context, `the range ends at ${upper}, before the oldest live item (${lower}); every item in it has expired, so there is nothing to read`);
  }
  if (sortKey && (lower !== undefined || upper !== undefined)) {
    names['#sk'] = sortKey.name;
    if (lower !== undefined) values[':from'] = lower;
    if (upper !== undefined) values[':to'] = upper;
    condition +=
      lower !== undefined && upper !== undefined
        ? ' AND #sk BETWEEN :from AND :to'
        : lower !== undefined
          ? ' AND #sk >= :from'
          : ' AND #sk <= :to';
  }
  return {
    operation: 'Query',
    input: {
      TableName,
      ...(pattern.index !== undefined && { IndexName: pattern.index }),
      KeyConditionExpression: condition,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
      ScanIndexForward: !pattern.newestFirst,
      ...(params.limit !== undefined && { Limit: params.limit }),
      ...(params.startKey !== undefined && { ExclusiveStartKey: params.startKey }),
    },
  };
}

/**
 * The lowest live sort-key value at `now`, when the sort key is the TTL's starting point. An item
 * whose expiresAt is now or earlier is expired; expiresAt counts whole seconds from the sort key,
 * so the first live start is the second after the oldest one, for Number and ISO-8601 keys alike.
 */
function ttlHorizon(schema: TableSchema, sortKey: KeyAttribute | undefined, now: Date | undefined): KeyValue | undefined {
  if (!now || !schema.ttl || !sortKey || sortKey.name !== schema.ttl.countedFrom) return undefined;
  const firstLiveSecond = epochSeconds(oldestLive(schema.ttl, now)) + 1;
  return sortKey.type === 'N' ? firstLiveSecond : new Date(firstLiveSecond * 1000).toISOString();
}

function maxDefined(a: KeyValue | undefined, b: KeyValue | undefined): KeyValue | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return a > b ? a : b;
}
