import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  DescribeBackupCommand,
  DescribeContinuousBackupsCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceNotFoundException,
} from '@aws-sdk/client-dynamodb';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DescribeKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { main } from '../../../scripts/restore/main';

const RUNBOOK = readFileSync(join(__dirname, '..', '..', '..', 'docs', 'restore-runbook.md'), 'utf8');
/** A day after the runbook's example times, inside every stage's PITR window. */
const NOW = new Date('2026-11-28T12:00:00Z');

const commands = [...RUNBOOK.matchAll(/^\s*npm run restore -- (.+)$/gm)].map((match) => match[1]!.trim().split(/\s+/));

const dynamodb = mockClient(DynamoDBClient);
const kms = mockClient(KMSClient);
const cloudformation = mockClient(CloudFormationClient);
const KEY_ARN = 'arn:aws:kms:us-east-1:123456789012:key/1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d';

beforeEach(() => {
  dynamodb.reset();
  kms.reset();
  cloudformation.reset();
  kms.on(DescribeKeyCommand).resolves({ KeyMetadata: { KeyId: 'k', Arn: KEY_ARN, KeyState: 'Enabled' } });
  cloudformation.on(DescribeStacksCommand).callsFake(({ StackName }) =>
    Promise.resolve({ Stacks: [{ StackName, StackStatus: 'UPDATE_COMPLETE', CreationTime: NOW, Outputs: [{ OutputKey: 'DataKeyArn', OutputValue: KEY_ARN }] }] }),
  );
  dynamodb.on(DescribeTableCommand).rejects(new ResourceNotFoundException({ message: 'Requested resource not found', $metadata: {} }));
  dynamodb.on(DescribeContinuousBackupsCommand).resolves({
    ContinuousBackupsDescription: {
      ContinuousBackupsStatus: 'ENABLED',
      PointInTimeRecoveryDescription: {
        PointInTimeRecoveryStatus: 'ENABLED',
        EarliestRestorableDateTime: new Date('2026-10-24T12:00:00Z'),
        LatestRestorableDateTime: new Date('2026-11-28T11:55:00Z'),
      },
    },
  });
  dynamodb.on(DescribeBackupCommand).resolves({ BackupDescription: { BackupDetails: { BackupArn: 'a', BackupName: 'b', BackupStatus: 'AVAILABLE', BackupType: 'USER', BackupCreationDateTime: NOW } } });
});

test('the runbook shows restores by time, from a backup and for adoption, in every stage', () => {
  const text = commands.map((args) => args.join(' '));
  for (const needle of ['--to', '--latest', '--backup-arn', '--target', '--execute', '--stage dev', '--stage staging', '--stage prod']) {
    expect(text.some((command) => command.includes(needle))).toBe(true);
  }
});

test.each(commands.map((args) => [args.join(' '), args]))('npm run restore -- %s is accepted and plans a restore', async (_, args) => {
  const lines: string[] = [];
  // The dry run of the same command: identical options and checks, without the restore.
  const code = await main((args as string[]).filter((arg) => arg !== '--execute'), (line) => lines.push(line), () => NOW);
  expect(code).toBe(0);
  expect(lines.at(-1)).toBe('Nothing was changed. Run again with --execute to restore.');
});
