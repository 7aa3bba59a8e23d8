import { ClientConfigError, createDataClient, DataClientError, rawAesKeyring, ShopsClient, tableNamesFromEnvironment, tableNamesFromStackOutputs, TokenCrypto, TokenStore, type OperationEvent } from '../../../infra/client';
import { randomBytes } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { TABLE_SCHEMAS } from '../../../infra/data/schemas';
import { startLocalTables, type LocalTables } from '../../support/local-tables';

const ENV = { SHOPS_TABLE: 'Shops-dev', JOBS_TABLE: 'Jobs-dev', IMPORT_HISTORY_TABLE: 'ImportHistory-dev' };
const ENV_TABLES = tableNamesFromEnvironment(ENV);

describe('table names from configuration', () => {
  test('come from the variables `npm run local -- --keep` prints, one per table of the map', () => {
    expect(tableNamesFromEnvironment(ENV)).toEqual({ Shops: 'Shops-dev', Jobs: 'Jobs-dev', ImportHistory: 'ImportHistory-dev' });
    expect(Object.keys(ENV)).toHaveLength(TABLE_SCHEMAS.length);
  });

  test('a missing variable is a one-line error naming it', () => {
    const { JOBS_TABLE: _, ...env } = ENV;
    expect(() => tableNamesFromEnvironment(env)).toThrow(new ClientConfigError('Environment variable JOBS_TABLE is not set: it names the Jobs table.'));
  });

  test('come from the stage\'s stack outputs, by export name or by output key', () => {
    const exports = { 'InavorShuttleData-prod-ShopsTableName': 'S', 'InavorShuttleData-prod-JobsTableName': 'J', 'InavorShuttleData-prod-ImportHistoryTableName': 'I' };
    expect(tableNamesFromStackOutputs('prod', exports)).toEqual({ Shops: 'S', Jobs: 'J', ImportHistory: 'I' });
    expect(tableNamesFromStackOutputs('prod', { ShopsTableName: 'S', JobsTableName: 'J', ImportHistoryTableName: 'I' })).toEqual({ Shops: 'S', Jobs: 'J', ImportHistory: 'I' });
    expect(() => tableNamesFromStackOutputs('staging', exports)).toThrow(
      'Stack output InavorShuttleData-staging-ShopsTableName is missing: it names the staging Shops table.',
    );
  });

  test('an unknown stage, outputs that are not an object, or a variable that is not text are one-line configuration errors', () => {
    expect(() => tableNamesFromStackOutputs('qa' as never, {})).toThrow(new ClientConfigError('The stage must be one of dev, staging, prod.'));
    expect(() => tableNamesFromStackOutputs('prod', null as never)).toThrow(ClientConfigError);
    expect(() => tableNamesFromEnvironment({ ...ENV, JOBS_TABLE: 42 as never })).toThrow('Environment variable JOBS_TABLE is not set: it names the Jobs table.');
  });
});

describe('createDataClient', () => {
  let local: LocalTables;
  beforeAll(async () => {
    local = await startLocalTables();
  });
  afterAll(() => local.close());

  test('builds every table client over one document client and the configured names', async () => {
    const data = createDataClient({ doc: local.doc, tables: tableNamesFromEnvironment(ENV) });
    const job = await data.jobs.create({ shopDomain: 'facade.myshopify.com', type: 'import', mode: 'create', isDryRun: true, totalProducts: 1 });
    await data.importHistory.record({ shopDomain: 'facade.myshopify.com', jobId: job.jobId, finishedAt: new Date(), productsImported: 1, status: 'COMPLETED', errorCount: 0 });
    expect(await data.redactShop('facade.myshopify.com')).toEqual({ Shops: 0, Jobs: 1, ImportHistory: 1 });
    expect('shops' in data).toBe(false);
  });

  test('with the token crypto it also has the Shops client and the token store, over the configured Shops table', async () => {
    const data = createDataClient({ doc: local.doc, tables: tableNamesFromEnvironment(ENV), tokenCrypto: new TokenCrypto(rawAesKeyring(randomBytes(32))) });
    expect(data.shops).toBeInstanceOf(ShopsClient);
    expect(data.tokens).toBeInstanceOf(TokenStore);
    const tokens = {
      accessToken: 'shpat_facade',
      accessTokenExpiresAt: new Date('2026-11-28T05:00:00.000Z'),
      refreshToken: 'shprt_facade',
      refreshTokenExpiresAt: new Date('2027-02-28T04:00:00.000Z'),
      scopes: ['read_products'],
    };
    await data.shops.install({ domain: 'facade-shop.myshopify.com', name: 'Facade', plan: 'free', billingStatus: 'active' }, tokens);
    expect((await data.tokens.read('facade-shop.myshopify.com')).tokens.accessToken?.reveal()).toBe('shpat_facade');
    await data.shops.uninstall('facade-shop.myshopify.com', new Date(Date.now() + 1000));
    expect(await data.redactShop('facade-shop.myshopify.com')).toEqual({ Shops: 1, Jobs: 0, ImportHistory: 0 });
  });
});

describe('the observe hook', () => {
  let local: LocalTables;
  beforeAll(async () => {
    local = await startLocalTables();
  });
  afterAll(() => local.close());

  test('receives one event per operation: table, operation, duration, requests and outcome, never a value of an item', async () => {
    const events: OperationEvent[] = [];
    const data = createDataClient({ doc: local.doc, tables: local.tables, observe: (event) => events.push(event) });
    const shopDomain = 'observed-shop.myshopify.com';
    const job = await data.jobs.create({ shopDomain, type: 'import', mode: 'create', isDryRun: false, totalProducts: 3, idempotencyKey: 'observed-key' });
    await data.jobs.claim(job.jobId);
    await data.jobs.claim(job.jobId).catch(() => undefined);
    await data.jobs.progress(job.jobId, -1).catch(() => undefined);
    await data.jobs.fail(job.jobId, 'secret supplier detail');
    await data.importHistory.list(shopDomain);
    await data.redactShop(shopDomain);
    expect(events.map(({ operation, outcome, error, requests }) => ({ operation, outcome, error, requests }))).toEqual([
      { operation: 'jobs.create', outcome: 'success', error: undefined, requests: 1 },
      // Each event names the call the app made.
      { operation: 'jobs.claim', outcome: 'success', error: undefined, requests: 1 },
      // A lost claim: its failed write, and the read that explains it when the engine does not return the old item.
      { operation: 'jobs.claim', outcome: 'error', error: 'ConflictError', requests: expect.any(Number) as number },
      { operation: 'jobs.progress', outcome: 'error', error: 'InvalidInputError', requests: 0 },
      { operation: 'jobs.fail', outcome: 'success', error: undefined, requests: 1 },
      { operation: 'importHistory.list', outcome: 'success', error: undefined, requests: 1 },
      { operation: 'redactShop', outcome: 'success', error: undefined, requests: expect.any(Number) as number },
    ]);
    expect(events[2]).toMatchObject({ table: 'Jobs-dev', awsErrorCode: 'ConditionalCheckFailedException' });
    expect(events.every((event) => event.durationMs >= 0 && event.table.endsWith('-dev'))).toBe(true);
    const text = JSON.stringify(events);
    for (const value of [shopDomain, job.jobId, 'observed-key', 'secret supplier detail']) expect(text).not.toContain(value);
  });

  test('shops, tokens and redaction report one event per call the app made, with every request of it counted', async () => {
    const events: OperationEvent[] = [];
    const tokenCrypto = new TokenCrypto(rawAesKeyring(randomBytes(32)));
    const data = createDataClient({ doc: local.doc, tables: local.tables, tokenCrypto, observe: (event) => events.push(event) });
    const domain = 'observed-tokens.myshopify.com';
    const later = new Date(Date.now() + 3_600_000);
    const secrets = { accessToken: 'shpat_observed_secret', refreshToken: 'shprt_observed_secret' };
    await data.shops.install({ domain, name: 'Observed', plan: 'free', billingStatus: 'active' }, { ...secrets, accessTokenExpiresAt: later, refreshTokenExpiresAt: later, scopes: ['read_products'] });
    await data.shops.get(domain);
    await data.tokens.fresh(domain, () => Promise.reject(new Error('not due: never called')));
    await data.tokens.read('not a domain').catch(() => undefined);
    const uninstalledAt = new Date();
    await data.shops.uninstall(domain, uninstalledAt);
    await data.shops.uninstall(domain, uninstalledAt);
    await data.redactShop(domain);
    expect(events.map(({ table, operation, outcome, error, requests }) => ({ table, operation, outcome, error, requests }))).toEqual([
      // A grant: the item read, then written.
      { table: 'Shops-dev', operation: 'shops.install', outcome: 'success', error: undefined, requests: 2 },
      { table: 'Shops-dev', operation: 'shops.get', outcome: 'success', error: undefined, requests: 1 },
      { table: 'Shops-dev', operation: 'tokens.fresh', outcome: 'success', error: undefined, requests: 1 },
      { table: 'Shops-dev', operation: 'tokens.read', outcome: 'error', error: 'InvalidInputError', requests: 0 },
      { table: 'Shops-dev', operation: 'shops.uninstall', outcome: 'success', error: undefined, requests: 1 },
      // A repeated webhook: the write's failed condition, then the read that says why.
      { table: 'Shops-dev', operation: 'shops.uninstall', outcome: 'success', error: undefined, requests: 2 },
      // The shop's item read, one Query of its jobs and one of its history, the item deleted.
      { table: 'Shops-dev', operation: 'redactShop', outcome: 'success', error: undefined, requests: 4 },
    ]);
    const text = JSON.stringify(events);
    for (const value of [domain, ...Object.values(secrets)]) expect(text).not.toContain(value);
  });

  test('reports the capacity DynamoDB consumed, asking for it only when there is an observer; an observer that throws fails nothing', async () => {
    const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
    const mock = mockClient(doc).on(PutCommand).resolves({ ConsumedCapacity: { TableName: 'Jobs-dev', CapacityUnits: 3 } });
    const events: OperationEvent[] = [];
    const job = { shopDomain: 'capacity.myshopify.com', type: 'export', mode: 'update', isDryRun: true, totalProducts: 1 } as const;
    await createDataClient({ doc, tables: local.tables, observe: (event) => events.push(event) }).jobs.create(job);
    expect(events).toEqual([expect.objectContaining({ operation: 'jobs.create', consumedCapacity: 3, outcome: 'success' })]);
    expect(mock.commandCalls(PutCommand)[0]!.args[0].input.ReturnConsumedCapacity).toBe('TOTAL');
    mock.resetHistory();
    await createDataClient({ doc, tables: local.tables }).jobs.create(job);
    expect(mock.commandCalls(PutCommand)[0]!.args[0].input).not.toHaveProperty('ReturnConsumedCapacity');
    const failing = createDataClient({ doc, tables: local.tables, observe: () => { throw new Error('metrics pipe closed'); } });
    await expect(failing.jobs.create(job)).resolves.toMatchObject({ status: 'PENDING' });
    mock.restore();
  });

  test('an async observer whose promise rejects fails nothing and leaves no unhandled rejection', async () => {
    const unhandled: unknown[] = [];
    const listener = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', listener);
    try {
      const data = createDataClient({ doc: local.doc, tables: local.tables, observe: async () => Promise.reject(new Error('metrics endpoint down')) });
      await expect(data.jobs.create({ shopDomain: 'async-observer.myshopify.com', type: 'export', mode: 'update', isDryRun: true, totalProducts: 1 })).resolves.toMatchObject({ status: 'PENDING' });
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', listener);
    }
  });

  test('a clock that returns an invalid Date is one error naming the clock, not a TypeError of the SDK', async () => {
    const data = createDataClient({ doc: local.doc, tables: local.tables, now: () => new Date('soon') });
    await expect(data.jobs.create({ shopDomain: 'bad-clock.myshopify.com', type: 'export', mode: 'update', isDryRun: true, totalProducts: 1 })).rejects.toThrow(
      "now on Jobs-dev {}: the client's now() did not return a valid Date of the years 2000 to 9999: pass a clock that returns the current time",
    );
  });
});

test('a raw SDK error of redaction leaves the client as a DataClientError naming table, operation and key, with its code', async () => {
  const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
  const mock = mockClient(doc).on(GetCommand).rejects(Object.assign(new Error('Requested resource not found: secret'), { name: 'ResourceNotFoundException', $metadata: { requestId: 'R1' } }));
  const error = (await createDataClient({ doc, tables: ENV_TABLES }).redactShop('Gone.myshopify.com').catch((caught: unknown) => caught)) as DataClientError;
  expect(error).toBeInstanceOf(DataClientError);
  expect(error.message).toBe('redactShop on Shops-dev {domain: "gone.myshopify.com"}: DynamoDB failed with ResourceNotFoundException, request id R1');
  expect(error.failure).toEqual({ name: 'ResourceNotFoundException', code: 'ResourceNotFoundException', requestId: 'R1' });
  mock.restore();
});
