import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { createClients } from '../scripts/lib/clients';
import { startLocalEngine, type LocalEngine } from '../scripts/lib/local-engine';
import { createTables, tablesFromTemplate, type TemplateTable } from '../scripts/lib/template-tables';
import tableTemplate from './fixtures/table-template.json';
import { devTemplate } from './support/dev-template';

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
      AttributeDefinitions: [
        { AttributeName: 'jobId', AttributeType: 'S' },
        { AttributeName: 'shopDomain', AttributeType: 'S' },
        { AttributeName: 'createdAt', AttributeType: 'S' },
        { AttributeName: 'status', AttributeType: 'S' },
      ],
      KeySchema: [{ AttributeName: 'jobId', KeyType: 'HASH' }],
      GlobalSecondaryIndexes: [
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
      ],
      BillingMode: 'PAY_PER_REQUEST',
    },
    ttlAttribute: 'expiresAt',
  });
});

test('ImportHistory-dev keeps its numeric sort key and Shops-dev has no index and no TTL', () => {
  expect(devTable('ImportHistory-dev').createTable.KeySchema).toEqual([
    { AttributeName: 'shopDomain', KeyType: 'HASH' },
    { AttributeName: 'timestamp', KeyType: 'RANGE' },
  ]);
  expect(devTable('ImportHistory-dev').createTable.AttributeDefinitions).toContainEqual({ AttributeName: 'timestamp', AttributeType: 'N' });
  expect(devTable('Shops-dev')).toEqual({
    createTable: {
      TableName: 'Shops-dev',
      AttributeDefinitions: [{ AttributeName: 'domain', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'domain', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    },
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
    GlobalSecondaryIndexes: [
      expect.objectContaining({ IndexName: 'shopDomain-createdAt', IndexStatus: 'ACTIVE', Projection: devTable('Jobs-dev').createTable.GlobalSecondaryIndexes![0]!.Projection }),
      expect.objectContaining({ IndexName: 'status-createdAt', IndexStatus: 'ACTIVE', Projection: { ProjectionType: 'KEYS_ONLY' } }),
    ],
  });
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
  await createTables(engineWithTtl, [devTable('Jobs-dev'), devTable('Shops-dev')]);
  expect(sent.filter(({ name }) => name === 'UpdateTimeToLiveCommand').map(({ input }) => input)).toEqual([
    { TableName: 'Jobs-dev', TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true } },
  ]);
});
