import { setTimeout as sleep } from 'node:timers/promises';
import { BatchWriteCommand, DeleteCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { tableSchema, type TableName } from '../schemas';
import { buildAccessRequest } from './access-requests';
import type { TableNames } from './config';
import { ThrottledError, inContext, type OperationContext } from './errors';

/** BatchWriteItem's limit of requests per call. */
const BATCH_SIZE = 25;

/** How a batch's unprocessed items are retried: attempts in all, and the first wait, doubled each time. */
export interface RetryPolicy {
  readonly attempts: number;
  readonly baseDelayMs: number;
}

/** Ten attempts from 50 ms doubling wait at most ~25 s in all, well inside a webhook's retry window. */
export const DEFAULT_RETRY: RetryPolicy = { attempts: 10, baseDelayMs: 50 };

/** Items deleted per table. */
export type RedactionCounts = Record<TableName, number>;

type Key = Record<string, string | number>;

/**
 * Deletes everything the data layer holds about a shop, for Shopify's `shop/redact` webhook: the
 * Shops item (DeleteItem), every job of the shop found through the shopDomain index, expired or
 * not, and every ImportHistory item of the shop (Query of its partition), deleting each page
 * with BatchWriteItem as it is read. Idempotent: a second run deletes nothing and returns zeros;
 * run it again if it threw. Other shops' items are never read. PITR history and backups still
 * hold the data until their retention ends (see docs/decisions.md).
 */
export async function redactShop(
  doc: DynamoDBDocumentClient,
  tables: TableNames,
  domain: string,
  retry: RetryPolicy = DEFAULT_RETRY,
): Promise<RedactionCounts> {
  const shops = tableSchema('Shops');
  const { Attributes } = await inContext(
    { table: tables.Shops, operation: 'redactShop', key: { [shops.partitionKey.name]: domain } },
    doc.send(new DeleteCommand({ TableName: tables.Shops, Key: { [shops.partitionKey.name]: domain }, ReturnValues: 'ALL_OLD' })),
  );
  const jobs = tableSchema('Jobs');
  const history = tableSchema('ImportHistory');
  return {
    Shops: Attributes ? 1 : 0,
    Jobs: await deleteQueried(doc, tables.Jobs, retry, domain, [jobs.partitionKey.name], (startKey) =>
      buildAccessRequest(jobs, 'jobsByShop', tables.Jobs, { partitionKey: domain, ...(startKey && { startKey }) }).input,
    ),
    ImportHistory: await deleteQueried(
      doc,
      tables.ImportHistory,
      retry,
      domain,
      [history.partitionKey.name, history.sortKey.name],
      (startKey) => buildAccessRequest(history, 'importHistoryByShop', tables.ImportHistory, { partitionKey: domain, ...(startKey && { startKey }) }).input,
    ),
  };
}

/**
 * Reads every page of a Query (no TTL bound: expired items are the shop's data too), projecting
 * only the table's key, and deletes each page's items in batches. Returns how many it deleted.
 */
async function deleteQueried(
  doc: DynamoDBDocumentClient,
  table: string,
  retry: RetryPolicy,
  domain: string,
  keyNames: readonly string[],
  query: (startKey: Key | undefined) => ConstructorParameters<typeof QueryCommand>[0],
): Promise<number> {
  const context: OperationContext = { table, operation: 'redactShop', key: { shopDomain: domain } };
  const projection = keyNames.map((_, i) => `#key${i}`);
  let deleted = 0;
  let startKey: Key | undefined;
  do {
    const input = query(startKey);
    const page = await inContext(
      context,
      doc.send(
        new QueryCommand({
          ...input,
          ProjectionExpression: projection.join(', '),
          ExpressionAttributeNames: { ...input.ExpressionAttributeNames, ...Object.fromEntries(keyNames.map((name, i) => [projection[i], name])) },
        }),
      ),
    );
    const keys = (page.Items ?? []) as Key[];
    for (let i = 0; i < keys.length; i += BATCH_SIZE) {
      await deleteBatch(doc, table, keys.slice(i, i + BATCH_SIZE), retry, context);
    }
    deleted += keys.length;
    startKey = page.LastEvaluatedKey as Key | undefined;
  } while (startKey);
  return deleted;
}

/** One BatchWriteItem of deletes, resending its UnprocessedItems with exponential backoff, bounded. */
async function deleteBatch(doc: DynamoDBDocumentClient, table: string, keys: readonly Key[], retry: RetryPolicy, context: OperationContext): Promise<void> {
  let requests = keys.map((Key) => ({ DeleteRequest: { Key } }));
  for (let attempt = 1; ; attempt += 1) {
    const { UnprocessedItems } = await inContext(context, doc.send(new BatchWriteCommand({ RequestItems: { [table]: requests } })));
    const unprocessed = UnprocessedItems?.[table] ?? [];
    if (unprocessed.length === 0) return;
    if (attempt >= retry.attempts) throw new ThrottledError(context, attempt);
    requests = unprocessed as typeof requests;
    await sleep(retry.baseDelayMs * 2 ** (attempt - 1));
  }
}
