import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, type BatchWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { ShopInstalledError, ThrottledError } from '../../../../infra/client/core/errors';
import { redactShop } from '../../../../infra/client/redact';
import { TABLE_SCHEMAS } from '../../../../infra/data/schemas';
import { startLocalTables, type LocalTables } from '../../../support/local-tables';

const REDACTED = 'redact-me.myshopify.com';
const KEPT = 'keep-me.myshopify.com';
/** Installed: redaction must refuse it and delete nothing. */
const LIVE = 'live-shop.myshopify.com';
const UNINSTALLED_AT = '2026-11-25T13:00:00.000Z';
const JOBS_PER_SHOP = 110;
const HISTORY_PER_SHOP = 105;

let local: LocalTables;

/** Writes items 25 per BatchWriteItem. */
async function putAll(table: string, items: Record<string, unknown>[]) {
  for (let i = 0; i < items.length; i += 25) {
    await local.doc.send(new BatchWriteCommand({ RequestItems: { [table]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) } }));
  }
}

function jobsOf(shopDomain: string) {
  // One a day back from 2026-11-25: the oldest are past their 90 days and must go too.
  return Array.from({ length: JOBS_PER_SHOP }, (_, n) => ({
    jobId: `01K${shopDomain.slice(0, 4).toUpperCase()}${String(n).padStart(19, '0')}`,
    shopDomain,
    createdAt: new Date(Date.UTC(2026, 10, 25) - n * 86_400_000).toISOString(),
    status: n % 2 ? 'COMPLETED' : 'RUNNING',
  }));
}

function historyOf(shopDomain: string) {
  return Array.from({ length: HISTORY_PER_SHOP }, (_, n) => ({ shopDomain, timestamp: 1_795_600_800 + n + 0.25037, jobId: `J${n}` }));
}

async function count(table: string, indexName: string | undefined, key: string, value: string) {
  const { Count } = await local.doc.send(
    new QueryCommand({
      TableName: table,
      ...(indexName && { IndexName: indexName }),
      KeyConditionExpression: '#k = :v',
      ExpressionAttributeNames: { '#k': key },
      ExpressionAttributeValues: { ':v': value },
      Select: 'COUNT',
    }),
  );
  return Count;
}

/** Every item of a shop in every table, by table. */
async function itemsOf(shopDomain: string) {
  const shop = await local.doc.send(new QueryCommand({ TableName: local.tables.Shops, KeyConditionExpression: '#d = :d', ExpressionAttributeNames: { '#d': 'domain' }, ExpressionAttributeValues: { ':d': shopDomain } }));
  return {
    Shops: shop.Count,
    Jobs: await count(local.tables.Jobs, 'shopDomain-createdAt', 'shopDomain', shopDomain),
    ImportHistory: await count(local.tables.ImportHistory, undefined, 'shopDomain', shopDomain),
  };
}

beforeAll(async () => {
  local = await startLocalTables();
  for (const domain of [REDACTED, KEPT, LIVE]) {
    const uninstalled = domain === LIVE ? {} : { uninstalledAt: UNINSTALLED_AT };
    await local.doc.send(new PutCommand({ TableName: local.tables.Shops, Item: { domain, name: domain, plan: 'pro', installedAt: '2026-01-01T00:00:00.000Z', ...uninstalled } }));
    await putAll(local.tables.Jobs, jobsOf(domain));
    await putAll(local.tables.ImportHistory, historyOf(domain));
  }
});

afterAll(() => local.close());

describe('redactShop', () => {
  let counts: Awaited<ReturnType<typeof redactShop>>;
  let sent: string[];
  let inputs: Record<string, unknown>[];
  beforeAll(async () => {
    local.sent.length = 0;
    // In another case than stored: the client folds it, so nothing is missed.
    counts = await redactShop({ doc: local.doc, tables: local.tables, domain: 'Redact-Me.MyShopify.com' });
    sent = [...local.sent];
    inputs = [...local.inputs];
  });

  test('deletes the shop, its more than 100 jobs (expired ones too) and its more than 100 history items, and says how many', async () => {
    expect(counts).toEqual({ Shops: 1, Jobs: JOBS_PER_SHOP, ImportHistory: HISTORY_PER_SHOP });
    expect(await itemsOf(REDACTED)).toEqual({ Shops: 0, Jobs: 0, ImportHistory: 0 });
  });

  test('reads no other shop: one GetItem, Queries of the shop\'s partitions, batch deletes of at most 25, the Shops item deleted last', () => {
    expect(sent[0]).toBe('GetItemCommand');
    expect(sent.at(-1)).toBe('DeleteItemCommand');
    const batches = sent.filter((command) => command === 'BatchWriteItemCommand');
    expect(batches).toHaveLength(Math.ceil(JOBS_PER_SHOP / 25) + Math.ceil(HISTORY_PER_SHOP / 25));
    expect(sent.filter((command) => command === 'DeleteItemCommand')).toHaveLength(1);
    expect(sent).not.toContain('ScanCommand');
    const queried = inputs.filter((_, i) => sent[i] === 'QueryCommand').map((input) => Object.values(input.ExpressionAttributeValues as object));
    expect(queried).toHaveLength(2);
    // The key condition names the redacted shop only (native or marshalled, by middleware order), and the bound of the sort key.
    for (const values of queried) expect(values.map((value) => JSON.stringify(value))).toEqual([expect.stringContaining(REDACTED), expect.any(String)]);
  });

  test('leaves every item of other shops as it was', async () => {
    expect(await itemsOf(KEPT)).toEqual({ Shops: 1, Jobs: JOBS_PER_SHOP, ImportHistory: HISTORY_PER_SHOP });
  });

  test('is idempotent: a second run deletes nothing and says so', async () => {
    expect(await redactShop({ doc: local.doc, tables: local.tables, domain: REDACTED })).toEqual(Object.fromEntries(TABLE_SCHEMAS.map(({ name }) => [name, 0])));
  });

  test('of an installed shop (re-installed since the uninstall) is a ShopInstalledError after one read, and deletes nothing', async () => {
    local.sent.length = 0;
    await expect(redactShop({ doc: local.doc, tables: local.tables, domain: LIVE })).rejects.toThrow(
      new ShopInstalledError({ table: local.tables.Shops, operation: 'redactShop', key: { domain: LIVE } }, 'the shop is installed; nothing was redacted'),
    );
    expect(local.sent).toEqual(['GetItemCommand']);
    expect(await itemsOf(LIVE)).toEqual({ Shops: 1, Jobs: JOBS_PER_SHOP, ImportHistory: HISTORY_PER_SHOP });
  });

  test('leaves an item written after the redaction began (a re-install\'s), and deletes the rest of the shop', async () => {
    const shopDomain = 'reinstalling.myshopify.com';
    await local.doc.send(new PutCommand({ TableName: local.tables.Shops, Item: { domain: shopDomain, installedAt: '2026-01-01T00:00:00.000Z', uninstalledAt: UNINSTALLED_AT } }));
    const [old, later] = [jobsOf(shopDomain)[0]!, { ...jobsOf(shopDomain)[1]!, createdAt: new Date(Date.now() + 60_000).toISOString() }];
    await putAll(local.tables.Jobs, [old, later]);
    expect(await redactShop({ doc: local.doc, tables: local.tables, domain: shopDomain })).toEqual({ Shops: 1, Jobs: 1, ImportHistory: 0 });
    expect(await itemsOf(shopDomain)).toEqual({ Shops: 0, Jobs: 1, ImportHistory: 0 });
  });

  test('two redactions of one shop at once both end well: the one that finds the item gone says it deleted none, not that the shop re-installed', async () => {
    const shopDomain = 'redacted-twice.myshopify.com';
    await local.doc.send(new PutCommand({ TableName: local.tables.Shops, Item: { domain: shopDomain, installedAt: '2026-01-01T00:00:00.000Z', uninstalledAt: UNINSTALLED_AT } }));
    await putAll(local.tables.Jobs, jobsOf(shopDomain).slice(0, 30));
    const results = await Promise.all([redactShop({ doc: local.doc, tables: local.tables, domain: shopDomain }), redactShop({ doc: local.doc, tables: local.tables, domain: shopDomain })]);
    expect(results.map((result) => result.Shops).sort()).toEqual([0, 1]);
    expect(await itemsOf(shopDomain)).toEqual({ Shops: 0, Jobs: 0, ImportHistory: 0 });
  });

  test('refuses a domain that is not *.myshopify.com before any request', async () => {
    local.sent.length = 0;
    await expect(redactShop({ doc: local.doc, tables: local.tables, domain: 'redact-me.example.com' })).rejects.toMatchObject({ name: 'InvalidInputError', field: 'shopDomain' });
    expect(local.sent).toEqual([]);
  });
});

describe('redactShop against a throttling engine', () => {
  const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
  const mock = mockClient(doc);
  const tables = { Shops: 'Shops-prod', Jobs: 'Jobs-prod', ImportHistory: 'ImportHistory-prod' };
  const retry = { attempts: 3, baseDelayMs: 1 };
  beforeEach(() => {
    mock.reset();
    mock.on(GetCommand).resolves({});
    mock.on(QueryCommand, { TableName: 'ImportHistory-prod' }).resolves({ Items: [] });
  });
  afterAll(() => mock.restore());

  test('follows LastEvaluatedKey to the next page and resends unprocessed deletes until none remain', async () => {
    const page1 = [{ jobId: 'A' }, { jobId: 'B' }];
    mock
      .on(QueryCommand, { TableName: 'Jobs-prod' })
      .resolvesOnce({ Items: page1, LastEvaluatedKey: { jobId: 'B', shopDomain: REDACTED, createdAt: 'x' } })
      .resolvesOnce({ Items: [{ jobId: 'C' }] });
    const unprocessed = { 'Jobs-prod': [{ DeleteRequest: { Key: { jobId: 'B' } } }] } as BatchWriteCommandInput['RequestItems'];
    mock.on(BatchWriteCommand).resolvesOnce({ UnprocessedItems: unprocessed }).resolves({});
    expect(await redactShop({ doc, tables, domain: REDACTED, retry })).toEqual({ Shops: 0, Jobs: 3, ImportHistory: 0 });
    const jobQueries = mock.commandCalls(QueryCommand, { TableName: 'Jobs-prod' });
    expect(jobQueries[1]!.args[0].input.ExclusiveStartKey).toEqual({ jobId: 'B', shopDomain: REDACTED, createdAt: 'x' });
    const batches = mock.commandCalls(BatchWriteCommand).map((call) => call.args[0].input.RequestItems!['Jobs-prod']);
    expect(batches).toEqual([
      [{ DeleteRequest: { Key: { jobId: 'A' } } }, { DeleteRequest: { Key: { jobId: 'B' } } }],
      [{ DeleteRequest: { Key: { jobId: 'B' } } }],
      [{ DeleteRequest: { Key: { jobId: 'C' } } }],
    ]);
  });

  test('gives up after the bounded attempts with a ThrottledError naming the table and shop', async () => {
    mock.on(QueryCommand, { TableName: 'Jobs-prod' }).resolves({ Items: [{ jobId: 'A' }] });
    mock.on(BatchWriteCommand).resolves({ UnprocessedItems: { 'Jobs-prod': [{ DeleteRequest: { Key: { jobId: 'A' } } }] } });
    await expect(redactShop({ doc, tables, domain: REDACTED, retry })).rejects.toThrow(
      new ThrottledError({ table: 'Jobs-prod', operation: 'redactShop', key: { shopDomain: REDACTED } }, 3),
    );
    expect(mock.commandCalls(BatchWriteCommand)).toHaveLength(3);
  });
});
