import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { createClients } from '../../../scripts/shared/clients';
import { startLocalEngine, type LocalEngine } from '../../../scripts/shared/local-engine';
import { createTables, tablesFromTemplate, type TemplateTable } from '../../../scripts/shared/template-tables';
import type { IndexSchema, TableSchema } from '../../../infra/data/schema-model';
import { tableSchema, TABLE_SCHEMAS } from '../../../infra/data/schemas';
import tableTemplate from '../../fixtures/table-template.json';
import { devTemplate } from '../../support/dev-template';

let engine: LocalEngine;
let devTables: TemplateTable[];
beforeAll(async () => {
  devTables = tablesFromTemplate(devTemplate());
  engine = await startLocalEngine({ port: 0 });
});
afterAll(() => engine.close());

const devTable = (name: string) => devTables.find((table) => table.createTable.TableName === name)!;

test('the dev template (AWS::DynamoDB::GlobalTable) yields exactly the three dev tables', () => {
  expect(devTables.map((table) => table.createTable.TableName).sort()).toEqual(['ImportHistory-dev', 'Jobs-dev', 'Shops-dev']);
});

test('Jobs-dev is created with its key, both indexes and their projections, on demand', () => {
  expect(devTable('Jobs-dev')).toEqual({
    createTable: {
      TableName: 'Jobs-dev',
      AttributeDefinitions: expect.arrayContaining([
        { AttributeName: 'jobId', AttributeType: 'S' },
        { AttributeName: 'shopDomain', AttributeType: 'S' },
        { AttributeName: 'createdAt', AttributeType: 'S' },
        { AttributeName: 'status', AttributeType: 'S' },
      ]),
      KeySchema: [{ AttributeName: 'jobId', KeyType: 'HASH' }],
      GlobalSecondaryIndexes: expect.arrayContaining([
        {
          IndexName: 'shopDomain-createdAt',
          KeySchema: [
            { AttributeName: 'shopDomain', KeyType: 'HASH' },
            { AttributeName: 'createdAt', KeyType: 'RANGE' },
          ],
          Projection: {
            ProjectionType: 'INCLUDE',
            NonKeyAttributes: ['type', 'mode', 'status', 'isDryRun', 'totalProducts', 'processedProducts'],
          },
        },
        {
          IndexName: 'status-createdAt',
          KeySchema: [
            { AttributeName: 'status', KeyType: 'HASH' },
            { AttributeName: 'createdAt', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'KEYS_ONLY' },
        },
      ]),
      BillingMode: 'PAY_PER_REQUEST',
    },
    ttlAttribute: 'expiresAt',
  });
});

test('each dev table defines exactly the key attributes of its table and of its indexes in the map, and only its map indexes', () => {
  for (const schema of TABLE_SCHEMAS) {
    const indexes: readonly IndexSchema[] = schema.indexes;
    const keys = [schema.partitionKey, 'sortKey' in schema ? schema.sortKey : undefined, ...indexes.flatMap((index) => [index.partitionKey, index.sortKey])]
      .filter((key) => key !== undefined)
      .map((key) => ({ AttributeName: key.name, AttributeType: key.type }));
    const { createTable } = devTable(`${schema.name}-dev`);
    expect(createTable.AttributeDefinitions).toEqual(expect.arrayContaining(keys));
    expect(createTable.AttributeDefinitions).toHaveLength(new Set(keys.map((key) => key.AttributeName)).size);
    expect((createTable.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName)).toEqual(indexes.map((index) => index.name));
  }
});

test('ImportHistory-dev keeps its numeric sort key and Shops-dev its domain key, with indexes and TTL only as the map gives them', () => {
  expect(devTable('ImportHistory-dev').createTable.KeySchema).toEqual([
    { AttributeName: 'shopDomain', KeyType: 'HASH' },
    { AttributeName: 'timestamp', KeyType: 'RANGE' },
  ]);
  expect(devTable('ImportHistory-dev').createTable.AttributeDefinitions).toContainEqual({ AttributeName: 'timestamp', AttributeType: 'N' });
  const shops: TableSchema = tableSchema('Shops');
  expect(devTable('Shops-dev')).toEqual({
    createTable: {
      TableName: 'Shops-dev',
      AttributeDefinitions: expect.arrayContaining([{ AttributeName: 'domain', AttributeType: 'S' }]),
      KeySchema: [{ AttributeName: 'domain', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
      ...(shops.indexes.length > 0 && { GlobalSecondaryIndexes: expect.any(Array) }),
    },
    ...(shops.ttl && { ttlAttribute: shops.ttl.attribute }),
  });
});

test('an AWS::DynamoDB::Table resource keeps its provisioned capacity, index capacity and TTL attribute', () => {
  expect(tablesFromTemplate(tableTemplate)).toEqual([
    {
      createTable: {
        TableName: 'Orders-test',
        AttributeDefinitions: [
          { AttributeName: 'orderId', AttributeType: 'S' },
          { AttributeName: 'customerId', AttributeType: 'S' },
          { AttributeName: 'placedAt', AttributeType: 'N' },
        ],
        KeySchema: [{ AttributeName: 'orderId', KeyType: 'HASH' }],
        GlobalSecondaryIndexes: [
          {
            IndexName: 'customerId-placedAt',
            KeySchema: [
              { AttributeName: 'customerId', KeyType: 'HASH' },
              { AttributeName: 'placedAt', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['total'] },
            ProvisionedThroughput: { ReadCapacityUnits: 2, WriteCapacityUnits: 1 },
          },
        ],
        BillingMode: 'PROVISIONED',
        ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 5 },
      },
      ttlAttribute: 'purgeAt',
    },
  ]);
});

test('a table without a literal name is refused with the resource named', () => {
  const template = { Resources: { Anonymous1: { Type: 'AWS::DynamoDB::GlobalTable', Properties: { BillingMode: 'PAY_PER_REQUEST' } } } };
  expect(() => tablesFromTemplate(template)).toThrow('Anonymous1 has no literal TableName; a table to create locally needs one.');
});

test('both shapes are created on the engine with the same keys, indexes and projections, and a rerun keeps them', async () => {
  const { client } = createClients({ region: 'us-east-1', endpoint: engine.endpoint, local: true });
  const tables = [...devTables, ...tablesFromTemplate(tableTemplate)];
  expect(await createTables(client, tables)).toEqual([
    { tableName: 'Shops-dev', outcome: 'created' },
    { tableName: 'Jobs-dev', outcome: 'created' },
    { tableName: 'ImportHistory-dev', outcome: 'created' },
    { tableName: 'Orders-test', outcome: 'created' },
  ]);
  const { Table } = await client.send(new DescribeTableCommand({ TableName: 'Jobs-dev' }));
  expect(Table).toMatchObject({
    TableStatus: 'ACTIVE',
    KeySchema: [{ AttributeName: 'jobId', KeyType: 'HASH' }],
    BillingModeSummary: { BillingMode: 'PAY_PER_REQUEST' },
    GlobalSecondaryIndexes: expect.arrayContaining([
      expect.objectContaining({
        IndexName: 'shopDomain-createdAt',
        IndexStatus: 'ACTIVE',
        Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['type', 'mode', 'status', 'isDryRun', 'totalProducts', 'processedProducts'] },
      }),
      expect.objectContaining({ IndexName: 'status-createdAt', IndexStatus: 'ACTIVE', Projection: { ProjectionType: 'KEYS_ONLY' } }),
    ]),
  });
  expect(Table!.GlobalSecondaryIndexes!.map((index) => index.IndexName)).toEqual(
    devTable('Jobs-dev').createTable.GlobalSecondaryIndexes!.map((index) => index.IndexName),
  );
  const orders = await client.send(new DescribeTableCommand({ TableName: 'Orders-test' }));
  expect(orders.Table?.ProvisionedThroughput).toMatchObject({ ReadCapacityUnits: 5, WriteCapacityUnits: 5 });
  expect((await createTables(client, tables)).map(({ outcome }) => outcome)).toEqual(['exists', 'exists', 'exists', 'exists']);
  client.destroy();
});

test('TTL is turned on where the template has it, on an engine that has the TTL API', async () => {
  const sent: Array<{ name: string; input: unknown }> = [];
  const engineWithTtl = {
    send: async (command: { constructor: { name: string }; input: { TableName?: string } }) => {
      sent.push({ name: command.constructor.name, input: command.input });
      return command.constructor.name === 'DescribeTableCommand'
        ? { Table: { TableName: command.input.TableName, TableStatus: 'ACTIVE' } }
        : {};
    },
  } as unknown as Parameters<typeof createTables>[0];
  // A table the template gives no TTL gets no UpdateTimeToLive, whichever map table that is today.
  const withoutTtl: TemplateTable = { createTable: { ...devTable('Shops-dev').createTable, TableName: 'NoTtl-dev' } };
  await createTables(engineWithTtl, [devTable('Jobs-dev'), withoutTtl]);
  expect(sent.filter(({ name }) => name === 'UpdateTimeToLiveCommand').map(({ input }) => input)).toEqual([
    { TableName: 'Jobs-dev', TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true } },
  ]);
});
