import { randomBytes } from 'node:crypto';
import { JobsClient, rawAesKeyring, TokenCrypto, TokenStore } from '../../../infra/client';
import { DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import type { IndexSchema, TableSchema } from '../../../infra/data/schema-model';
import { tableSchema, TABLE_SCHEMAS } from '../../../infra/data/schemas';
import { CAPACITY_ASSUMPTIONS, type ClientOperation } from '../../../infra/models/capacity-assumptions';
import { DEFAULT_VALUE_BYTES, itemBytes, leaseCost, lifecycleKeyLoads, workedExample, writeCost, writeUnits } from '../../../infra/models/capacity-model';

/** A write kind's units: `table`, one entry per index, and `total`. */
function costOf(kindName: string, schemas: readonly TableSchema[] = TABLE_SCHEMAS): Record<string, number> {
  const kind = CAPACITY_ASSUMPTIONS.writeKinds.find((candidate) => candidate.name === kindName)!;
  const cost = writeCost(schemas, CAPACITY_ASSUMPTIONS, kind);
  return { table: cost.tableUnits, ...Object.fromEntries(cost.indexes.map((index) => [index.index, index.units])), total: cost.totalUnits };
}

function withJobsIndex(name: string, projection: IndexSchema['projection']): TableSchema[] {
  return TABLE_SCHEMAS.map((schema) =>
    schema.name === 'Jobs'
      ? { ...schema, indexes: schema.indexes.map((index) => (index.name === name ? { ...index, projection } : index)) }
      : schema,
  );
}

test('write units round up per 1 KB written', () => {
  expect([1, 1024, 1025, 2048, 2049].map(writeUnits)).toEqual([1, 1, 2, 2, 3]);
});

/** The cost of a write kind with the total checked to be the table's units plus every index's. */
function summedCostOf(kindName: string) {
  const { table, total, ...indexes } = costOf(kindName);
  expect(total).toBe(table + Object.values(indexes as Record<string, number>).reduce((sum, units) => sum + units, 0));
  return costOf(kindName);
}

const shops: TableSchema = TABLE_SCHEMAS.find((schema) => schema.name === 'Shops')!;
const jobs: TableSchema = TABLE_SCHEMAS.find((schema) => schema.name === 'Jobs')!;

test('a Shops item with its sealed tokens, at least the planned 2,916 bytes, costs at least 3 write units, and so does every token refresh', () => {
  // An attribute added to the map only adds bytes; the cost is always that of the whole item.
  expect(itemBytes(shops, CAPACITY_ASSUMPTIONS)).toBeGreaterThanOrEqual(2916);
  const units = writeUnits(itemBytes(shops, CAPACITY_ASSUMPTIONS));
  expect(units).toBeGreaterThanOrEqual(3);
  expect(summedCostOf('shops.install')).toMatchObject({ table: units });
  // An update is billed on the larger of the item before and after, which is the whole item.
  expect(summedCostOf('tokens.replace')).toMatchObject({ table: units });
});

test('creating a job writes the table and one entry in each index: 1 unit each', () => {
  expect(summedCostOf('jobs.create')).toEqual({
    table: 1,
    ...Object.fromEntries(jobs.indexes.map((index) => [index.name, 1])),
    total: 1 + jobs.indexes.length,
  });
});

test('a progress update writes the shop index, which projects processedProducts, and not the keys-only status index', () => {
  expect(summedCostOf('jobs.progress')).toMatchObject({ table: 1, 'shopDomain-createdAt': 1, 'status-createdAt': 0 });
});

test('a status change deletes and re-puts the status index entry: 2 units there, 1 on the table and the shop index', () => {
  expect(summedCostOf('jobs.transition')).toMatchObject({ table: 1, 'shopDomain-createdAt': 1, 'status-createdAt': 2 });
});

test('a lease renewal writes the Jobs item alone: 1 unit, no entry in either index; finding lapsed leases reads half a unit per RUNNING job', () => {
  expect(summedCostOf('jobs.renew')).toMatchObject({ table: 1, 'shopDomain-createdAt': 0, 'status-createdAt': 0, total: 1 });
  expect(leaseCost(TABLE_SCHEMAS, CAPACITY_ASSUMPTIONS)).toMatchObject({ renewalsPerJob: 8, searchReadUnitsPerRunningJob: 0.5 });
});

test('an import record writes ImportHistory alone: 1 unit, and 1 in each index it may gain', () => {
  const history: TableSchema = tableSchema('ImportHistory');
  expect(summedCostOf('importHistory.record')).toEqual({
    table: 1,
    ...Object.fromEntries(history.indexes.map((index) => [index.name, 1])),
    total: 1 + history.indexes.length,
  });
});

test('the model follows the projections in the map', () => {
  const progress = costOf('jobs.progress');
  // The index's units change with its projection, and the total by exactly as much.
  expect(costOf('jobs.progress', withJobsIndex('status-createdAt', { type: 'ALL', reason: 'test' }))).toMatchObject({
    'status-createdAt': 1,
    total: progress.total - progress['status-createdAt'] + 1,
  });
  expect(costOf('jobs.progress', withJobsIndex('shopDomain-createdAt', { type: 'KEYS_ONLY', reason: 'test' }))).toMatchObject({
    'shopDomain-createdAt': 0,
    total: progress.total - progress['shopDomain-createdAt'],
  });
});

test('the status index takes 2 units per job on its busiest value, capping the system at 500 jobs/s', () => {
  const status = lifecycleKeyLoads(TABLE_SCHEMAS, CAPACITY_ASSUMPTIONS).find((load) => load.index === 'status-createdAt');
  expect(status).toMatchObject({
    partitionKey: 'status',
    sharedByAllJobs: true,
    unitsPerValue: { PENDING: 2, RUNNING: 2, COMPLETED: 1 },
    busiestUnits: 2,
    jobsPerSecondCeiling: 500,
  });
});

test('one shop\'s jobs land 13 units each on its shopDomain value: about 76 jobs/s per shop', () => {
  const shop = lifecycleKeyLoads(TABLE_SCHEMAS, CAPACITY_ASSUMPTIONS).find((load) => load.index === 'shopDomain-createdAt');
  expect(shop).toMatchObject({ sharedByAllJobs: false, busiestUnits: 13 });
  expect(Math.floor(shop!.jobsPerSecondCeiling)).toBe(76);
});

test('at 50,000 shops with 2 jobs a day the status index has 43× headroom', () => {
  const example = workedExample(TABLE_SCHEMAS, CAPACITY_ASSUMPTIONS);
  expect(example.jobsPerDay).toBe(100_000);
  // The Jobs table, its two planned indexes and ImportHistory take 39.5 units per job (8 of them the
  // lease renewals); an index added since adds its own share on top.
  const planned = ['table', 'shopDomain-createdAt', 'status-createdAt'] as const;
  const plannedUnits = CAPACITY_ASSUMPTIONS.jobLifecycle.reduce((sum, step) => {
    const cost: Record<string, number> = costOf(step.write);
    return sum + step.times * planned.reduce((units, part) => units + (cost[part] ?? 0), 0);
  }, 0);
  expect(plannedUnits).toBe(39.5);
  const lifecycleUnits = CAPACITY_ASSUMPTIONS.jobLifecycle.reduce((sum, step) => sum + step.times * costOf(step.write).total, 0);
  expect(example.unitsPerJob).toBe(lifecycleUnits);
  expect(example.unitsPerMonth).toBe(example.jobsPerDay * example.unitsPerJob * 30);
  expect(example.sharedKey.load.index).toBe('status-createdAt');
  expect(example.sharedKey.headroom).toBeCloseTo(43.2, 5);
});

test('at 100,000 jobs a day, Jobs holds 90 days of jobs and ImportHistory 365 days of half of them; Shops one item per shop', () => {
  const example = workedExample(TABLE_SCHEMAS, CAPACITY_ASSUMPTIONS);
  expect(example.storage.map(({ table, items }) => [table, items])).toEqual(
    expect.arrayContaining([
      ['Shops', 50_000],
      ['Jobs', 9_000_000],
      ['ImportHistory', 18_250_000],
    ]),
  );
});

test('an attribute added to the map without an assumed size gets its type\'s default size', () => {
  const schemas = TABLE_SCHEMAS.map((schema) =>
    schema.name === 'Jobs' ? { ...schema, attributes: [...schema.attributes, { name: 'startedAt', type: 'S' as const, description: 'test' }] } : schema,
  );
  const jobs = (list: readonly TableSchema[]) => list.find((schema) => schema.name === 'Jobs')!;
  expect(itemBytes(jobs(schemas), CAPACITY_ASSUMPTIONS) - itemBytes(jobs(TABLE_SCHEMAS), CAPACITY_ASSUMPTIONS)).toBe('startedAt'.length + DEFAULT_VALUE_BYTES.S);
});

test('each priced update changes exactly the attributes the client operation of that name writes', async () => {
  const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
  const mock = mockClient(doc);
  // Job writes go out as the low-level UpdateItem, token writes through the document client.
  mock.on(UpdateCommand).resolves({ Attributes: {} }).on(UpdateItemCommand).resolves({ Attributes: {} });
  const jobs = new JobsClient({ doc, table: 'Jobs-dev' });
  const tokens = new TokenStore({ doc, table: 'Shops-dev', crypto: new TokenCrypto(rawAesKeyring(randomBytes(32))) });
  const refreshed = {
    accessToken: 'shpat_next',
    accessTokenExpiresAt: new Date('2026-11-28T05:00:00Z'),
    refreshToken: 'shprt_next',
    refreshTokenExpiresAt: new Date('2027-02-28T04:00:00Z'),
    scopes: ['read_products'],
  };
  const calls: Partial<Record<ClientOperation, () => Promise<unknown>>> = {
    'jobs.progress': () => jobs.progress('01KA0000000000000000000000', 10),
    'jobs.transition': () => jobs.claim('01KA0000000000000000000000'),
    'jobs.renew': () => jobs.renew('01KA0000000000000000000000'),
    'tokens.replace': () => tokens.replace('acme.myshopify.com', { installId: '01KAAAAAAAAAAAAAAAAAAAAAAA', version: 1 }, refreshed),
  };
  const updates = CAPACITY_ASSUMPTIONS.writeKinds.filter((kind) => kind.write === 'update');
  expect(updates.map((kind) => kind.name).sort()).toEqual(Object.keys(calls).sort());
  for (const kind of updates) {
    mock.resetHistory();
    await calls[kind.name]!();
    const [input] = [...mock.commandCalls(UpdateCommand), ...mock.commandCalls(UpdateItemCommand)].map((call) => call.args[0].input as { UpdateExpression?: string; ExpressionAttributeNames?: Record<string, string> });
    const { UpdateExpression, ExpressionAttributeNames } = input!;
    const written = [...UpdateExpression!.matchAll(/(#\w+) =/g)].map(([, name]) => ExpressionAttributeNames![name!]);
    expect(kind.write === 'update' && [...kind.changes].sort()).toEqual(written.sort());
  }
  mock.restore();
});
