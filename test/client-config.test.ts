import { ClientConfigError, tableNamesFromEnvironment, tableNamesFromStackOutputs } from '../infra/client/config';
import { randomBytes } from 'node:crypto';
import { ShopsClient, TokenCrypto, TokenStore, createDataClient, rawAesKeyring } from '../infra/client';
import { TABLE_SCHEMAS } from '../infra/schemas';
import { startLocalTables, type LocalTables } from './support/local-tables';

const ENV = { SHOPS_TABLE: 'Shops-dev', JOBS_TABLE: 'Jobs-dev', IMPORT_HISTORY_TABLE: 'ImportHistory-dev' };

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
    expect((await data.tokens.read('facade-shop.myshopify.com')).tokens.accessToken.reveal()).toBe('shpat_facade');
    await data.shops.uninstall('facade-shop.myshopify.com', new Date(Date.now() + 1000));
    expect(await data.redactShop('facade-shop.myshopify.com')).toEqual({ Shops: 1, Jobs: 0, ImportHistory: 0 });
  });
});
