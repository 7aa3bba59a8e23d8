import { setTimeout as sleep } from 'node:timers/promises';
import { BatchWriteCommand, DeleteCommand, GetCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { TABLE_SCHEMAS, tableSchema } from '../../data/schemas';
import type { TableSchema } from '../../data/schema-model';
import { buildAccessRequest, type KeyValue } from '../core/access-requests';
import type { TableNames } from '../core/config';
import { DataClientError, ShopInstalledError, ThrottledError, type OperationContext } from '../core/errors';
import { lastKeyOf } from '../import-history';
import { OperationRun } from '../core/observe';
import { canonicalShopDomain } from '../core/shop-domain';
import * as check from '../core/validate';
import { LIFECYCLE_CONDITIONS } from '../shops';
import { DEFAULT_RETRY, retryPolicy, type RetryPolicy } from './retry';

/** BatchWriteItem's limit of requests per call. */
const BATCH_SIZE = 25;

/** The tables that hold a shop's items, as the map's `redaction` says. */
type RedactedTable = Extract<(typeof TABLE_SCHEMAS)[number], { redaction: object }>['name'];
/** The tables whose shop items are found through an access pattern; the Shops item goes by its key, last. */
type QueriedTable = Extract<(typeof TABLE_SCHEMAS)[number], { redaction: { by: 'accessPattern' } }>['name'];

/** Items deleted per table that holds a shop's items. */
export type RedactionCounts = Record<RedactedTable, number>;

/**
 * Per table found through an access pattern: the pattern's last sort-key value of an item written
 * before `until`, so items a re-install writes during the redaction stay. A table given
 * `redaction` by access pattern in the map fails the type-check until it has its bound here.
 */
const WRITTEN_BEFORE = {
  Jobs: (until) => until.toISOString(),
  ImportHistory: (until) => lastKeyOf(until),
} as const satisfies Record<QueriedTable, (until: Date) => KeyValue>;

/** What {@link redactShop} deletes and with what. */
export interface RedactShopOptions {
  /** The document client of the stage's endpoint. */
  readonly doc: DynamoDBDocumentClient;
  /** Physical table names of the stage. */
  readonly tables: TableNames;
  /** The shop's `<handle>.myshopify.com` domain. */
  readonly domain: string;
  /** Backoff of the batch deletes: attempts 1 to 20, first wait 1 to 5,000 ms. */
  readonly retry?: RetryPolicy;
}

type Key = Record<string, string | number>;

const UNINSTALLED_AT = 'uninstalledAt';

/**
 * Deletes everything the data layer holds about an uninstalled shop, for Shopify's `shop/redact`
 * webhook. It reads the Shops item first (consistent): a shop that is installed (it re-installed
 * since the uninstall the request follows) is refused with {@link ShopInstalledError} and nothing
 * is deleted. Otherwise it deletes every item of the shop written before the redaction began
 * (items a re-install writes come after that, and stay): every job, found through the shopDomain
 * index, expired or not, and every ImportHistory item (Query of its partition), each page with
 * BatchWriteItem as it is read; last the Shops item, on condition that it is still the uninstall
 * it read (a re-install meanwhile keeps it, and raises ShopInstalledError). A shop with no Shops
 * item (redacted already) has its leftovers deleted the same way; a repeated request deletes
 * nothing and returns zeros. Run it again if it threw: the Shops item goes last, so a retry still
 * finds the shop uninstalled. Other shops' items are never read. PITR history and backups still
 * hold the data until their retention ends (see docs/decisions/0045-shop-redaction-and-what-it-cannot-reach.md).
 */
export async function redactShop(options: RedactShopOptions, run?: OperationRun): Promise<RedactionCounts> {
  const { doc, tables, domain, retry = DEFAULT_RETRY } = check.options(options, { table: 'Shops', operation: 'redactShop' }, 'options', true, ['doc', 'tables', 'domain', 'retry']) as RedactShopOptions;
  run ??= new OperationRun({ table: tables.Shops, operation: 'redactShop', key: {} }, false);
  const shops = tableSchema('Shops');
  const shop = canonicalShopDomain(domain, { table: tables.Shops, operation: 'redactShop' });
  const policy = retry === DEFAULT_RETRY ? retry : retryPolicy(retry, { table: tables.Shops, operation: 'redactShop' }, 'retry');
  const where: OperationContext = { table: tables.Shops, operation: 'redactShop', key: { [shops.partitionKey.name]: shop } };
  const Key = { [shops.partitionKey.name]: shop };
  const read = () =>
    run.send(
      () =>
        doc.send(
          new GetCommand({
            TableName: tables.Shops,
            Key,
            ConsistentRead: true,
            ProjectionExpression: '#domain, #uninstalledAt',
            ExpressionAttributeNames: { '#domain': shops.partitionKey.name, '#uninstalledAt': UNINSTALLED_AT },
            ...run.capacityRequest,
          }),
        ),
      undefined,
      where,
    );
  // Taken before the read: a re-install after it writes only items newer than this bound.
  const until = new Date();
  const { Item } = await read();
  const uninstalledAt = Item?.[UNINSTALLED_AT] as string | undefined;
  if (Item && uninstalledAt === undefined) throw new ShopInstalledError(where, 'the shop is installed; nothing was redacted');
  const counts = {} as Record<QueriedTable, number>;
  for (const schema of TABLE_SCHEMAS as readonly TableSchema[]) {
    if (schema.redaction?.by !== 'accessPattern') continue;
    const table = schema.name as QueriedTable;
    const { accessPattern } = schema.redaction;
    const keyNames = [schema.partitionKey.name, ...(schema.sortKey ? [schema.sortKey.name] : [])];
    counts[table] = await deleteQueried(doc, run, tables[table], policy, shop, keyNames, (startKey) =>
      buildAccessRequest(schema, accessPattern, tables[table], { partitionKey: shop, range: { to: WRITTEN_BEFORE[table](until) }, ...(startKey && { startKey }) }).input,
    );
  }
  if (!Item) return { Shops: 0, ...counts };
  const deleted = await run
    .send(
      () =>
        doc.send(
          new DeleteCommand({
            TableName: tables.Shops,
            Key,
            ConditionExpression: LIFECYCLE_CONDITIONS.redact,
            ExpressionAttributeNames: { [`#${UNINSTALLED_AT}`]: UNINSTALLED_AT },
            ExpressionAttributeValues: { ':uninstalledAt': uninstalledAt },
            ...run.capacityRequest,
          }),
        ),
      () => new ShopChangedDuringRedaction(where, 'changed'),
      where,
    )
    .then(
      () => true,
      (error: unknown) => {
        if (error instanceof ShopChangedDuringRedaction) return false;
        throw error;
      },
    );
  if (deleted) return { Shops: 1, ...counts };
  // The item changed since it was read: one more read says how.
  const { Item: now } = await read();
  if (!now) return { Shops: 0, ...counts }; // another redaction of the shop deleted it first
  if (now[UNINSTALLED_AT] === undefined) throw new ShopInstalledError(where, 'the shop re-installed during the redaction; its data from before the uninstall was deleted, the shop item kept');
  throw new ShopInstalledError(where, 'the shop re-installed and uninstalled again during the redaction; its data from before was deleted, the shop item kept for its own shop/redact');
}

/** Redaction's delete of the Shops item found it changed since it was read. */
class ShopChangedDuringRedaction extends DataClientError {}

/**
 * Reads every page of a Query (no TTL bound: expired items are the shop's data too), projecting
 * only the table's key, and deletes each page's items in batches. Returns how many it deleted.
 */
async function deleteQueried(
  doc: DynamoDBDocumentClient,
  run: OperationRun,
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
    const page = await run.send(
      () =>
        doc.send(
          new QueryCommand({
            ...input,
            ProjectionExpression: projection.join(', '),
            ExpressionAttributeNames: { ...input.ExpressionAttributeNames, ...Object.fromEntries(keyNames.map((name, i) => [projection[i], name])) },
            ...run.capacityRequest,
          }),
        ),
      undefined,
      context,
    );
    const keys = (page.Items ?? []) as Key[];
    for (let i = 0; i < keys.length; i += BATCH_SIZE) {
      await deleteBatch(doc, run, table, keys.slice(i, i + BATCH_SIZE), retry, context);
    }
    deleted += keys.length;
    startKey = page.LastEvaluatedKey as Key | undefined;
  } while (startKey);
  return deleted;
}

/** One BatchWriteItem of deletes, resending its UnprocessedItems with exponential backoff, bounded. */
async function deleteBatch(doc: DynamoDBDocumentClient, run: OperationRun, table: string, keys: readonly Key[], retry: RetryPolicy, context: OperationContext): Promise<void> {
  let requests = keys.map((Key) => ({ DeleteRequest: { Key } }));
  for (let attempt = 1; ; attempt += 1) {
    const { UnprocessedItems } = await run.send(() => doc.send(new BatchWriteCommand({ RequestItems: { [table]: requests }, ...run.capacityRequest })), undefined, context);
    const unprocessed = UnprocessedItems?.[table] ?? [];
    if (unprocessed.length === 0) return;
    if (attempt >= retry.attempts) throw new ThrottledError(context, attempt);
    requests = unprocessed as typeof requests;
    await sleep(retry.baseDelayMs * 2 ** (attempt - 1));
  }
}
