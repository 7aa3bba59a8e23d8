import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { TableSchema } from '../../data/schema-model';
import { ExpiredRangeError, buildAccessRequest, type KeyValue, type QueryRequest } from './access-requests';
import { decodeCursor, encodeCursor, type CursorScope, type Page } from './cursor';
import type { OperationRun } from './observe';

/** One page of a list: which access pattern, over which partition and range, from which cursor. */
export interface PagedQuery {
  readonly doc: DynamoDBDocumentClient;
  /** The table's entry in the schema map, and the physical table. */
  readonly schema: TableSchema;
  readonly table: string;
  /** The access pattern of the map that answers the list (a Query). */
  readonly pattern: string;
  /** The partition key read: its name (the table's or the index's) and value. */
  readonly partition: { readonly name: string; readonly value: string };
  /** The key attributes of an item of the read, which a cursor carries (table key and index key). */
  readonly keyNames: readonly string[];
  /** The sort-key bounds asked for: part of the read a cursor belongs to. */
  readonly range: { readonly from?: KeyValue; readonly to?: KeyValue };
  readonly limit?: number;
  /** The `cursor` of the previous page of the same read, unchecked. */
  readonly cursor?: unknown;
  readonly cursorKey: string | Uint8Array;
  /** The clock the pattern's TTL horizon is taken from. */
  readonly now: Date;
}

/**
 * The one paged Query of every list: the cursor is checked against this read (its scope), the
 * access pattern's request is built from it, one Query is sent under `run`, and the next cursor is
 * signed for the same read. A range that ends before the oldest live item holds nothing and is
 * answered without a read.
 */
export async function pagedQuery<T>(run: OperationRun, query: PagedQuery): Promise<Page<T>> {
  const context = { ...run.context, key: { [query.partition.name]: query.partition.value } };
  const scope: CursorScope = { context, partition: query.partition, range: query.range };
  const startKey = decodeCursor(query.cursor, query.keyNames, scope, query.cursorKey);
  let request: QueryRequest;
  try {
    // Every list's pattern is a Query of the map (the pattern's name is checked where it is built).
    request = buildAccessRequest<TableSchema, string>(query.schema, query.pattern, query.table, {
      partitionKey: query.partition.value,
      now: query.now,
      range: query.range,
      ...(query.limit !== undefined && { limit: query.limit }),
      ...(startKey && { startKey }),
    }) as QueryRequest;
  } catch (error) {
    if (error instanceof ExpiredRangeError) return { items: [] };
    throw error;
  }
  const result = await run.send(() => query.doc.send(new QueryCommand({ ...request.input, ...run.capacityRequest })), undefined, context);
  return { items: (result.Items ?? []) as T[], ...(result.LastEvaluatedKey && { cursor: encodeCursor(result.LastEvaluatedKey, scope, query.cursorKey) }) };
}
