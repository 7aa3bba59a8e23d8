import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SCP_MAX_CHARACTERS, stageServiceControlPolicy } from '../../../infra/policy/organization-policies';
import { STAGES, STAGE_NAMES, dataRoleName, deployRoleName, type StageName } from '../../../infra/data/stages';
import { renderOrganizationPolicies, renderScpFiles } from '../../../scripts/docs/organization-docs';
import { evaluate, type PolicyDocument } from '../../support/iam-policy';

/** Each stage's service control policy, evaluated as AWS Organizations would apply it beside FullAWSAccess. */

const ROOT = join(__dirname, '..', '..', '..');
const ACCOUNT = '111122223333';
const ADMINISTRATOR: PolicyDocument = { Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };
const FULL_AWS_ACCESS: PolicyDocument = { Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };

test('docs/organization-policies.md and each stage\'s SCP file are what `npm run docs` renders now, each within AWS Organizations\' size limit', () => {
  expect(readFileSync(join(ROOT, 'docs', 'organization-policies.md'), 'utf8')).toBe(renderOrganizationPolicies(STAGES));
  for (const { path, text } of renderScpFiles(STAGES)) {
    expect([path, readFileSync(join(ROOT, path), 'utf8')]).toEqual([path, text]);
    expect(text.length).toBeLessThanOrEqual(SCP_MAX_CHARACTERS);
  }
});

describe.each(STAGE_NAMES)('the %s SCP', (stage: StageName) => {
  const policy = STAGES[stage];
  const scp = stageServiceControlPolicy(stage, policy) as unknown as PolicyDocument;
  const role = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;
  const admin = role('Administrator');
  const breakGlass = role('aws-reserved/sso.amazonaws.com/AWSReservedSSO_InavorShuttleBreakGlass_0123abcd');
  const deployer = role(deployRoleName(stage));
  const appDeployer = role(policy.access.appDeployRole);
  const region = policy.region;
  const decide = (caller: string, action: string, resource: string) =>
    evaluate({ caller: { kind: 'role', arn: caller }, action, resource }, { service: 'other', identityPolicies: [ADMINISTRATOR], scps: [FULL_AWS_ACCESS, scp] }).decision;

  test('lets only the app\'s deploy role and break-glass pass a token role to a service; other roles pass as before', () => {
    for (const purpose of ['webApp', 'jobWorker', 'tokenRefresher'] as const) {
      const tokenRole = role(dataRoleName(stage, purpose));
      expect([purpose, decide(admin, 'iam:PassRole', tokenRole)]).toEqual([purpose, 'explicitDeny']);
      expect([purpose, decide(deployer, 'iam:PassRole', tokenRole)]).toEqual([purpose, 'explicitDeny']);
      expect([purpose, decide(appDeployer, 'iam:PassRole', tokenRole)]).toEqual([purpose, 'allow']);
      expect([purpose, decide(breakGlass, 'iam:PassRole', tokenRole)]).toEqual([purpose, 'allow']);
    }
    expect(decide(admin, 'iam:PassRole', role(dataRoleName(stage, 'redaction')))).toBe('allow');
  });

  test('lets only the app\'s deploy role and break-glass change a function\'s code or configuration, or an App Runner service', () => {
    const fn = `arn:aws:lambda:${region}:${ACCOUNT}:function:inavor-shuttle-${stage}-worker`;
    const service = `arn:aws:apprunner:${region}:${ACCOUNT}:service/web/0123`;
    for (const [action, resource] of [['lambda:UpdateFunctionCode', fn], ['lambda:UpdateFunctionConfiguration', fn], ['apprunner:UpdateService', service], ['apprunner:StartDeployment', service]] as const) {
      expect([action, decide(admin, action, resource)]).toEqual([action, 'explicitDeny']);
      expect([action, decide(appDeployer, action, resource)]).toEqual([action, 'allow']);
    }
  });

  test('lets only break-glass change a CDK execution role, and only the deploy role and break-glass change the stack\'s roles', () => {
    const executionRole = role(`cdk-hnb659fds-cfn-exec-role-${ACCOUNT}-${region}`);
    for (const action of ['iam:UpdateAssumeRolePolicy', 'iam:PutRolePolicy', 'iam:AttachRolePolicy']) {
      expect([action, decide(admin, action, executionRole)]).toEqual([action, 'explicitDeny']);
      expect([action, decide(deployer, action, executionRole)]).toEqual([action, 'explicitDeny']);
      expect([action, decide(breakGlass, action, executionRole)]).toEqual([action, 'allow']);
      for (const stackRole of [role(dataRoleName(stage, 'webApp')), deployer]) {
        expect([action, stackRole, decide(admin, action, stackRole)]).toEqual([action, stackRole, 'explicitDeny']);
        expect([action, stackRole, decide(deployer, action, stackRole)]).toEqual([action, stackRole, 'allow']);
      }
    }
    expect(decide(admin, 'iam:UpdateAssumeRolePolicy', role('some-other-role'))).toBe('allow');
  });

  test('lets only break-glass and Control Tower stop, delete or narrow a trail', () => {
    const trail = `arn:aws:cloudtrail:${region}:${ACCOUNT}:trail/aws-controltower-BaselineCloudTrail`;
    for (const action of ['cloudtrail:StopLogging', 'cloudtrail:DeleteTrail', 'cloudtrail:UpdateTrail', 'cloudtrail:PutEventSelectors']) {
      expect([action, decide(admin, action, trail)]).toEqual([action, 'explicitDeny']);
      expect([action, decide(deployer, action, trail)]).toEqual([action, 'explicitDeny']);
      expect([action, decide(breakGlass, action, trail)]).toEqual([action, 'allow']);
      expect([action, decide(role('AWSControlTowerExecution'), action, trail)]).toEqual([action, 'allow']);
    }
  });

  test('lets only the deploy role and break-glass change the stage\'s security rules, the alarm topic and its subscriptions', () => {
    const rule = `arn:aws:events:${region}:${ACCOUNT}:rule/inavor-shuttle-${stage}-trail-changed`;
    const topic = `arn:aws:sns:${region}:${ACCOUNT}:inavor-shuttle-${stage}-data-alarms`;
    for (const [action, resource] of [
      ['events:DisableRule', rule],
      ['events:RemoveTargets', rule],
      ['sns:Unsubscribe', `${topic}:c3019def-3714-403e-ba29-eb14079d5c69`],
      ['sns:SetTopicAttributes', topic],
      ['sns:DeleteTopic', topic],
    ] as const) {
      expect([action, decide(admin, action, resource)]).toEqual([action, 'explicitDeny']);
      expect([action, decide(deployer, action, resource)]).toEqual([action, 'allow']);
      expect([action, decide(breakGlass, action, resource)]).toEqual([action, 'allow']);
    }
    expect(decide(admin, 'events:DisableRule', `arn:aws:events:${region}:${ACCOUNT}:rule/someone-elses-rule`)).toBe('allow');
  });
});
