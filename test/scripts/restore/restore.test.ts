// One file: restore's dry runs, refusals and executions share the answers of a healthy stage and the list of calls that change something.
import {
  DeleteTableCommand,
  DescribeBackupCommand,
  DescribeContinuousBackupsCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  ResourceNotFoundException,
  RestoreTableToPointInTimeCommand,
  TagResourceCommand,
  UpdateContinuousBackupsCommand,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
  type TableDescription,
} from '@aws-sdk/client-dynamodb';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DescribeKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import type { TableSchema } from '../../../infra/data/schema-model';
import { TABLE_SCHEMAS } from '../../../infra/data/schemas';
import { ConfigError } from '../../../infra/data/config-error';
import { STAGES, STAGE_NAMES, physicalTableName } from '../../../infra/data/stages';
import { main } from '../../../scripts/restore/main';
import { recordedProd } from '../../fixtures/verify/recorded';

const dynamodb = mockClient(DynamoDBClient);
const kms = mockClient(KMSClient);
const cloudformation = mockClient(CloudFormationClient);

const NOW = new Date('2026-11-28T12:00:00.000Z');
const STAMP = '20261128T120000Z';
const ACCOUNT = '123456789012';
/** prod's region, as infra/data/stages.ts sets it, and a region that is not it. */
const REGION: string = STAGES.prod.region;
const OTHER_REGION = REGION === 'eu-west-1' ? 'us-east-1' : 'eu-west-1';
/** prod's tags, which a restore re-applies, as infra/data/stages.ts sets them. */
const PROD_TAGS = Object.entries(STAGES.prod.tags).map(([Key, Value]) => ({ Key, Value }));
const KEY_ARN = `arn:aws:kms:${REGION}:${ACCOUNT}:key/1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d`;
const DAY = 24 * 60 * 60 * 1000;
/** The calls that change something; a dry run or a refused request must send none of them. */
const MUTATING = ['RestoreTableToPointInTime', 'RestoreTableFromBackup', 'UpdateTimeToLive', 'UpdateContinuousBackups', 'UpdateTable', 'TagResource', 'DeleteTable'];

const notFound = (table: string) => new ResourceNotFoundException({ message: `Requested resource not found: Table: ${table} not found`, $metadata: {} });

/** Read-only answers of a healthy stage: the key exists, no table is there yet, PITR spans the stage's window. */
function mockHealthyStage(pitrDays = 35): void {
  dynamodb.reset();
  kms.reset();
  cloudformation.reset();
  kms.on(DescribeKeyCommand).resolves({
    KeyMetadata: { KeyId: '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d', Arn: KEY_ARN, KeyState: 'Enabled', Enabled: true, KeyManager: 'CUSTOMER' },
  });
  // The stack that created the key names it in its outputs, whatever the stage.
  cloudformation.on(DescribeStacksCommand).callsFake(({ StackName }) =>
    Promise.resolve({ Stacks: [{ StackName, StackStatus: 'UPDATE_COMPLETE', CreationTime: NOW, Outputs: [{ OutputKey: 'DataKeyArn', OutputValue: KEY_ARN }] }] }),
  );
  dynamodb.on(DescribeTableCommand).callsFake(({ TableName }) => Promise.reject(notFound(TableName)));
  dynamodb.on(DescribeContinuousBackupsCommand).resolves({
    ContinuousBackupsDescription: {
      ContinuousBackupsStatus: 'ENABLED',
      PointInTimeRecoveryDescription: {
        PointInTimeRecoveryStatus: 'ENABLED',
        RecoveryPeriodInDays: pitrDays,
        EarliestRestorableDateTime: new Date(NOW.getTime() - pitrDays * DAY),
        LatestRestorableDateTime: new Date(NOW.getTime() - 5 * 60 * 1000),
      },
    },
  });
  dynamodb.on(DescribeBackupCommand).resolves({
    BackupDescription: {
      BackupDetails: { BackupArn: 'arn', BackupName: 'b', BackupStatus: 'AVAILABLE', BackupType: 'USER', BackupCreationDateTime: NOW },
    },
  });
}

async function run(args: string[]): Promise<{ code: number; lines: string[] }> {
  const lines: string[] = [];
  // A clock that a wait moves on: polls and --max-wait run in no real time.
  let elapsed = 0;
  const clock = { now: () => elapsed, sleep: async (ms: number) => void (elapsed += ms) };
  const code = await main(args, (line) => lines.push(line), () => NOW, undefined, clock);
  return { code, lines };
}

const sentNames = () => [...dynamodb.calls(), ...kms.calls()].map((call) => (call.args[0] as object).constructor.name.replace(/Command$/, ''));

describe('the dry run of every table of every stage', () => {
  const cases = STAGE_NAMES.flatMap((stage) => (TABLE_SCHEMAS as readonly TableSchema[]).map((schema) => ({ stage, table: schema.name, schema })));

  test.each(cases)('$table in $stage: plans the restore with the stage key and lists TTL, PITR, deletion protection and tags to re-apply', async ({ stage, table, schema }) => {
    const policy = STAGES[stage];
    mockHealthyStage(policy.pitrRecoveryPeriodDays);
    const { code, lines } = await run(['--stage', stage, '--table', table, '--latest']);
    expect(code).toBe(0);
    const source = physicalTableName(table, stage);
    const target = `${source}-restored-${STAMP}`;
    const text = lines.join('\n');
    expect(lines).toContain(`  target: ${target} (a new table; it does not exist)`);
    expect(lines).toContain(`  key:    alias/inavor-shuttle/${stage}/data = ${KEY_ARN}`);
    expect(lines).toContain(
      `1. restore: RestoreTableToPointInTime ${JSON.stringify({
        SourceTableName: source,
        TargetTableName: target,
        UseLatestRestorableTime: true,
        BillingModeOverride: 'PAY_PER_REQUEST',
        SSESpecificationOverride: { Enabled: true, SSEType: 'KMS', KMSMasterKeyId: KEY_ARN },
      })}`,
    );
    if (schema.ttl) {
      expect(text).toContain(
        `TTL on ${schema.ttl.attribute}: UpdateTimeToLive ${JSON.stringify({ TableName: target, TimeToLiveSpecification: { Enabled: true, AttributeName: schema.ttl.attribute } })}`,
      );
    } else {
      expect(text).not.toContain('UpdateTimeToLive');
    }
    expect(text).toContain(
      `PITR, ${policy.pitrRecoveryPeriodDays} days: UpdateContinuousBackups ${JSON.stringify({
        TableName: target,
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true, RecoveryPeriodInDays: policy.pitrRecoveryPeriodDays },
      })}`,
    );
    expect(text).toContain(
      policy.protectData
        ? `deletion protection: UpdateTable ${JSON.stringify({ TableName: target, DeletionProtectionEnabled: true })}`
        : `deletion protection: no call; off in ${stage}, which does not protect its data`,
    );
    expect(text).toContain(
      `tags: TagResource ${JSON.stringify({
        ResourceArn: `arn:aws:dynamodb:${policy.region}:${ACCOUNT}:table/${target}`,
        Tags: Object.entries(policy.tags).map(([Key, Value]) => ({ Key, Value })),
      })}`,
    );
    for (const setting of ['alarms', 'IAM policies', 'backup-plan selection', 'stack ownership']) {
      expect(lines.some((line) => line.startsWith(`-  ${setting}: `))).toBe(true);
    }
    expect(lines.at(-1)).toBe('Nothing was changed. Run again with --execute to restore.');
    expect(sentNames().filter((name) => MUTATING.includes(name))).toEqual([]);
  });

  test('a backup restore plans RestoreTableFromBackup with the stage key, after DescribeBackup finds it AVAILABLE', async () => {
    mockHealthyStage();
    const arn = `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/Shops-prod/backup/01764320400000-a1b2c3d4`;
    const { code, lines } = await run(['--stage', 'prod', '--table', 'Shops', '--backup-arn', arn]);
    expect(code).toBe(0);
    expect(lines).toContain(
      `1. restore: RestoreTableFromBackup ${JSON.stringify({
        TargetTableName: `Shops-prod-restored-${STAMP}`,
        BackupArn: arn,
        BillingModeOverride: 'PAY_PER_REQUEST',
        SSESpecificationOverride: { Enabled: true, SSEType: 'KMS', KMSMasterKeyId: KEY_ARN },
      })}`,
    );
    expect(sentNames()).toEqual(['DescribeTable', 'DescribeBackup', 'DescribeKey']);
  });
});

describe('bad input gets one line before any call', () => {
  const recoveryPoint = `arn:aws:backup:${REGION}:${ACCOUNT}:recovery-point:8f1b2c3d-0000-4a5b-9c8d-7e6f5a4b3c2d`;
  const cases: Array<[string, string[], string]> = [
    ['an unknown stage', ['--stage', 'qa', '--table', 'Jobs', '--latest'], 'Unknown stage "qa"; valid stages: dev, staging, prod.'],
    ['an unknown table', ['--stage', 'prod', '--table', 'Orders', '--latest'], 'Unknown table "Orders"; tables: Shops, Jobs, ImportHistory.'],
    ['no source', ['--stage', 'prod', '--table', 'Jobs'], 'Say what to restore from: --to <ISO time>, --latest or --backup-arn <arn>.'],
    ['two sources', ['--stage', 'prod', '--table', 'Jobs', '--latest', '--to', '2026-11-27T09:30:00Z'], '--to and --latest conflict; give exactly one of --to, --latest and --backup-arn.'],
    ['a malformed time', ['--stage', 'prod', '--table', 'Jobs', '--to', '2026-11-27 09:30'], '--to "2026-11-27 09:30" is not an ISO 8601 time with a zone, e.g. 2026-11-27T09:30:00Z.'],
    ['a time without a zone', ['--stage', 'prod', '--table', 'Jobs', '--to', '2026-11-27T09:30:00'], '--to "2026-11-27T09:30:00" is not an ISO 8601 time with a zone, e.g. 2026-11-27T09:30:00Z.'],
    ['a day that does not exist', ['--stage', 'prod', '--table', 'Jobs', '--to', '2026-02-30T09:30:00Z'], '--to "2026-02-30T09:30:00Z" is not an ISO 8601 time with a zone, e.g. 2026-11-27T09:30:00Z.'],
    ['a time in the future', ['--stage', 'prod', '--table', 'Jobs', '--to', '2026-11-28T13:30:00+01:00'], '--to 2026-11-28T12:30:00.000Z is in the future (now 2026-11-28T12:00:00.000Z).'],
    ["a time before the stage's PITR window", ['--stage', 'dev', '--table', 'Jobs', '--to', '2026-11-20T09:30:00Z'], "--to 2026-11-20T09:30:00.000Z is before the stage's 7-day PITR window (earliest 2026-11-21T12:00:00.000Z); restore from a backup instead (--backup-arn)."],
    ['a malformed backup ARN', ['--stage', 'prod', '--table', 'Jobs', '--backup-arn', 'arn:aws:dynamodb:us-east-1:1:table/Jobs-prod'], '--backup-arn "arn:aws:dynamodb:us-east-1:1:table/Jobs-prod" is not a DynamoDB backup ARN (arn:aws:dynamodb:<region>:<account>:table/<table>/backup/<id>).'],
    ['a backup of another table', ['--stage', 'prod', '--table', 'Jobs', '--backup-arn', `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/Shops-prod/backup/01764320400000-a1b2c3d4`], '--backup-arn is a backup of Shops-prod, neither Jobs-prod nor a copy of it (Jobs-prod-...).'],
    ['a backup in another region', ['--stage', 'prod', '--table', 'Jobs', '--backup-arn', `arn:aws:dynamodb:${OTHER_REGION}:${ACCOUNT}:table/Jobs-prod/backup/01764320400000-a1b2c3d4`], `--backup-arn is in ${OTHER_REGION}; the stage's tables are in ${REGION}, where a backup must be restored.`],
    ['an AWS Backup recovery point', ['--stage', 'prod', '--table', 'Jobs', '--backup-arn', recoveryPoint], `--backup-arn ${recoveryPoint} is an AWS Backup recovery point; restore it with aws backup start-restore-job (docs/restore-runbook.md, "From the backup vault").`],
    ['a point-in-time restore onto the source name', ['--stage', 'prod', '--table', 'Jobs', '--latest', '--target', 'Jobs-prod'], '--target Jobs-prod is the source table; a point-in-time restore reads the source, so it needs a new name.'],
    ['a poll interval that is not a number', ['--stage', 'prod', '--table', 'Jobs', '--latest', '--poll-interval', 'soon'], '--poll-interval "soon" is not a whole number of seconds from 1 to 300.'],
    ['a poll interval of no time', ['--stage', 'prod', '--table', 'Jobs', '--latest', '--poll-interval', '0'], '--poll-interval "0" is not a whole number of seconds from 1 to 300.'],
    ['a poll interval past any sane wait', ['--stage', 'prod', '--table', 'Jobs', '--latest', '--poll-interval', '1e308'], '--poll-interval "1e308" is not a whole number of seconds from 1 to 300.'],
    ['a wait longer than a day', ['--stage', 'prod', '--table', 'Jobs', '--latest', '--max-wait', '1441'], '--max-wait "1441" is not a whole number of minutes from 1 to 1440.'],
  ];

  test.each(cases)('%s', async (_, args, message) => {
    mockHealthyStage();
    const error = await run(args).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([message]);
    expect(sentNames()).toEqual([]);
  });
});

describe('what the read-only checks refuse before anything is changed', () => {
  test('a time after the latest restorable time DynamoDB reports', async () => {
    mockHealthyStage();
    const error = await run(['--stage', 'prod', '--table', 'Jobs', '--to', '2026-11-28T11:58:00Z', '--execute']).catch((caught: unknown) => caught);
    expect((error as ConfigError).problems).toEqual([
      "--to 2026-11-28T11:58:00.000Z is outside Jobs-prod's restorable window, 2026-10-24T12:00:00.000Z to 2026-11-28T11:55:00.000Z.",
    ]);
    expect(sentNames().filter((name) => MUTATING.includes(name))).toEqual([]);
  });

  test('a stage alias moved to another key than the stack created, before any table is looked at', async () => {
    mockHealthyStage();
    const moved = KEY_ARN.replace('1a2b3c4d', '9f8e7d6c');
    kms.on(DescribeKeyCommand).resolves({ KeyMetadata: { KeyId: 'moved', Arn: moved, KeyState: 'Enabled', Enabled: true, KeyManager: 'CUSTOMER' } });
    const error = await run(['--stage', 'prod', '--table', 'Jobs', '--latest', '--execute']).catch((caught: unknown) => caught);
    expect((error as ConfigError).problems).toEqual([
      `alias/inavor-shuttle/prod/data points at ${moved}, not at the key the stack InavorShuttleData-prod created (${KEY_ARN}): someone moved it. Refusing to use it; see docs/security.md (a stage key alias was moved).`,
    ]);
    expect(sentNames()).toEqual(['DescribeKey']);
  });

  test('a stage whose stack does not exist, or an endpoint that cannot say which key the stack created', async () => {
    mockHealthyStage();
    cloudformation.on(DescribeStacksCommand).rejects(Object.assign(new Error('Stack with id InavorShuttleData-prod does not exist'), { name: 'ValidationError' }));
    const missing = await run(['--stage', 'prod', '--table', 'Jobs', '--latest']).catch((caught: unknown) => caught);
    expect((missing as ConfigError).problems).toEqual([
      'alias/inavor-shuttle/prod/data cannot be checked against the key the stack created: the stack InavorShuttleData-prod does not exist. Refusing to use it; see docs/security.md (a stage key alias was moved).',
    ]);
    cloudformation.on(DescribeStacksCommand).rejects(Object.assign(new Error('unknown'), { name: 'UnknownOperationException' }));
    const unsupported = await run(['--stage', 'prod', '--table', 'Jobs', '--latest']).catch((caught: unknown) => caught);
    expect((unsupported as ConfigError).problems).toEqual([
      'alias/inavor-shuttle/prod/data cannot be checked against the key the stack created: this endpoint does not answer CloudFormation. Refusing to use it; see docs/security.md (a stage key alias was moved).',
    ]);
    expect(sentNames().filter((name) => MUTATING.includes(name))).toEqual([]);
  });

  test('a target table that already exists', async () => {
    mockHealthyStage();
    dynamodb.on(DescribeTableCommand, { TableName: 'Jobs-copy' }).resolves({ Table: { TableName: 'Jobs-copy', TableStatus: 'ACTIVE' } });
    const error = await run(['--stage', 'prod', '--table', 'Jobs', '--latest', '--target', 'Jobs-copy', '--execute']).catch((caught: unknown) => caught);
    expect((error as ConfigError).problems).toEqual([
      'Table Jobs-copy already exists; a restore never overwrites a table. Choose another --target.',
    ]);
    expect(sentNames().filter((name) => MUTATING.includes(name))).toEqual([]);
  });
});

/** Jobs-prod as DynamoDB describes it (the verify fixture), under the restored table's name, with the key the restore asks for. */
function restoredJobs(target: string, status: 'CREATING' | 'ACTIVE'): TableDescription {
  const recorded = recordedProd('Jobs').DescribeTable.Table;
  return {
    ...recorded,
    SSEDescription: { ...recorded.SSEDescription, KMSMasterKeyArn: KEY_ARN },
    TableName: target,
    TableArn: `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${target}`,
    TableStatus: status,
    DeletionProtectionEnabled: status === 'ACTIVE',
    RestoreSummary: { SourceTableArn: recorded.TableArn, RestoreDateTime: new Date('2026-11-27T09:30:00Z'), RestoreInProgress: status === 'CREATING' },
  };
}

describe('--execute on Jobs in prod', () => {
  const target = `Jobs-prod-restored-${STAMP}`;
  const args = ['--stage', 'prod', '--table', 'Jobs', '--to', '2026-11-27T09:30:00Z', '--execute', '--poll-interval', '1'];

  function mockRestore(): void {
    mockHealthyStage();
    dynamodb
      .on(DescribeTableCommand, { TableName: target })
      .rejectsOnce(notFound(target))
      .resolvesOnce({ Table: restoredJobs(target, 'CREATING') })
      .resolvesOnce({ Table: restoredJobs(target, 'CREATING') })
      .resolves({ Table: restoredJobs(target, 'ACTIVE') });
    dynamodb.on(RestoreTableToPointInTimeCommand).resolves({ TableDescription: restoredJobs(target, 'CREATING') });
    dynamodb.on(UpdateTimeToLiveCommand).resolves({ TimeToLiveSpecification: { Enabled: true, AttributeName: 'expiresAt' } });
    dynamodb.on(UpdateContinuousBackupsCommand).resolves({
      ContinuousBackupsDescription: { ContinuousBackupsStatus: 'ENABLED', PointInTimeRecoveryDescription: { PointInTimeRecoveryStatus: 'ENABLED', RecoveryPeriodInDays: 35 } },
    });
    dynamodb.on(UpdateTableCommand).resolves({ TableDescription: restoredJobs(target, 'ACTIVE') });
    dynamodb.on(TagResourceCommand).resolves({});
    dynamodb.on(DescribeTimeToLiveCommand, { TableName: target }).resolves({ TimeToLiveDescription: { TimeToLiveStatus: 'ENABLING', AttributeName: 'expiresAt' } });
    dynamodb.on(DescribeContinuousBackupsCommand, { TableName: target }).resolves({
      ContinuousBackupsDescription: { ContinuousBackupsStatus: 'ENABLED', PointInTimeRecoveryDescription: { PointInTimeRecoveryStatus: 'ENABLED', RecoveryPeriodInDays: 35 } },
    });
  }

  test('restores with the stage key, waits for ACTIVE, re-applies TTL, PITR, deletion protection and tags, and verifies', async () => {
    mockRestore();
    const { code, lines } = await run(args);
    expect(code).toBe(0);
    expect(dynamodb.commandCalls(RestoreTableToPointInTimeCommand)[0]!.args[0].input).toEqual({
      SourceTableName: 'Jobs-prod',
      TargetTableName: target,
      RestoreDateTime: new Date('2026-11-27T09:30:00Z'),
      BillingModeOverride: 'PAY_PER_REQUEST',
      SSESpecificationOverride: { Enabled: true, SSEType: 'KMS', KMSMasterKeyId: KEY_ARN },
    });
    expect(sentNames().filter((name) => MUTATING.includes(name))).toEqual([
      'RestoreTableToPointInTime', 'UpdateTimeToLive', 'UpdateContinuousBackups', 'UpdateTable', 'TagResource',
    ]);
    expect(dynamodb.commandCalls(UpdateTimeToLiveCommand)[0]!.args[0].input).toEqual({
      TableName: target, TimeToLiveSpecification: { Enabled: true, AttributeName: 'expiresAt' },
    });
    expect(dynamodb.commandCalls(UpdateContinuousBackupsCommand)[0]!.args[0].input).toEqual({
      TableName: target, PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true, RecoveryPeriodInDays: 35 },
    });
    expect(dynamodb.commandCalls(UpdateTableCommand)[0]!.args[0].input).toEqual({ TableName: target, DeletionProtectionEnabled: true });
    expect(dynamodb.commandCalls(TagResourceCommand)[0]!.args[0].input).toEqual({
      ResourceArn: `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${target}`,
      Tags: PROD_TAGS,
    });
    expect(lines.filter((line) => line.startsWith(`  ${target} is `))).toEqual([
      `  ${target} is CREATING after 0 s`, `  ${target} is CREATING after 1 s`, `  ${target} is ACTIVE after 2 s`,
    ]);
    const checks = lines.filter((line) => /^ {2}(PASS|FAIL|UNSUPPORTED) /.test(line));
    expect(checks.length).toBeGreaterThan(0);
    expect(checks.filter((line) => !line.startsWith(`  PASS         ${target}  `))).toEqual([]);
    expect(lines).toContain(`  ${checks.length} passed, 0 failed, 0 could not be checked on this endpoint.`);
    expect(lines).toContain(`Restored Jobs-prod into ${target}, with every setting re-applied and verified.`);
    expect(lines.some((line) => line.includes(`--backup-arn <ARN of ${target}-adopt> --target Jobs-prod --execute`))).toBe(true);
    expect(dynamodb.commandCalls(DeleteTableCommand)).toEqual([]);
  });

  test('a TagResource denied after the restore stops there, lists what was done and what is left, deletes nothing and exits 1', async () => {
    mockRestore();
    dynamodb.on(TagResourceCommand).rejects(
      Object.assign(new Error('User: arn:aws:sts::123456789012:assumed-role/operator is not authorized to perform: dynamodb:TagResource'), {
        name: 'AccessDeniedException',
        $metadata: { httpStatusCode: 400 },
      }),
    );
    const { code, lines } = await run(args);
    expect(code).toBe(1);
    const from = lines.findIndex((line) => line.startsWith('Error: '));
    expect(lines.slice(from)).toEqual([
      'Error: step 6 (re-apply tags (TagResource)) failed: AccessDeniedException: User: arn:aws:sts::123456789012:assumed-role/operator is not authorized to perform: dynamodb:TagResource',
      'Done:',
      `  - restore into ${target} (RestoreTableToPointInTime)`,
      `  - wait until ${target} is ACTIVE`,
      '  - re-apply TTL on expiresAt (UpdateTimeToLive)',
      '  - re-apply PITR, 35 days (UpdateContinuousBackups)',
      '  - re-apply deletion protection (UpdateTable)',
      'Left:',
      `  - re-apply tags (TagResource): aws dynamodb tag-resource --region ${REGION} --cli-input-json '${JSON.stringify({
        ResourceArn: `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${target}`,
        Tags: PROD_TAGS,
      })}'`,
      `  - verify ${target}`,
      `${target} is kept as it is; nothing was deleted. Finish the steps left by hand, or run npm run verify against it to see what differs.`,
    ]);
    expect(dynamodb.commandCalls(DeleteTableCommand)).toEqual([]);
  });

  test('a restore still CREATING when --max-wait runs out stops with the wait and every re-apply left', async () => {
    mockRestore();
    dynamodb.on(DescribeTableCommand, { TableName: target }).rejectsOnce(notFound(target)).resolves({ Table: restoredJobs(target, 'CREATING') });
    const { code, lines } = await run([...args, '--max-wait', '1']);
    expect(code).toBe(1);
    expect(lines).toContain(
      `Error: step 2 (wait until ${target} is ACTIVE) failed: Error: still CREATING after 1 min (--max-wait); the restore goes on in AWS`,
    );
    expect(lines.slice(lines.indexOf('Done:'), lines.indexOf('Left:'))).toEqual(['Done:', `  - restore into ${target} (RestoreTableToPointInTime)`]);
    expect(sentNames().filter((name) => MUTATING.includes(name))).toEqual(['RestoreTableToPointInTime']);
  });

  test('a restore call refused by DynamoDB changes nothing and says so, after finding no table of that name', async () => {
    mockRestore();
    dynamodb.on(DescribeTableCommand, { TableName: target }).rejects(notFound(target));
    dynamodb.on(RestoreTableToPointInTimeCommand).rejects(Object.assign(new Error('Too many restores'), { name: 'LimitExceededException', $metadata: {} }));
    const { code, lines } = await run(args);
    expect(code).toBe(1);
    expect(lines).toContain('Done: nothing');
    expect(lines.at(-1)).toBe('Nothing was changed.');
  });

  // The SDK retries a call whose answer was lost; when the first attempt created the table, the retry is refused.
  const alreadyExists = () => Object.assign(new Error(`Table already exists: ${target}`), { name: 'TableAlreadyExistsException', $metadata: { httpStatusCode: 400 } });

  test('a restore whose answer was lost, retried and refused as already existing, carries on with the table it started', async () => {
    mockRestore();
    dynamodb.on(RestoreTableToPointInTimeCommand).rejects(alreadyExists());
    const { code, lines } = await run(args);
    expect(code).toBe(0);
    expect(lines).toContain(`  TableAlreadyExistsException: Table already exists: ${target}; yet ${target} exists, restored from Jobs-prod: the restore is under way.`);
    expect(lines).toContain(`Restored Jobs-prod into ${target}, with every setting re-applied and verified.`);
    expect(lines).not.toContain('Nothing was changed.');
    expect(sentNames().filter((name) => MUTATING.includes(name))).toEqual([
      'RestoreTableToPointInTime', 'UpdateTimeToLive', 'UpdateContinuousBackups', 'UpdateTable', 'TagResource',
    ]);
  });

  test('a refused restore whose target now exists from another source says so, not that nothing changed', async () => {
    mockRestore();
    const other = { ...restoredJobs(target, 'CREATING'), RestoreSummary: { SourceTableArn: `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/Shops-prod`, RestoreDateTime: NOW, RestoreInProgress: true } };
    dynamodb.on(DescribeTableCommand, { TableName: target }).rejectsOnce(notFound(target)).resolves({ Table: other });
    dynamodb.on(RestoreTableToPointInTimeCommand).rejects(alreadyExists());
    const { code, lines } = await run(args);
    expect(code).toBe(1);
    expect(lines.at(-1)).toBe(`${target} exists now but was not restored from this source: something else created it. This run changed nothing.`);
    expect(sentNames().filter((name) => MUTATING.includes(name))).toEqual(['RestoreTableToPointInTime']);
  });

  test('a restore call that failed where the target cannot be looked up says the outcome is unknown and how to check it', async () => {
    mockRestore();
    const timeout = () => Object.assign(new Error('connection timed out'), { name: 'TimeoutError' });
    dynamodb.on(DescribeTableCommand, { TableName: target }).rejectsOnce(notFound(target)).rejects(timeout());
    dynamodb.on(RestoreTableToPointInTimeCommand).rejects(timeout());
    const { code, lines } = await run(args);
    expect(code).toBe(1);
    expect(lines.at(-1)).toBe(
      `Whether ${target} was created is unknown: it could not be looked up. Check with aws dynamodb describe-table --region ${REGION} --table-name ${target} before anything else; run again with --target ${target}, which stops if it exists.`,
    );
  });

  test('a TTL re-apply whose answer was lost, retried and refused as already enabled, counts as done when TTL is on', async () => {
    mockRestore();
    dynamodb.on(UpdateTimeToLiveCommand).rejects(Object.assign(new Error('TimeToLive is already enabled'), { name: 'ValidationException', $metadata: { httpStatusCode: 400 } }));
    const { code, lines } = await run(args);
    expect(code).toBe(0);
    expect(lines).toContain(`Restored Jobs-prod into ${target}, with every setting re-applied and verified.`);
  });

  test('a TTL re-apply refused while TTL is off still stops the restore there', async () => {
    mockRestore();
    dynamodb.on(UpdateTimeToLiveCommand).rejects(Object.assign(new Error('TimeToLive is being changed'), { name: 'ValidationException', $metadata: { httpStatusCode: 400 } }));
    dynamodb.on(DescribeTimeToLiveCommand, { TableName: target }).resolves({ TimeToLiveDescription: { TimeToLiveStatus: 'DISABLED' } });
    const { code, lines } = await run(args);
    expect(code).toBe(1);
    expect(lines).toContain('Error: step 3 (re-apply TTL on expiresAt (UpdateTimeToLive)) failed: ValidationException: TimeToLive is being changed');
  });

  test('what the endpoint answers is printed without terminal escapes or line breaks', async () => {
    mockRestore();
    dynamodb.on(TagResourceCommand).rejects(Object.assign(new Error('denied\n[7/7] forged line\u001b[2K'), { name: 'AccessDenied\u001b[31m', $metadata: {} }));
    const { lines } = await run(args);
    expect(lines).toContain('Error: step 6 (re-apply tags (TagResource)) failed: AccessDenied\\x1b[31m: denied\\x0a[7/7] forged line\\x1b[2K');
    expect(lines.filter((line) => /[\u0000-\u001f]/.test(line))).toEqual([]);
  });
});
