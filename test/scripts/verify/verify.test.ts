// One file: verify's tests, on recorded prod answers, on dynalite and on the signing of an --endpoint, share the recorded answers and the check lists.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DescribeContinuousBackupsCommand, DescribeTableCommand, DescribeTimeToLiveCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DescribeKeyCommand, KMSClient, type DescribeKeyCommandOutput } from '@aws-sdk/client-kms';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import type { TableSchema } from '../../../infra/data/schema-model';
import { tableSchema, TABLE_SCHEMAS } from '../../../infra/data/schemas';
import { STAGES } from '../../../infra/data/stages';
import { createClients } from '../../../scripts/shared/clients';
import { startLocalEngine, type LocalEngine } from '../../../scripts/shared/local-engine';
import { createTables, tablesFromTemplate, type TemplateTable } from '../../../scripts/shared/template-tables';
import { checkTable, formatResults, type TableObservation } from '../../../scripts/verify/checks';
import { endpointTarget, main } from '../../../scripts/verify/main';
import { recordedProd as recorded, type Recorded } from '../../fixtures/verify/recorded';
import { devTemplate } from '../../support/dev-template';

/** KMS DescribeKey of the prod key's alias, recorded the same way. */
const describeKey = (): DescribeKeyCommandOutput =>
  JSON.parse(readFileSync(join(__dirname, '..', '..', 'fixtures', 'verify', 'DescribeKey-prod.json'), 'utf8'));

const observe = (responses: Recorded, stageKeyArn: TableObservation['stageKeyArn'] = { answered: describeKey().KeyMetadata!.Arn }): TableObservation => ({
  table: responses.DescribeTable.Table,
  timeToLive: { answered: responses.DescribeTimeToLive.TimeToLiveDescription },
  continuousBackups: { answered: responses.DescribeContinuousBackups.ContinuousBackupsDescription },
  stageKeyArn,
});

const PROD_KEY = 'arn:aws:kms:us-east-1:123456789012:key/1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d';
const OTHER_KEY = 'arn:aws:kms:us-east-1:123456789012:key/9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a';

/** Checks every table gets: table, keys, indexes, billing, ttl, point-in-time recovery, encryption, deletion protection. */
const TABLE_CHECKS = 8;
/** Checks a whole stage gets: the table checks on each table, plus one per index. */
const STAGE_CHECKS = TABLE_SCHEMAS.length * TABLE_CHECKS + TABLE_SCHEMAS.reduce((sum, schema) => sum + schema.indexes.length, 0);
const withTtl = (TABLE_SCHEMAS as readonly TableSchema[]).filter((schema) => schema.ttl).length;
/** The Jobs index names, sorted as verify lists them. */
const jobsIndexes = tableSchema('Jobs').indexes.map((index) => index.name).sort();

describe('comparing recorded prod responses with the schema map and the prod policy', () => {
  test('a prod stage that matches passes every check: the table checks on each table and one per index', () => {
    const results = TABLE_SCHEMAS.flatMap((schema) => checkTable(schema, 'prod', STAGES.prod, observe(recorded(schema.name))));
    expect(results.filter((result) => result.status !== 'PASS')).toEqual([]);
    expect(formatResults(results).at(-1)).toBe(`${STAGE_CHECKS} passed, 0 failed, 0 could not be checked on this endpoint.`);
    expect(results.find((result) => result.check === 'index shopDomain-createdAt')?.detail).toBe(
      'shopDomain (S) / createdAt (S), INCLUDE isDryRun, mode, processedProducts, status, totalProducts, type, ACTIVE',
    );
  });

  const drifts: Array<[string, 'Shops' | 'Jobs' | 'ImportHistory', (responses: Recorded) => void, string, string]> = [
    ['a sort key of the wrong type', 'ImportHistory', (r) => { r.DescribeTable.Table.AttributeDefinitions![1]!.AttributeType = 'S'; },
      'keys', 'shopDomain (S) / timestamp (S); expected shopDomain (S) / timestamp (N)'],
    ['an index projecting ALL', 'Jobs', (r) => { r.DescribeTable.Table.GlobalSecondaryIndexes![0]!.Projection = { ProjectionType: 'ALL' }; },
      'index shopDomain-createdAt', 'shopDomain (S) / createdAt (S), ALL, ACTIVE; expected shopDomain (S) / createdAt (S), INCLUDE isDryRun, mode, processedProducts, status, totalProducts, type, ACTIVE'],
    ['a missing index', 'Jobs', (r) => { r.DescribeTable.Table.GlobalSecondaryIndexes = r.DescribeTable.Table.GlobalSecondaryIndexes!.filter((index) => index.IndexName !== 'status-createdAt'); },
      'indexes', `${jobsIndexes.filter((name) => name !== 'status-createdAt').join(', ')}; expected ${jobsIndexes.join(', ')}`],
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
      'encryption', `AWS owned key; expected ENABLED KMS ${PROD_KEY} (alias/inavor-shuttle/prod/data)`],
    ['encryption with a KMS key that is not the stage key', 'Jobs', (r) => { r.DescribeTable.Table.SSEDescription!.KMSMasterKeyArn = OTHER_KEY; },
      'encryption', `ENABLED KMS ${OTHER_KEY}; expected ENABLED KMS ${PROD_KEY} (alias/inavor-shuttle/prod/data)`],
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

  test('without the stage key alias, encryption fails even with a KMS key', () => {
    const failures = checkTable(tableSchema('Shops'), 'prod', STAGES.prod, observe(recorded('Shops'), { answered: undefined })).filter(
      (result) => result.status !== 'PASS',
    );
    expect(failures).toEqual([
      {
        table: 'Shops-prod',
        check: 'encryption',
        status: 'FAIL',
        detail: `ENABLED KMS ${PROD_KEY}; expected ENABLED KMS with the stage key alias/inavor-shuttle/prod/data, which does not exist`,
      },
    ]);
  });

  test('where the stage key cannot be looked up, a KMS-encrypted table is UNSUPPORTED and an AWS owned key still fails', () => {
    const noKms = { unsupported: 'a local endpoint has no KMS to look the alias up in' };
    const [kmsEncrypted] = checkTable(tableSchema('Jobs'), 'prod', STAGES.prod, observe(recorded('Jobs'), noKms)).filter((result) => result.status !== 'PASS');
    expect(kmsEncrypted).toEqual({
      table: 'Jobs-prod',
      check: 'encryption',
      status: 'UNSUPPORTED',
      detail: `ENABLED KMS ${PROD_KEY}; whether it is the stage key alias/inavor-shuttle/prod/data is unknown: a local endpoint has no KMS to look the alias up in`,
    });
    const ownedKey = recorded('Jobs');
    delete ownedKey.DescribeTable.Table.SSEDescription;
    expect(checkTable(tableSchema('Jobs'), 'prod', STAGES.prod, observe(ownedKey, noKms)).find((result) => result.check === 'encryption')).toMatchObject({
      status: 'FAIL',
      detail: 'AWS owned key; expected ENABLED KMS with the stage key alias/inavor-shuttle/prod/data',
    });
  });

  test('TTL switched on for a table the map gives no TTL fails; its DISABLED passes', () => {
    // Shops as the map would have it without a TTL, whether or not it has one today.
    const { ttl: _ttl, ...shops }: TableSchema = tableSchema('Shops');
    const responses = recorded('Shops');
    responses.DescribeTimeToLive.TimeToLiveDescription = { TimeToLiveStatus: 'DISABLED' };
    expect(checkTable(shops, 'prod', STAGES.prod, observe(responses)).find((result) => result.check === 'ttl')).toMatchObject({
      status: 'PASS',
      detail: 'DISABLED',
    });
    responses.DescribeTimeToLive.TimeToLiveDescription = { TimeToLiveStatus: 'ENABLED', AttributeName: 'expiresAt' };
    expect(checkTable(shops, 'prod', STAGES.prod, observe(responses)).find((result) => result.check === 'ttl')).toMatchObject({
      status: 'FAIL',
      detail: 'ENABLED on expiresAt; expected DISABLED',
    });
    // Disabled again, it still names the attribute it had (moto does): it deletes nothing, so it passes.
    responses.DescribeTimeToLive.TimeToLiveDescription = { TimeToLiveStatus: 'DISABLED', AttributeName: 'expiresAt' };
    expect(checkTable(shops, 'prod', STAGES.prod, observe(responses)).find((result) => result.check === 'ttl')).toMatchObject({
      status: 'PASS',
      detail: 'DISABLED',
    });
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
    // Per table, PITR, encryption and deletion protection cannot be checked here, nor TTL where the map declares one.
    const unsupported = TABLE_SCHEMAS.length * 3 + withTtl;
    expect(lines.at(-1)).toBe(`${STAGE_CHECKS - unsupported} passed, 0 failed, ${unsupported} could not be checked on this endpoint.`);
    const ttlLines = lines.filter((line) => / ttl /.test(line)).map((line) => line.replace(/\s+/g, ' '));
    for (const schema of TABLE_SCHEMAS as readonly TableSchema[]) {
      expect(ttlLines).toContainEqual(
        schema.ttl
          ? `UNSUPPORTED ${schema.name}-dev ttl this endpoint has no UpdateTimeToLive API, so its TTL status (always DISABLED) says nothing`
          : `PASS ${schema.name}-dev ttl DISABLED`,
      );
    }
    const jobs = lines.filter((line) => line.includes('Jobs-dev')).map((line) => line.replace(/\s+/g, ' '));
    expect(jobs).toHaveLength(TABLE_CHECKS + jobsIndexes.length);
    expect(jobs).toEqual(expect.arrayContaining([
      'PASS Jobs-dev table ACTIVE',
      'PASS Jobs-dev keys jobId (S)',
      `PASS Jobs-dev indexes ${jobsIndexes.join(', ')}`,
      'PASS Jobs-dev index shopDomain-createdAt shopDomain (S) / createdAt (S), INCLUDE isDryRun, mode, processedProducts, status, totalProducts, type, ACTIVE',
      'PASS Jobs-dev index status-createdAt status (S) / createdAt (S), KEYS_ONLY, ACTIVE',
      'PASS Jobs-dev billing PAY_PER_REQUEST',
      'UNSUPPORTED Jobs-dev ttl this endpoint has no UpdateTimeToLive API, so its TTL status (always DISABLED) says nothing',
      'UNSUPPORTED Jobs-dev point-in-time recovery this endpoint has no DescribeContinuousBackups API',
      'UNSUPPORTED Jobs-dev encryption this endpoint does not report table settings (no DeletionProtectionEnabled, no SSEDescription)',
      'UNSUPPORTED Jobs-dev deletion protection this endpoint does not report DeletionProtectionEnabled',
    ]));
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
    // One failure per missing table (all but Jobs) and one per Jobs index that did not already project ALL.
    const redrawn = (tableSchema('Jobs') as TableSchema).indexes.filter((index) => index.projection.type !== 'ALL');
    expect(failures).toHaveLength(TABLE_SCHEMAS.length - 1 + redrawn.length);
    expect(failures).toEqual(expect.arrayContaining([
      'FAIL Shops-staging table not found; expected the table to exist',
      'FAIL Jobs-staging index shopDomain-createdAt shopDomain (S) / createdAt (S), ALL, ACTIVE; expected shopDomain (S) / createdAt (S), INCLUDE isDryRun, mode, processedProducts, status, totalProducts, type, ACTIVE',
      'FAIL Jobs-staging index status-createdAt status (S) / createdAt (S), ALL, ACTIVE; expected status (S) / createdAt (S), KEYS_ONLY, ACTIVE',
      'FAIL ImportHistory-staging table not found; expected the table to exist',
    ]));
  });

  test('a missing or unknown stage is refused with one line that names the valid stages', async () => {
    await expect(verify(['--endpoint', engine.endpoint])).rejects.toThrow('--stage is required; one of dev, staging, prod.');
    await expect(verify(['--stage', 'qa'])).rejects.toThrow('Unknown stage "qa"; valid stages: dev, staging, prod.');
    // Names every object has are not stages either.
    await expect(verify(['--stage', 'toString'])).rejects.toThrow('Unknown stage "toString"; valid stages: dev, staging, prod.');
  });
});

describe('npm run verify against AWS, answered with the recorded prod responses', () => {
  // Mocked only here: mockClient replaces send on every client of the class.
  let dynamodb: AwsClientStub<DynamoDBClient>;
  let kms: AwsClientStub<KMSClient>;
  let cloudformation: AwsClientStub<CloudFormationClient>;
  /** The prod stack as CloudFormation describes it: its DataKeyArn output names the key it created. */
  const stackWithKey = (keyArn: string) => ({
    Stacks: [{ StackName: 'InavorShuttleData-prod', StackStatus: 'UPDATE_COMPLETE' as const, CreationTime: new Date('2026-11-01T00:00:00Z'), Outputs: [{ OutputKey: 'DataKeyArn', OutputValue: keyArn }] }],
  });
  beforeAll(() => {
    dynamodb = mockClient(DynamoDBClient);
    kms = mockClient(KMSClient);
    cloudformation = mockClient(CloudFormationClient);
  });
  beforeEach(() => {
    cloudformation.on(DescribeStacksCommand, { StackName: 'InavorShuttleData-prod' }).resolves(stackWithKey(PROD_KEY));
    for (const schema of TABLE_SCHEMAS) {
      const responses = recorded(schema.name);
      const TableName = `${schema.name}-prod`;
      dynamodb.on(DescribeTableCommand, { TableName }).resolves(responses.DescribeTable);
      dynamodb.on(DescribeTimeToLiveCommand, { TableName }).resolves(responses.DescribeTimeToLive);
      dynamodb.on(DescribeContinuousBackupsCommand, { TableName }).resolves(responses.DescribeContinuousBackups);
    }
  });
  afterEach(() => {
    dynamodb.reset();
    kms.reset();
    cloudformation.reset();
  });
  afterAll(() => {
    dynamodb.restore();
    kms.restore();
    cloudformation.restore();
  });

  async function verifyProd() {
    const lines: string[] = [];
    const code = await main(['--stage', 'prod'], (line) => lines.push(line));
    const linesOf = (pattern: RegExp) => lines.filter((line) => pattern.test(line)).map((line) => line.replace(/\s+/g, ' '));
    return { code, encryption: linesOf(/ encryption /), alias: linesOf(/ target /), summary: lines.at(-1) };
  }
  const withKey = (arn: string) => {
    const answer = describeKey();
    answer.KeyMetadata!.Arn = arn;
    return answer;
  };

  test('asks KMS for the key behind the stage alias, checks it is the key the stack created, and passes tables encrypted with it', async () => {
    kms.on(DescribeKeyCommand, { KeyId: 'alias/inavor-shuttle/prod/data' }).resolves(describeKey());
    const { code, encryption, alias, summary } = await verifyProd();
    expect(code).toBe(0);
    expect(alias).toEqual([`PASS alias/inavor-shuttle/prod/data target the key the stack created, ${PROD_KEY}`]);
    expect(encryption).toEqual(
      TABLE_SCHEMAS.map((schema) => `PASS ${schema.name}-prod encryption ENABLED KMS ${PROD_KEY} (alias/inavor-shuttle/prod/data)`),
    );
    expect(summary).toBe(`${STAGE_CHECKS + 1} passed, 0 failed, 0 could not be checked on this endpoint.`);
  });

  test('fails the alias, and checks the tables against the key the stack created, when the alias was moved to another key', async () => {
    kms.on(DescribeKeyCommand, { KeyId: 'alias/inavor-shuttle/prod/data' }).resolves(withKey(OTHER_KEY));
    const { code, encryption, alias } = await verifyProd();
    expect(code).toBe(1);
    expect(alias).toEqual([
      `FAIL alias/inavor-shuttle/prod/data target alias/inavor-shuttle/prod/data points at ${OTHER_KEY}, not at the key the stack InavorShuttleData-prod created (${PROD_KEY}): someone moved it; expected the key the stack created`,
    ]);
    expect(encryption).toEqual(TABLE_SCHEMAS.map((schema) => `PASS ${schema.name}-prod encryption ENABLED KMS ${PROD_KEY} (alias/inavor-shuttle/prod/data)`));
  });

  test('fails every table, and the alias, when the tables use another key than the stack created and the alias was moved to it', async () => {
    kms.on(DescribeKeyCommand, { KeyId: 'alias/inavor-shuttle/prod/data' }).resolves(withKey(OTHER_KEY));
    cloudformation.on(DescribeStacksCommand, { StackName: 'InavorShuttleData-prod' }).resolves(stackWithKey(OTHER_KEY.replace('9f8e', '0000')));
    const { code, encryption, alias } = await verifyProd();
    expect(code).toBe(1);
    expect(alias).toHaveLength(1);
    expect(alias[0]).toMatch(/^FAIL /);
    expect(encryption.every((line) => line.startsWith('FAIL '))).toBe(true);
  });

  test('fails the alias when the stage\'s stack does not exist', async () => {
    kms.on(DescribeKeyCommand, { KeyId: 'alias/inavor-shuttle/prod/data' }).resolves(describeKey());
    cloudformation.on(DescribeStacksCommand).rejects(Object.assign(new Error('Stack with id InavorShuttleData-prod does not exist'), { name: 'ValidationError' }));
    const { code, alias } = await verifyProd();
    expect(code).toBe(1);
    expect(alias).toEqual([
      'FAIL alias/inavor-shuttle/prod/data target alias/inavor-shuttle/prod/data cannot be checked against the key the stack created: the stack InavorShuttleData-prod does not exist; expected the key the stack created',
    ]);
  });

  test('strings the endpoint answers are printed escaped: no terminal escape or line break forges a line', async () => {
    const forged = `ACTIVE\nPASS         Jobs-prod  deletion protection  on\r\u001b[2K\u202e`;
    const jobs = recorded('Jobs');
    jobs.DescribeTable.Table.TableStatus = forged as 'ACTIVE';
    jobs.DescribeTable.Table.GlobalSecondaryIndexes![0]!.IndexName = '\u001b]8;;https://example.com\u0007index\u001b]8;;\u0007';
    dynamodb.on(DescribeTableCommand, { TableName: 'Jobs-prod' }).resolves(jobs.DescribeTable);
    kms.on(DescribeKeyCommand, { KeyId: 'alias/inavor-shuttle/prod/data' }).resolves(describeKey());
    const lines: string[] = [];
    expect(await main(['--stage', 'prod'], (line) => lines.push(line))).toBe(1);
    // The heading, one line per check and the tally: nothing split, nothing that acts on the terminal.
    expect(lines.slice(1, -1).filter((line) => !/^(PASS|FAIL|UNSUPPORTED) +\S+ +\S/.test(line))).toEqual([]);
    expect(lines.filter((line) => /[\u0000-\u001f\u007f-\u009f\u202e]/.test(line))).toEqual([]);
    expect(lines.find((line) => / Jobs-prod +table /.test(line))).toMatch(
      /^FAIL +Jobs-prod +table +ACTIVE\\x0aPASS {9}Jobs-prod  deletion protection  on\\x0d\\x1b\[2K\\u202e; expected ACTIVE$/,
    );
    expect(lines.find((line) => / Jobs-prod +indexes /.test(line))).toContain('\\x1b]8;;https://example.com\\x07index\\x1b]8;;\\x07');
  });
});

describe('the credentials verify and restore sign with at an --endpoint', () => {
  const saved = { ...process.env };
  afterEach(() => {
    for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_PROFILE']) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
  });

  test("the environment's, wherever the endpoint is, when it has them", () => {
    process.env.AWS_ACCESS_KEY_ID = 'AKIAEXAMPLE';
    expect(endpointTarget('us-east-1', 'http://127.0.0.1:5000').local).toBe(false);
    expect(endpointTarget('us-east-1', 'https://dynamodb.example.com').local).toBe(false);
  });

  test("the local engine's fixed ones only on a loopback endpoint, when the environment has none", () => {
    delete process.env.AWS_ACCESS_KEY_ID;
    delete process.env.AWS_PROFILE;
    expect(endpointTarget('us-east-1', 'http://127.0.0.1:8000').local).toBe(true);
    expect(endpointTarget('us-east-1', 'http://localhost:8000').local).toBe(true);
    expect(endpointTarget('us-east-1', 'https://dynamodb.example.com').local).toBe(false);
    expect(endpointTarget('us-east-1', undefined).local).toBe(false);
  });
});
