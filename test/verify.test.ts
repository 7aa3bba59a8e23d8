import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type {
  ContinuousBackupsDescription,
  DynamoDBClient,
  TableDescription,
  TimeToLiveDescription,
} from '@aws-sdk/client-dynamodb';
import { tableSchema, TABLE_SCHEMAS } from '../infra/schemas';
import { STAGES } from '../infra/stages';
import { createClients } from '../scripts/lib/clients';
import { startLocalEngine, type LocalEngine } from '../scripts/lib/local-engine';
import { createTables, tablesFromTemplate, type TemplateTable } from '../scripts/lib/template-tables';
import { checkTable, formatResults, type TableObservation } from '../scripts/lib/verify-checks';
import { main } from '../scripts/verify';
import { devTemplate } from './support/dev-template';

/** A recorded prod table: the three describe responses, as DynamoDB documents them. */
interface Recorded {
  DescribeTable: { Table: TableDescription };
  DescribeTimeToLive: { TimeToLiveDescription: TimeToLiveDescription };
  DescribeContinuousBackups: { ContinuousBackupsDescription: ContinuousBackupsDescription };
}

const recorded = (table: string): Recorded =>
  JSON.parse(readFileSync(join(__dirname, 'fixtures', 'verify', `${table}-prod.json`), 'utf8'));

const observe = (responses: Recorded): TableObservation => ({
  table: responses.DescribeTable.Table,
  timeToLive: { answered: responses.DescribeTimeToLive.TimeToLiveDescription },
  continuousBackups: { answered: responses.DescribeContinuousBackups.ContinuousBackupsDescription },
});

describe('comparing recorded prod responses with the schema map and the prod policy', () => {
  test('a prod stage that matches passes all 26 checks', () => {
    const results = TABLE_SCHEMAS.flatMap((schema) => checkTable(schema, 'prod', STAGES.prod, observe(recorded(schema.name))));
    expect(results.filter((result) => result.status !== 'PASS')).toEqual([]);
    expect(formatResults(results).at(-1)).toBe('26 passed, 0 failed, 0 could not be checked on this endpoint.');
    expect(results.find((result) => result.check === 'index shopDomain-createdAt')?.detail).toBe(
      'shopDomain (S) / createdAt (S), INCLUDE isDryRun, mode, processedProducts, status, totalProducts, type, ACTIVE',
    );
  });

  const drifts: Array<[string, 'Shops' | 'Jobs' | 'ImportHistory', (responses: Recorded) => void, string, string]> = [
    ['a sort key of the wrong type', 'ImportHistory', (r) => { r.DescribeTable.Table.AttributeDefinitions![1]!.AttributeType = 'S'; },
      'keys', 'shopDomain (S) / timestamp (S); expected shopDomain (S) / timestamp (N)'],
    ['an index projecting ALL', 'Jobs', (r) => { r.DescribeTable.Table.GlobalSecondaryIndexes![0]!.Projection = { ProjectionType: 'ALL' }; },
      'index shopDomain-createdAt', 'shopDomain (S) / createdAt (S), ALL, ACTIVE; expected shopDomain (S) / createdAt (S), INCLUDE isDryRun, mode, processedProducts, status, totalProducts, type, ACTIVE'],
    ['a missing index', 'Jobs', (r) => { r.DescribeTable.Table.GlobalSecondaryIndexes!.pop(); },
      'indexes', 'shopDomain-createdAt; expected shopDomain-createdAt, status-createdAt'],
    ['provisioned billing', 'Shops', (r) => { delete r.DescribeTable.Table.BillingModeSummary; },
      'billing', 'PROVISIONED; expected PAY_PER_REQUEST'],
    ['TTL switched off', 'Jobs', (r) => { r.DescribeTimeToLive.TimeToLiveDescription = { TimeToLiveStatus: 'DISABLED' }; },
      'ttl', 'DISABLED; expected ENABLED on expiresAt'],
    ['TTL on the wrong attribute', 'ImportHistory', (r) => { r.DescribeTimeToLive.TimeToLiveDescription.AttributeName = 'ttl'; },
      'ttl', 'ENABLED on ttl; expected ENABLED on expiresAt'],
    ['PITR off', 'Shops', (r) => { r.DescribeContinuousBackups.ContinuousBackupsDescription.PointInTimeRecoveryDescription = { PointInTimeRecoveryStatus: 'DISABLED' }; },
      'point-in-time recovery', 'DISABLED; expected ENABLED, 35 days'],
    ['a 7-day PITR window in prod', 'Jobs', (r) => { r.DescribeContinuousBackups.ContinuousBackupsDescription.PointInTimeRecoveryDescription!.RecoveryPeriodInDays = 7; },
      'point-in-time recovery', 'ENABLED, 7 days; expected ENABLED, 35 days'],
    ['encryption with an AWS owned key', 'Shops', (r) => { delete r.DescribeTable.Table.SSEDescription; },
      'encryption', 'AWS owned key; expected ENABLED KMS <key ARN>'],
    ['deletion protection off in prod', 'ImportHistory', (r) => { r.DescribeTable.Table.DeletionProtectionEnabled = false; },
      'deletion protection', 'off; expected on'],
  ];

  test.each(drifts)('%s on %s fails that one check', (_, table, drift, check, detail) => {
    const responses = recorded(table);
    drift(responses);
    const failures = checkTable(tableSchema(table), 'prod', STAGES.prod, observe(responses)).filter((result) => result.status !== 'PASS');
    expect(failures).toEqual([{ table: `${table}-prod`, check, status: 'FAIL', detail }]);
  });

  test('an API the endpoint lacks makes its check UNSUPPORTED, neither passed nor failed', () => {
    const observation = { ...observe(recorded('Jobs')), continuousBackups: { unsupported: 'this endpoint has no DescribeContinuousBackups API' } };
    expect(checkTable(tableSchema('Jobs'), 'prod', STAGES.prod, observation).filter((result) => result.status !== 'PASS')).toEqual([
      { table: 'Jobs-prod', check: 'point-in-time recovery', status: 'UNSUPPORTED', detail: 'this endpoint has no DescribeContinuousBackups API' },
    ]);
  });

  test('the dev policy expects deletion protection off and a 7-day PITR window', () => {
    const responses = recorded('Shops');
    responses.DescribeTable.Table.TableName = 'Shops-dev';
    const results = checkTable(tableSchema('Shops'), 'dev', STAGES.dev, observe(responses));
    expect(results.filter((result) => result.status === 'FAIL').map(({ check, detail }) => [check, detail])).toEqual([
      ['point-in-time recovery', 'ENABLED, 35 days; expected ENABLED, 7 days'],
      ['deletion protection', 'on; expected off'],
    ]);
  });
});

describe('npm run verify against dynalite', () => {
  let engine: LocalEngine;
  let client: DynamoDBClient;
  let devTables: TemplateTable[];
  beforeAll(async () => {
    engine = await startLocalEngine({ port: 0 });
    ({ client } = createClients({ region: 'us-east-1', endpoint: engine.endpoint, local: true }));
    devTables = tablesFromTemplate(devTemplate());
    await createTables(client, devTables);
  });
  afterAll(async () => {
    client.destroy();
    await engine.close();
  });

  async function verify(argv: string[]) {
    const lines: string[] = [];
    const code = await main(argv, (line) => lines.push(line));
    return { code, lines };
  }

  test('tables made from the dev template pass what dynalite can answer; TTL, PITR, SSE and deletion protection are UNSUPPORTED', async () => {
    const { code, lines } = await verify(['--stage', 'dev', '--endpoint', engine.endpoint]);
    expect(code).toBe(0);
    expect(lines.at(-1)).toBe('14 passed, 0 failed, 12 could not be checked on this endpoint.');
    const jobs = lines.filter((line) => line.includes('Jobs-dev')).map((line) => line.replace(/\s+/g, ' '));
    expect(jobs).toEqual([
      'PASS Jobs-dev table ACTIVE',
      'PASS Jobs-dev keys jobId (S)',
      'PASS Jobs-dev indexes shopDomain-createdAt, status-createdAt',
      'PASS Jobs-dev index shopDomain-createdAt shopDomain (S) / createdAt (S), INCLUDE isDryRun, mode, processedProducts, status, totalProducts, type, ACTIVE',
      'PASS Jobs-dev index status-createdAt status (S) / createdAt (S), KEYS_ONLY, ACTIVE',
      'PASS Jobs-dev billing PAY_PER_REQUEST',
      'UNSUPPORTED Jobs-dev ttl this endpoint has no UpdateTimeToLive API, so its TTL status (always DISABLED) says nothing',
      'UNSUPPORTED Jobs-dev point-in-time recovery this endpoint has no DescribeContinuousBackups API',
      'UNSUPPORTED Jobs-dev encryption this endpoint does not report table settings (no DeletionProtectionEnabled, no SSEDescription)',
      'UNSUPPORTED Jobs-dev deletion protection this endpoint does not report DeletionProtectionEnabled',
    ]);
  });

  test('a drifted index and missing tables fail the run with exit code 1', async () => {
    const jobs = devTables.find((table) => table.createTable.TableName === 'Jobs-dev')!.createTable;
    const drifted = {
      ...jobs,
      TableName: 'Jobs-staging',
      GlobalSecondaryIndexes: jobs.GlobalSecondaryIndexes!.map((index) => ({ ...index, Projection: { ProjectionType: 'ALL' as const } })),
    };
    await createTables(client, [{ createTable: drifted }]);
    const { code, lines } = await verify(['--stage', 'staging', '--endpoint', engine.endpoint]);
    expect(code).toBe(1);
    const failures = lines.filter((line) => line.startsWith('FAIL')).map((line) => line.replace(/\s+/g, ' '));
    expect(failures).toEqual([
      'FAIL Shops-staging table not found; expected the table to exist',
      'FAIL Jobs-staging index shopDomain-createdAt shopDomain (S) / createdAt (S), ALL, ACTIVE; expected shopDomain (S) / createdAt (S), INCLUDE isDryRun, mode, processedProducts, status, totalProducts, type, ACTIVE',
      'FAIL Jobs-staging index status-createdAt status (S) / createdAt (S), ALL, ACTIVE; expected status (S) / createdAt (S), KEYS_ONLY, ACTIVE',
      'FAIL ImportHistory-staging table not found; expected the table to exist',
    ]);
  });

  test('a missing or unknown stage is refused with one line that names the valid stages', async () => {
    await expect(verify(['--endpoint', engine.endpoint])).rejects.toThrow('--stage is required; one of dev, staging, prod.');
    await expect(verify(['--stage', 'qa'])).rejects.toThrow('Unknown stage "qa"; valid stages: dev, staging, prod.');
    // Names every object has are not stages either.
    await expect(verify(['--stage', 'toString'])).rejects.toThrow('Unknown stage "toString"; valid stages: dev, staging, prod.');
  });
});
