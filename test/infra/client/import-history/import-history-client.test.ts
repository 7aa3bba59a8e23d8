import { ConditionalCheckFailedException, DynamoDBClient, QueryCommand as RawQueryCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { ConflictError } from '../../../../infra/client/core/errors';
import { ImportHistoryClient, SLOTS_PER_MILLISECOND, importFinishedAt, importTimestamp, type ImportRecord } from '../../../../infra/client/import-history';
import { startLocalTables, type LocalTables } from '../../../support/local-tables';

const FINISHED_AT = new Date('2026-11-25T10:00:00.250Z');
const NOW = new Date('2026-11-25T12:00:00.000Z');

let local: LocalTables;
let history: ImportHistoryClient;

beforeAll(async () => {
  local = await startLocalTables();
  history = new ImportHistoryClient({ doc: local.doc, table: local.tables.ImportHistory, now: () => NOW });
});

afterAll(() => local.close());

const record = (shopDomain: string, n: number, finishedAt: Date): ImportRecord => ({
  shopDomain,
  jobId: `01KBXRST${String(n).padStart(18, '0')}`,
  finishedAt,
  productsImported: n,
  status: 'COMPLETED',
  errorCount: 0,
});

async function storedItems(shopDomain: string) {
  const { Items } = await local.doc.send(
    new QueryCommand({ TableName: local.tables.ImportHistory, KeyConditionExpression: 'shopDomain = :shop', ExpressionAttributeValues: { ':shop': shopDomain } }),
  );
  return Items!;
}

describe('the ImportHistory key', () => {
  test('is Unix seconds with five decimals: the finish milliseconds, then the job\'s slot', () => {
    const timestamp = importTimestamp(FINISHED_AT, '01KJOB0000000000000000000A');
    expect(String(timestamp)).toMatch(/^1795600800\.250\d{0,2}$/);
    expect(Math.floor(timestamp)).toBe(1_795_600_800);
    expect(importFinishedAt(timestamp)).toEqual(FINISHED_AT);
  });

  test('refuses an invalid date, or one outside the ten digits of seconds, naming finishedAt', () => {
    for (const at of [new Date(Number.NaN), new Date(-1), new Date(10_000_000_000_000)]) {
      expect(() => importTimestamp(at, '01KA0000000000000000000000')).toThrow(/^importTimestamp on ImportHistory \{\}: finishedAt must be a valid Date from 1970-01-01T00:00:00.000Z to 2286-11-20T17:46:39.999Z$/);
    }
  });

  test('is the same for a retry of one job and moves to the next slot of the same millisecond on a probe', () => {
    const jobId = '01KJOB0000000000000000000B';
    const first = importTimestamp(FINISHED_AT, jobId);
    expect(importTimestamp(new Date(FINISHED_AT), jobId)).toBe(first);
    const slot = Math.round((first - 1_795_600_800.25) * 100_000);
    expect(importTimestamp(FINISHED_AT, jobId, 1)).toBe(Number(`1795600800.250${String((slot + 1) % 100).padStart(2, '0')}`));
  });

  test('round-trips exactly through the document client and DynamoDB (15 significant digits)', async () => {
    const shop = 'round-trip.myshopify.com';
    // 999 ms and the last ten-digit second (year 2286) give the longest decimals the key has.
    const edges = [FINISHED_AT, new Date('2026-11-25T10:00:00.999Z'), new Date(9_999_999_999_999)];
    const keys = edges.flatMap((at) => Array.from({ length: SLOTS_PER_MILLISECOND }, (_, probe) => importTimestamp(at, 'X', probe)));
    expect(new Set(keys).size).toBe(keys.length);
    // The document client writes a number as String(n) and reads it back with Number(text).
    for (const key of keys) expect(Number(String(key))).toBe(key);
    for (const at of edges) expect(importFinishedAt(importTimestamp(at, 'X', 99))).toEqual(at);
    // Through the engine: slots whose decimals end in zeros and the longest ones, at every edge.
    const sample = keys.filter((_, n) => [0, 1, 9, 10, 50, 98, 99].includes(n % SLOTS_PER_MILLISECOND)).sort((x, y) => x - y);
    await Promise.all(sample.map((timestamp) => local.doc.send(new PutCommand({ TableName: local.tables.ImportHistory, Item: { shopDomain: shop, timestamp } }))));
    expect((await storedItems(shop)).map((item) => item.timestamp)).toEqual(sample);
    const raw = await local.client.send(
      new RawQueryCommand({
        TableName: local.tables.ImportHistory,
        KeyConditionExpression: 'shopDomain = :shop',
        ExpressionAttributeValues: { ':shop': { S: shop } },
      }),
    );
    expect(raw.Items!.map((item) => item.timestamp!.N)).toEqual(sample.map(String));
  });
});

describe('200 imports of one shop finishing within one second', () => {
  const SHOP = 'burst-imports.myshopify.com';
  // 5 ms apart: 200 finish times within one second.
  const records = Array.from({ length: 200 }, (_, n) => record(SHOP, n, new Date(FINISHED_AT.getTime() + n * 5 - 250)));
  let requests: number;
  beforeAll(async () => {
    local.sent.length = 0;
    // Finish order is not write order: write them shuffled, all at once.
    const shuffled = [...records].sort((a, b) => (a.jobId.split('').reverse().join() < b.jobId.split('').reverse().join() ? -1 : 1));
    await Promise.all(shuffled.map((item) => history.record(item)));
    requests = local.sent.length;
  });

  test('are stored, each exactly once, in finish order, with one PutItem each', async () => {
    const items = await storedItems(SHOP);
    expect(items.map((item) => item.jobId)).toEqual(records.map((item) => item.jobId));
    expect(items.map((item) => importFinishedAt(item.timestamp as number))).toEqual(records.map((item) => item.finishedAt));
    expect(items.every((item) => item.expiresAt === 1_795_600_800 + 365 * 86_400)).toBe(true);
    expect(requests).toBe(200);
  });

  test('a retried write stores nothing twice: it finds its own record and reports it', async () => {
    const first = await history.record(records[17]!);
    expect(first).toEqual({ outcome: 'alreadyStored', timestamp: importTimestamp(records[17]!.finishedAt, records[17]!.jobId) });
    expect(await storedItems(SHOP)).toHaveLength(200);
  });
});

describe('imports finishing in the same millisecond', () => {
  const SHOP = 'same-millisecond.myshopify.com';
  const jobs = Array.from({ length: 10 }, (_, n) => record(SHOP, n, FINISHED_AT));

  test('are all stored in that millisecond, and retries of each find their own record', async () => {
    await Promise.all(jobs.map((job) => history.record(job)));
    const retries = await Promise.all(jobs.map((job) => history.record(job)));
    expect(retries.every((write) => write.outcome === 'alreadyStored')).toBe(true);
    const items = await storedItems(SHOP);
    expect(items.map((item) => item.jobId).sort()).toEqual(jobs.map((job) => job.jobId).sort());
    expect(new Set(items.map((item) => importFinishedAt(item.timestamp as number).toISOString()))).toEqual(new Set([FINISHED_AT.toISOString()]));
  });

  test('when all 100 keys of a millisecond hold other jobs it throws ConflictError naming the key, after trying each once', async () => {
    const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
    const mock = mockClient(doc);
    mock.on(PutCommand).rejects(new ConditionalCheckFailedException({ message: 'taken', $metadata: {} }));
    mock.on(GetCommand).resolves({ Item: { jobId: 'ANOTHER' } });
    const job = record('full-millisecond.myshopify.com', 1, FINISHED_AT);
    const client = new ImportHistoryClient({ doc, table: 'ImportHistory-prod' });
    await expect(client.record(job)).rejects.toThrow(
      new ConflictError(
        { table: 'ImportHistory-prod', operation: 'importHistory.record', key: { shopDomain: job.shopDomain, timestamp: importTimestamp(FINISHED_AT, job.jobId) } },
        'all 100 keys of that millisecond hold other imports of the shop',
      ),
    );
    const tried = mock.commandCalls(PutCommand).map((call) => call.args[0].input.Item!.timestamp as number);
    expect(new Set(tried).size).toBe(SLOTS_PER_MILLISECOND);
    expect(tried.every((timestamp) => importFinishedAt(timestamp).getTime() === FINISHED_AT.getTime())).toBe(true);
    mock.restore();
  });
});

describe('reading a shop\'s history', () => {
  const SHOP = 'history-reader.myshopify.com';
  const at = (iso: string) => new Date(iso);
  const finished = ['2026-11-20T08:00:00.000Z', '2026-11-21T08:00:00.001Z', '2026-11-22T08:00:00.999Z', '2026-11-23T08:00:00.000Z', '2025-11-01T00:00:00.000Z'];
  beforeAll(async () => {
    for (const [n, iso] of finished.entries()) await history.record(record(SHOP, n, at(iso)));
  });

  test('returns the imports within [from, to], inclusive to the millisecond, newest first, page by page', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    local.sent.length = 0;
    do {
      const page = await history.list(SHOP, { from: at(finished[1]!), to: at(finished[3]!), limit: 2, ...(cursor && { cursor }) });
      seen.push(...page.items.map((item) => importFinishedAt(item.timestamp).toISOString()));
      cursor = page.cursor;
    } while (cursor);
    expect(seen).toEqual([finished[3], finished[2], finished[1]]);
    expect(local.sent.every((command) => command === 'QueryCommand')).toBe(true);
  });

  test('leaves out imports past their 365 days without a range', async () => {
    const { items } = await history.list(SHOP);
    expect(items.map((item) => importFinishedAt(item.timestamp).toISOString())).toEqual(finished.slice(0, 4).reverse());
  });
});
