import { ExpiredRangeError, buildAccessRequest } from '../../../../infra/client/core/access-requests';
import { InvalidInputError } from '../../../../infra/client/core/errors';
import { oldestLive } from '../../../../infra/client/core/ttl';
import { tableSchema } from '../../../../infra/data/schemas';

const NOW = new Date('2026-11-25T12:00:00.000Z');

test('a shop\'s jobs start at the first second whose jobs have not expired (createdAt + 90 days > now)', () => {
  const request = buildAccessRequest(tableSchema('Jobs'), 'jobsByShop', 'Jobs-prod', { partitionKey: 'acme.myshopify.com', now: NOW });
  expect(request).toEqual({
    operation: 'Query',
    input: {
      TableName: 'Jobs-prod',
      IndexName: 'shopDomain-createdAt',
      KeyConditionExpression: '#pk = :pk AND #sk >= :from',
      ExpressionAttributeNames: { '#pk': 'shopDomain', '#sk': 'createdAt' },
      // A job created at 12:00:00.400 on 2026-08-27 has expiresAt = now: expired, so not read.
      ExpressionAttributeValues: { ':pk': 'acme.myshopify.com', ':from': '2026-08-27T12:00:01.000Z' },
      ScanIndexForward: false,
    },
  });
});

test('a shop\'s import history starts at the first live Unix second (timestamp + 365 days > now)', () => {
  const request = buildAccessRequest(tableSchema('ImportHistory'), 'importHistoryByShop', 'ImportHistory-dev', {
    partitionKey: 'acme.myshopify.com',
    range: { to: 1_795_608_000 },
    now: NOW,
  });
  expect(request.input).toMatchObject({
    KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
    ExpressionAttributeValues: { ':pk': 'acme.myshopify.com', ':from': 1_764_072_001, ':to': 1_795_608_000 },
  });
});

test('a range that ends before the TTL horizon is refused instead of sent as an invalid BETWEEN', () => {
  const build = () =>
    buildAccessRequest(tableSchema('Jobs'), 'jobsByStatus', 'Jobs-dev', {
      partitionKey: 'FAILED',
      range: { from: '2026-01-01T00:00:00.000Z', to: '2026-02-01T00:00:00.000Z' },
      now: NOW,
    });
  expect(build).toThrow(ExpiredRangeError);
  expect(build).toThrow(
    `Jobs.jobsByStatus on Jobs-dev {status: "FAILED"}: the range ends at 2026-02-01T00:00:00.000Z, before the oldest live item (${new Date(oldestLive(tableSchema('Jobs').ttl, NOW).getTime() + 1000).toISOString()}); every item in it has expired, so there is nothing to read`,
  );
});

test('a pattern the table does not declare is refused with the ones it has', () => {
  expect(() => buildAccessRequest(tableSchema('Shops'), 'shopsByPlan' as never, 'Shops-dev', { partitionKey: 'pro' })).toThrow(
    new InvalidInputError({ table: 'Shops-dev', operation: 'buildAccessRequest', key: {} }, 'patternName', 'must be an access pattern of Shops: shopByDomain'),
  );
});

test('a GetItem of a table with a sort key without its value is refused, naming the field', () => {
  expect(() => buildAccessRequest(tableSchema('ImportHistory'), 'importHistoryByShop', 'ImportHistory-dev', { partitionKey: 'acme.myshopify.com' })).not.toThrow();
  const getWithoutSortKey = { ...tableSchema('ImportHistory'), accessPatterns: [{ name: 'importByKey', description: 'test', operation: 'GetItem' }] } as const;
  expect(() => buildAccessRequest(getWithoutSortKey, 'importByKey', 'ImportHistory-dev', { partitionKey: 'acme.myshopify.com' })).toThrow(
    'ImportHistory.importByKey on ImportHistory-dev {}: sortKey must be given: ImportHistory has the sort key timestamp',
  );
});
