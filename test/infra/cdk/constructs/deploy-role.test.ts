import { DEPLOY_ACTIONS } from '../../../../infra/cdk/constructs/deploy-role';
import { STAGES, STAGE_NAMES, dataRoleName, dataStackName, deployRoleName, type StageName } from '../../../../infra/data/stages';
import { stageTemplateJson } from '../../../support/cdk-out';
import { evaluate, statementsOf, type AccessRequest } from '../../../support/iam-policy';
import { DeployedTemplate } from '../../../support/template-policies';

/** The deploy role's own permissions, evaluated: what a deploy job can do with its credentials, and what it cannot. */

const ACCOUNT = '111122223333';
const VIA_CLOUDFORMATION = { 'aws:CalledViaFirst': 'cloudformation.amazonaws.com' };

describe.each(STAGE_NAMES)('the %s deploy role', (stage: StageName) => {
  const region = STAGES[stage].region;
  const deployed = new DeployedTemplate(stageTemplateJson(stage), { account: ACCOUNT, region, partition: 'aws' });
  const arn = deployed.roleArn(deployRoleName(stage));
  const policies = deployed.policiesOfRole(deployRoleName(stage));
  const can = (action: string, resource: string, context: Record<string, string> = {}, extra: Partial<AccessRequest> = {}) =>
    evaluate({ caller: { kind: 'role', arn }, action, resource, context, ...extra }, { service: 'other', identityPolicies: policies }).decision;
  const key = `arn:aws:kms:${region}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
  const stack = `arn:aws:cloudformation:${region}:${ACCOUNT}:stack/${dataStackName(stage)}/0a1b2c3d`;

  test('runs change sets on its stage\'s stack only, and cannot delete it', () => {
    for (const action of ['cloudformation:CreateChangeSet', 'cloudformation:ExecuteChangeSet', 'cloudformation:DescribeStacks']) {
      expect([action, can(action, stack)]).toEqual([action, 'allow']);
    }
    expect(can('cloudformation:ExecuteChangeSet', `arn:aws:cloudformation:${region}:${ACCOUNT}:stack/CDKToolkit/0a1b`)).toBe('implicitDeny');
    expect(can('cloudformation:DeleteStack', stack)).toBe('implicitDeny');
  });

  test('changes keys, tables and the vault only through CloudFormation, never by calling their APIs itself', () => {
    const table = `arn:aws:dynamodb:${region}:${ACCOUNT}:table/Shops-${stage}`;
    for (const [action, resource] of [['kms:PutKeyPolicy', key], ['kms:UpdateAlias', key], ['dynamodb:UpdateTable', table], ['dynamodb:UpdateContinuousBackups', table], ['backup:PutBackupVaultAccessPolicy', `arn:aws:backup:${region}:${ACCOUNT}:backup-vault:inavor-shuttle-${stage}`]] as const) {
      expect([action, can(action, resource, VIA_CLOUDFORMATION)]).toEqual([action, 'allow']);
      expect([action, can(action, resource)]).toEqual([action, 'implicitDeny']);
    }
  });

  test('has no data use of a key and cannot disable, delete or revoke one, nor stop a trail, even through CloudFormation', () => {
    for (const [action, resource] of [
      ['kms:Decrypt', key],
      ['kms:ScheduleKeyDeletion', key],
      ['kms:DisableKey', key],
      ['kms:RevokeGrant', key],
      ['cloudtrail:StopLogging', `arn:aws:cloudtrail:${region}:${ACCOUNT}:trail/org`],
    ] as const) {
      expect([action, can(action, resource, VIA_CLOUDFORMATION)]).toEqual([action, 'implicitDeny']);
    }
  });

  test('changes the stack\'s roles only, through CloudFormation, and passes the backup role to AWS Backup only', () => {
    const role = (name: string) => deployed.roleArn(name);
    expect(can('iam:PutRolePolicy', role(dataRoleName(stage, 'webApp')), VIA_CLOUDFORMATION)).toBe('allow');
    expect(can('iam:PutRolePolicy', role(dataRoleName(stage, 'webApp')))).toBe('implicitDeny');
    expect(can('iam:CreateRole', role('Administrator'), VIA_CLOUDFORMATION)).toBe('implicitDeny');
    expect(can('iam:UpdateAssumeRolePolicy', role(`cdk-hnb659fds-cfn-exec-role-${ACCOUNT}-${region}`), VIA_CLOUDFORMATION)).toBe('implicitDeny');
    const backupRole = role(`${dataStackName(stage)}-BackupsRole0123-ABCDEF`);
    expect(can('iam:PassRole', backupRole, { 'iam:PassedToService': 'backup.amazonaws.com' })).toBe('allow');
    expect(can('iam:PassRole', backupRole, { 'iam:PassedToService': 'lambda.amazonaws.com' })).toBe('implicitDeny');
    expect(can('iam:PassRole', role(dataRoleName(stage, 'tokenRefresher')), { 'iam:PassedToService': 'lambda.amazonaws.com' })).toBe('implicitDeny');
  });

  test('uploads the template to the CDK bootstrap bucket of its account and region, and to no other bucket', () => {
    const bucket = (name: string) => ({ resourceAccount: ACCOUNT, resource: `arn:aws:s3:::${name}/template.json` });
    expect(can('s3:PutObject', '', {}, bucket(`cdk-hnb659fds-assets-${ACCOUNT}-${region}`))).toBe('allow');
    expect(can('s3:PutObject', '', {}, bucket('another-bucket'))).toBe('implicitDeny');
  });

  test('grants no whole service (Control Tower\'s CT.IAM.PR.5) and lasts two hours, longer than a deploy job may run', () => {
    const actions = policies.flatMap(statementsOf).flatMap((statement) => [statement.Action ?? []].flat());
    expect(actions.filter((action) => /^[\w-]*:\*$/.test(action))).toEqual([]);
    expect(Object.keys(DEPLOY_ACTIONS).every((service) => actions.some((action) => action.startsWith(`${service}:`)))).toBe(true);
    const role = deployed.resolvedOfType('AWS::IAM::Role').find(({ properties }) => properties.RoleName === deployRoleName(stage))!;
    expect(role.properties.MaxSessionDuration).toBe(7200);
  });
});
