import { App, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { ADMIN_PATHS, type PathStep } from '../../../infra/policy/admin-paths';
import { addDataStacks } from '../../../infra/cdk/data-app';
import { stageServiceControlPolicy } from '../../../infra/policy/organization-policies';
import { SECURITY_ALARMS, deployRuleName, securityRuleName } from '../../../infra/policy/security-monitoring';
import { STAGES, dataRoleName, deployRoleName } from '../../../infra/data/stages';
import { aliasDistrust } from '../../../scripts/shared/stage-key-identity';
import { recordedCall, type RecordedCaller } from '../../support/cloudtrail';
import { eventMatches } from '../../support/event-pattern';
import { evaluate, type PolicyDocument } from '../../support/iam-policy';
import { DeployedTemplate } from '../../support/template-policies';

/**
 * Every path of docs/security.md from an administrator of the prod account to a token or a
 * recovery point, step by step: what the doc says refuses a step is evaluated, the alarm it names
 * fires on a recorded CloudTrail entry of the step's call, and the SCP statement it names refuses it.
 */

const STAGE = 'prod';
const ACCOUNT = '111122223333';
const REGION = STAGES.prod.region;
const ADMINISTRATOR: PolicyDocument = { Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };
/** A role of another stack, given the token grant: what path 9 reaches through. */
const OTHER_STACK_ROLE = 'shuttle-shop-auth';

let deployed: DeployedTemplate;
beforeAll(() => {
  // prod as `cdk synth -c stage=prod` builds it, with a token role granted from another stack of the app.
  const app = new App();
  const data = addDataStacks(app, { stages: [STAGE], nagReports: false }).prod;
  const other = new Stack(app, 'ShuttleApp', { env: { region: REGION } });
  data.grantTokenAccess(new iam.Role(other, 'ShopAuth', { roleName: OTHER_STACK_ROLE, assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') }), 'decrypt');
  deployed = new DeployedTemplate(app.synth().getStackByName(data.stackName).template, { account: ACCOUNT, region: REGION, partition: 'aws' });
});

const role = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;
const admin = role('Administrator');
const executionRole = role(`cdk-hnb659fds-cfn-exec-role-${ACCOUNT}-${REGION}`);
const tokenRole = role(dataRoleName(STAGE, 'tokenRefresher'));
const webApp = role(dataRoleName(STAGE, 'webApp'));
const vaultName = `inavor-shuttle-${STAGE}`;

/** What every key of the stage decides for a caller holding AdministratorAccess. */
function onEveryKey(caller: string, action: string): string[] {
  return deployed.keys().map((key) => evaluate({ caller: { kind: 'role', arn: caller }, action, resource: key.arn }, { service: 'kms', resourcePolicy: key.policy, identityPolicies: [ADMINISTRATOR] }).decision);
}

function onVault(caller: string, action: string): string {
  const vault = deployed.vault();
  return evaluate({ caller: { kind: 'role', arn: caller }, action, resource: vault.arn }, { service: 'other', resourcePolicy: vault.policy, identityPolicies: [ADMINISTRATOR] }).decision;
}

/** A step's call, as recorded, aimed at prod's resources, and who makes it (an administrator unless said). */
interface CallCheck {
  readonly call: string;
  readonly set?: Record<string, unknown>;
  readonly caller?: RecordedCaller;
  /** The rule that must fire: the alarm's incident rule unless said. */
  readonly rule?: 'deploy';
}

/** How each step's claims are checked. */
const CHECKS: Record<string, { blocked?: () => void; call?: CallCheck; scp?: { action: string; resource: string } }> = {
  passToFunction: { call: { call: 'lambda.CreateFunction20150331', set: { 'requestParameters.role': tokenRole, 'responseElements.role': tokenRole } }, scp: { action: 'iam:PassRole', resource: tokenRole } },
  passToService: { call: { call: 'apprunner.CreateService', set: { 'requestParameters.instanceConfiguration.instanceRoleArn': webApp } }, scp: { action: 'iam:PassRole', resource: webApp } },
  changeFunction: {
    call: { call: 'lambda.UpdateFunctionCode20150331v2', set: { 'responseElements.role': tokenRole } },
    scp: { action: 'lambda:UpdateFunctionCode', resource: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:inavor-shuttle-app-worker` },
  },
  redeployService: { call: { call: 'apprunner.StartDeployment' }, scp: { action: 'apprunner:StartDeployment', resource: `arn:aws:apprunner:${REGION}:${ACCOUNT}:service/web/0123` } },
  updateStackAsExecutionRole: { blocked: () => expect(new Set(onEveryKey(executionRole, 'kms:PutKeyPolicy'))).toEqual(new Set(['explicitDeny'])) },
  deployFromLaptop: { blocked: () => expect(new Set(onEveryKey(admin, 'kms:PutKeyPolicy'))).toEqual(new Set(['explicitDeny'])) },
  deployThroughPipeline: { call: { call: 'kms.PutKeyPolicy', caller: { role: role(deployRoleName(STAGE)), throughCloudFormation: true }, rule: 'deploy' } },
  changeExecutionRoleTrust: {
    call: { call: 'iam.UpdateAssumeRolePolicy', set: { 'requestParameters.roleName': `cdk-hnb659fds-cfn-exec-role-${ACCOUNT}-${REGION}` } },
    scp: { action: 'iam:UpdateAssumeRolePolicy', resource: executionRole },
  },
  putKeyPolicyAsExecutionRole: {
    blocked: () => {
      expect(new Set(onEveryKey(executionRole, 'kms:PutKeyPolicy'))).toEqual(new Set(['explicitDeny']));
      expect(onVault(executionRole, 'backup:PutBackupVaultAccessPolicy')).toBe('explicitDeny');
    },
  },
  assumeDeployRole: {
    blocked: () => {
      const trust = deployed.trustPolicyOfRole(deployRoleName(STAGE));
      expect(evaluate({ caller: { kind: 'role', arn: admin }, action: 'sts:AssumeRole', resource: role(deployRoleName(STAGE)) }, { service: 'trust', resourcePolicy: trust, identityPolicies: [ADMINISTRATOR] }).decision).toBe('implicitDeny');
    },
  },
  changeDeployRoleTrust: {
    call: { call: 'iam.UpdateAssumeRolePolicy', set: { 'requestParameters.roleName': deployRoleName(STAGE) } },
    scp: { action: 'iam:UpdateAssumeRolePolicy', resource: role(deployRoleName(STAGE)) },
  },
  replaceVaultPolicy: {
    blocked: () => expect(onVault(admin, 'backup:PutBackupVaultAccessPolicy')).toBe('explicitDeny'),
    call: { call: 'backup.PutBackupVaultAccessPolicy', set: { 'requestParameters.backupVaultName': vaultName } },
  },
  deleteRecoveryPoint: {
    blocked: () => {
      expect(onVault(admin, 'backup:DeleteBackupVaultLockConfiguration')).toBe('explicitDeny');
      expect(onVault(admin, 'backup:DeleteRecoveryPoint')).toBe('explicitDeny');
    },
    call: { call: 'backup.DeleteRecoveryPoint', set: { 'requestParameters.backupVaultName': vaultName } },
  },
  deleteAirGappedCopy: {
    blocked: () => {
      // AWS Backup refuses it for a logically air-gapped vault; what the stack must do is copy every recovery point there.
      const [vault] = deployed.resolvedOfType('AWS::Backup::LogicallyAirGappedBackupVault');
      const [plan] = deployed.resolvedOfType('AWS::Backup::BackupPlan');
      expect(vault?.properties.BackupVaultName).toBe(`inavor-shuttle-${STAGE}-air-gapped`);
      for (const rule of plan!.properties.BackupPlan.BackupPlanRule) expect(rule.CopyActions.map((copy: { DestinationBackupVaultArn: string }) => copy.DestinationBackupVaultArn)).toEqual([deployed.resolve({ 'Fn::GetAtt': [vault!.id, 'BackupVaultArn'] })]);
    },
  },
  moveAlias: {
    blocked: () => {
      for (const action of ['kms:UpdateAlias', 'kms:DeleteAlias']) expect(new Set(onEveryKey(admin, action))).toEqual(new Set(['explicitDeny']));
    },
    call: { call: 'kms.UpdateAlias', set: { 'requestParameters.aliasName': `alias/inavor-shuttle/${STAGE}/data` } },
  },
  restoreUnderMovedAlias: {
    blocked: () => {
      const stackKey = `arn:aws:kms:${REGION}:${ACCOUNT}:key/stack-key`;
      expect(aliasDistrust(STAGE, `arn:aws:kms:${REGION}:${ACCOUNT}:key/admin-key`, { arn: stackKey })).toContain('not at the key the stack InavorShuttleData-prod created');
      expect(aliasDistrust(STAGE, stackKey, { arn: stackKey })).toBeUndefined();
    },
  },
  revokeGrant: { blocked: () => expect(new Set(onEveryKey(admin, 'kms:RevokeGrant'))).toEqual(new Set(['explicitDeny'])), call: { call: 'kms.RevokeGrant' } },
  turnOffProtection: { call: { call: 'dynamodb.UpdateContinuousBackups', set: { 'requestParameters.tableName': `Shops-${STAGE}` } } },
  stopBackups: { call: { call: 'backup.DeleteBackupPlan', set: { 'requestParameters.backupPlanId': '<plan>' } } },
  stopTrail: { call: { call: 'cloudtrail.StopLogging' }, scp: { action: 'cloudtrail:StopLogging', resource: `arn:aws:cloudtrail:${REGION}:${ACCOUNT}:trail/org` } },
  changeRules: {
    call: { call: 'events.DisableRule', set: { 'requestParameters.name': securityRuleName(STAGE, 'trailChanged') } },
    scp: { action: 'events:DisableRule', resource: `arn:aws:events:${REGION}:${ACCOUNT}:rule/${securityRuleName(STAGE, 'trailChanged')}` },
  },
  unsubscribe: {
    call: { call: 'sns.Unsubscribe', set: { 'requestParameters.subscriptionArn': `arn:aws:sns:${REGION}:${ACCOUNT}:inavor-shuttle-${STAGE}-data-alarms:c3019def` } },
    scp: { action: 'sns:Unsubscribe', resource: `arn:aws:sns:${REGION}:${ACCOUNT}:inavor-shuttle-${STAGE}-data-alarms:c3019def` },
  },
  changeOtherStackTokenRole: { call: { call: 'iam.UpdateAssumeRolePolicy', set: { 'requestParameters.roleName': OTHER_STACK_ROLE } } },
  runAsOtherStackTokenRole: { call: { call: 'lambda.UpdateFunctionCode20150331v2', set: { 'responseElements.role': role(OTHER_STACK_ROLE) } } },
};

const STEPS: PathStep[] = ADMIN_PATHS.flatMap((path) => path.steps);

test('every step of every path has its checks, and only those', () => {
  expect(STEPS.map((step) => step.id).sort()).toEqual(Object.keys(CHECKS).sort());
  for (const step of STEPS) {
    const check = CHECKS[step.id]!;
    expect([step.id, step.blockedBy !== undefined, step.alarm !== undefined, step.organization !== undefined]).toEqual([step.id, check.blocked !== undefined, check.call !== undefined, check.scp !== undefined]);
  }
});

/** Each claim the doc makes of a step, named by its path's number. */
const CLAIMS = ADMIN_PATHS.flatMap((path, i) =>
  path.steps.flatMap((step) => [
    ...(step.blockedBy ? [[`path ${i + 1}, ${step.id}: refused by ${step.blockedBy}`, 'blocked', step] as const] : []),
    ...(step.alarm ? [[`path ${i + 1}, ${step.id}: fires "${SECURITY_ALARMS[step.alarm].title}" on a recorded entry of the call`, 'alarm', step] as const] : []),
    ...(step.organization ? [[`path ${i + 1}, ${step.id}: refused by the SCP's ${step.organization}`, 'organization', step] as const] : []),
  ]),
);

test.each(CLAIMS)('%s', (_claim, kind, step) => {
  const check = CHECKS[step.id]!;
  if (kind === 'blocked') return check.blocked!();
  if (kind === 'organization') {
    const { action, resource } = check.scp!;
    const scp = stageServiceControlPolicy(STAGE, STAGES.prod) as unknown as PolicyDocument;
    const decision = evaluate({ caller: { kind: 'role', arn: admin }, action, resource }, { service: 'other', identityPolicies: [ADMINISTRATOR], scps: [ADMINISTRATOR, scp] });
    return expect(decision).toEqual({ decision: 'explicitDeny', sid: step.organization });
  }
  const { call, set = {}, caller = { role: admin }, rule } = check.call!;
  const planId = deployed.resolvedOfType('AWS::Backup::BackupPlan').map(({ id: plan }) => deployed.resolve({ 'Fn::GetAtt': [plan, 'BackupPlanId'] }))[0];
  const aimed = Object.fromEntries(Object.entries(set).map(([field, value]) => [field, value === '<plan>' ? planId : value]));
  const event = recordedCall(call, { account: ACCOUNT, region: call.startsWith('iam.') ? 'us-east-1' : REGION, set: aimed, caller });
  const fired = deployed.resolvedOfType('AWS::Events::Rule').filter(({ properties }) => eventMatches(properties.EventPattern, event)).map(({ properties }) => properties.Name);
  expect(fired).toEqual([rule === 'deploy' ? deployRuleName(STAGE, step.alarm!) : securityRuleName(STAGE, step.alarm!)]);
});
