import type { IndexSchema, TableSchema } from '../infra/schema-model';
import { TABLE_SCHEMAS } from '../infra/schemas';
import { CAPACITY_ASSUMPTIONS } from '../scripts/lib/capacity-assumptions';
import { itemBytes, lifecycleKeyLoads, workedExample, writeCost, writeUnits } from '../scripts/lib/capacity-model';

function costOf(kindName: string, schemas: readonly TableSchema[] = TABLE_SCHEMAS) {
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

test('a Shops item with its sealed tokens, 2,916 bytes, costs 3 write units, and so does every token refresh', () => {
  const shops = TABLE_SCHEMAS.find((schema) => schema.name === 'Shops')!;
  expect(itemBytes(shops, CAPACITY_ASSUMPTIONS)).toBe(2916);
  expect(costOf('saveShop')).toEqual({ table: 3, total: 3 });
  // An update is billed on the larger of the item before and after, which is the whole item.
  expect(costOf('refreshTokens')).toEqual({ table: 3, total: 3 });
});

test('creating a job writes the table and one entry in each index: 3 units', () => {
  expect(costOf('createJob')).toEqual({ table: 1, 'shopDomain-createdAt': 1, 'status-createdAt': 1, total: 3 });
});

test('a progress update writes only the index that projects processedProducts: 2 units', () => {
  expect(costOf('progressUpdate')).toEqual({ table: 1, 'shopDomain-createdAt': 1, 'status-createdAt': 0, total: 2 });
});

test('a status change deletes and re-puts the status index entry: 4 units', () => {
  expect(costOf('statusChange')).toEqual({ table: 1, 'shopDomain-createdAt': 1, 'status-createdAt': 2, total: 4 });
});

test('an import record writes ImportHistory alone: 1 unit', () => {
  expect(costOf('importRecord')).toEqual({ table: 1, total: 1 });
});

test('the model follows the projections in the map', () => {
  expect(costOf('progressUpdate', withJobsIndex('status-createdAt', { type: 'ALL', reason: 'test' }))).toMatchObject({
    'status-createdAt': 1,
    total: 3,
  });
  expect(costOf('progressUpdate', withJobsIndex('shopDomain-createdAt', { type: 'KEYS_ONLY', reason: 'test' }))).toMatchObject({
    'shopDomain-createdAt': 0,
    total: 1,
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
  expect(example.unitsPerJob).toBe(31.5);
  expect(example.unitsPerMonth).toBe(94_500_000);
  expect(example.sharedKey.headroom).toBeCloseTo(43.2, 5);
  expect(example.storage.map(({ table, items }) => [table, items])).toEqual([
    ['Shops', 50_000],
    ['Jobs', 9_000_000],
    ['ImportHistory', 18_250_000],
  ]);
});
