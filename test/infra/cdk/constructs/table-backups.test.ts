import { App, CliCredentialsStackSynthesizer, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { TableBackups } from '../../../../infra/cdk/constructs/table-backups';
import { stackCustodians } from '../../../../infra/cdk/custodians';
import { TABLE_SCHEMAS } from '../../../../infra/data/schemas';
import { STAGES, STAGE_NAMES, physicalTableName, type BackupPolicy, type StageName } from '../../../../infra/data/stages';
import { stageTemplates } from '../../../support/cdk-out';

const BACKED_UP = STAGE_NAMES.filter((stage) => STAGES[stage].backup.rules.length > 0);
const NOT_BACKED_UP = STAGE_NAMES.filter((stage) => STAGES[stage].backup.rules.length === 0);
const COPY_VAULT = 'arn:aws:backup:us-west-2:123456789012:backup-vault:inavor-shuttle-dr';

let templates: Record<StageName, Template>;
let copyFixture: Template;
beforeAll(() => {
  templates = stageTemplates();
  // The copy setting is off in every stage, so a small stack of its own turns it on.
  const fixtureStack = new Stack(new App(), 'CopyFixture', { env: { region: 'us-east-1' }, synthesizer: new CliCredentialsStackSynthesizer() });
  const table = new dynamodb.TableV2(fixtureStack, 'Table', { partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING } });
  new TableBackups(fixtureStack, 'Backups', {
    stageName: 'fixture',
    policy: { ...STAGES.prod.backup, airGappedCopy: undefined, copy: { destinationVaultArn: COPY_VAULT, retentionDays: 90, reason: 'test' } },
    tables: [table],
    custodians: stackCustodians(fixtureStack, 'fixture', 'break-glass'),
  });
  copyFixture = Template.fromStack(fixtureStack);
});

function onlyResource(template: Template, type: string): { id: string; resource: Record<string, any> } {
  const found = Object.entries(template.findResources(type));
  expect(found).toHaveLength(1);
  return { id: found[0]![0], resource: found[0]![1] };
}

test('prod and staging require backups and dev does not', () => {
  expect(BACKED_UP).toEqual(['staging', 'prod']);
  expect(NOT_BACKED_UP).toEqual(['dev']);
});

describe.each(BACKED_UP)('AWS Backup in the %s stack', (stage) => {
  test('the selection names every table of the schema map by its ARN, under the stack\'s plan', () => {
    const template = templates[stage];
    const selection = onlyResource(template, 'AWS::Backup::BackupSelection').resource.Properties;
    const plan = onlyResource(template, 'AWS::Backup::BackupPlan').id;
    expect(selection.BackupPlanId).toEqual({ 'Fn::GetAtt': [plan, 'BackupPlanId'] });
    const expected = TABLE_SCHEMAS.map((schema) => {
      const [id] = Object.keys(template.findResources('AWS::DynamoDB::GlobalTable', {
        Properties: { TableName: physicalTableName(schema.name, stage) },
      }));
      return { 'Fn::GetAtt': [id, 'Arn'] };
    });
    expect(expected).toHaveLength(TABLE_SCHEMAS.length);
    expect(selection.BackupSelection.Resources).toEqual(expect.arrayContaining(expected));
  });

  test('the vault is encrypted with its own retained, rotating customer-managed key', () => {
    const template = templates[stage];
    const vault = onlyResource(template, 'AWS::Backup::BackupVault').resource;
    expect(vault).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain', Properties: { BackupVaultName: `inavor-shuttle-${stage}` } });
    const [keyId] = vault.Properties.EncryptionKeyArn['Fn::GetAtt'];
    expect(template.findResources('AWS::KMS::Key')[keyId]).toMatchObject({
      DeletionPolicy: 'Retain',
      Properties: { EnableKeyRotation: true },
    });
    template.hasResourceProperties('AWS::KMS::Alias', {
      AliasName: `alias/inavor-shuttle/${stage}/backup`,
      TargetKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] },
    });
  });

  test('every rule copies its recovery point to the air-gapped vault, kept as long as the rule keeps it, exactly where the stage asks', () => {
    const template = templates[stage];
    const rules = onlyResource(template, 'AWS::Backup::BackupPlan').resource.Properties.BackupPlan.BackupPlanRule;
    const airGapped = (STAGES[stage].backup as BackupPolicy).airGappedCopy;
    const vaults = Object.entries(template.findResources('AWS::Backup::LogicallyAirGappedBackupVault'));
    if (!airGapped) {
      expect(vaults).toEqual([]);
      for (const rule of rules) expect(rule.CopyActions).toBeUndefined();
      return;
    }
    expect(vaults).toHaveLength(1);
    const [vaultId, vault] = vaults[0]!;
    expect(vault).toMatchObject({
      DeletionPolicy: 'Retain',
      Properties: { BackupVaultName: `inavor-shuttle-${stage}-air-gapped`, MinRetentionDays: airGapped.minRetentionDays, MaxRetentionDays: airGapped.maxRetentionDays },
    });
    // No key of the account: AWS Backup encrypts the vault with a key AWS owns.
    expect(vault.Properties.EncryptionKeyArn).toBeUndefined();
    for (const rule of rules) {
      expect(rule.CopyActions).toEqual([{ DestinationBackupVaultArn: { 'Fn::GetAtt': [vaultId, 'BackupVaultArn'] }, Lifecycle: { DeleteAfterDays: rule.Lifecycle.DeleteAfterDays } }]);
      expect(rule.Lifecycle.DeleteAfterDays).toBeGreaterThanOrEqual(airGapped.minRetentionDays);
      expect(rule.Lifecycle.DeleteAfterDays).toBeLessThanOrEqual(airGapped.maxRetentionDays);
    }
  });

  test('the backup role can be assumed by AWS Backup alone and carries the backup and restore policies', () => {
    const template = templates[stage];
    const roleRef = onlyResource(template, 'AWS::Backup::BackupSelection').resource.Properties.BackupSelection.IamRoleArn;
    const role = template.findResources('AWS::IAM::Role')[roleRef['Fn::GetAtt'][0]]!;
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'backup.amazonaws.com' } },
    ]);
    expect(JSON.stringify(role.Properties.ManagedPolicyArns)).toMatch(/AWSBackupServiceRolePolicyForBackup.*AWSBackupServiceRolePolicyForRestores/);
    expect(role.Properties.Policies).toBeUndefined();
  });
});

test('prod keeps a daily backup for 35 days and a monthly one for a year, at 05:00 UTC', () => {
  const plan = onlyResource(templates.prod, 'AWS::Backup::BackupPlan').resource.Properties.BackupPlan;
  expect(plan.BackupPlanRule).toEqual([
    expect.objectContaining({ RuleName: 'daily', ScheduleExpression: 'cron(0 5 * * ? *)', Lifecycle: { DeleteAfterDays: 35 } }),
    expect.objectContaining({ RuleName: 'monthly', ScheduleExpression: 'cron(0 5 1 * ? *)', Lifecycle: { DeleteAfterDays: 365 } }),
  ]);
});

test('staging keeps a daily backup for 7 days', () => {
  const plan = onlyResource(templates.staging, 'AWS::Backup::BackupPlan').resource.Properties.BackupPlan;
  expect(plan.BackupPlanRule).toEqual([
    expect.objectContaining({ RuleName: 'daily', ScheduleExpression: 'cron(0 5 * * ? *)', Lifecycle: { DeleteAfterDays: 7 } }),
  ]);
});

test("prod's vault is locked in governance mode between 35 and 365 days; staging's is not locked", () => {
  expect(onlyResource(templates.prod, 'AWS::Backup::BackupVault').resource.Properties.LockConfiguration).toEqual({
    MinRetentionDays: 35,
    MaxRetentionDays: 365,
  });
  expect(onlyResource(templates.staging, 'AWS::Backup::BackupVault').resource.Properties.LockConfiguration).toBeUndefined();
});

test.each(NOT_BACKED_UP)('the %s stack has no vault, plan or selection', (stage) => {
  for (const type of ['AWS::Backup::BackupVault', 'AWS::Backup::BackupPlan', 'AWS::Backup::BackupSelection']) {
    templates[stage].resourceCountIs(type, 0);
  }
});

test('a stage copy setting copies every rule to the destination vault with its own retention', () => {
  const rules = onlyResource(copyFixture, 'AWS::Backup::BackupPlan').resource.Properties.BackupPlan.BackupPlanRule;
  expect(rules).toHaveLength(STAGES.prod.backup.rules.length);
  for (const rule of rules) {
    expect(rule.CopyActions).toEqual([{ DestinationBackupVaultArn: COPY_VAULT, Lifecycle: { DeleteAfterDays: 90 } }]);
  }
  copyFixture.hasResourceProperties('AWS::Backup::BackupVault', { LockConfiguration: Match.anyValue() });
});
