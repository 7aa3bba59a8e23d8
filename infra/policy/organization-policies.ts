/**
 * What only the organization can enforce: the service control policy of a stage's account, made
 * from the same role map and stage config as the stack. A key or vault policy can refuse what is
 * done to the key or vault; it cannot stop an administrator of the account from passing a token
 * role to new code, changing the deploy path's roles, stopping the trail or silencing the alarms.
 * An SCP can, for every principal of the account but the ones it excepts. Plain data (no
 * aws-cdk-lib); `npm run docs` writes each stage's as JSON under docs/service-control-policies/.
 */

import { ROLE_CHANGE_ACTIONS } from './break-glass';
import { tokenRolePurposes } from './data-roles';
import { DATA_ROLE_PURPOSES, dataRoleName, deployRoleName, stageResourceName, type StagePolicy } from '../data/stages';

/** A statement of a service control policy: SCPs name no principal; conditions say whom a Deny spares. */
export interface ScpStatement {
  readonly Sid: string;
  readonly Effect: 'Deny';
  readonly Action: readonly string[];
  readonly Resource: readonly string[];
  readonly Condition: { readonly ArnNotLike: { readonly 'aws:PrincipalArn': readonly string[] } };
}

/** A service control policy document. */
export interface ServiceControlPolicy {
  readonly Version: '2012-10-17';
  readonly Statement: readonly ScpStatement[];
}

/** AWS Organizations' limit on an SCP document, in characters. */
export const SCP_MAX_CHARACTERS = 5_120;

/** The role AWS Control Tower manages an enrolled account through; its own changes to the trail must go on. */
export const CONTROL_TOWER_ROLE = 'AWSControlTowerExecution';

/** Any role of any account and partition with this path and name (an SCP applies to every account it is attached to). */
function role(pathAndName: string): string {
  return `arn:*:iam::*:role/${pathAndName}`;
}

function deny(Sid: string, Action: readonly string[], Resource: readonly string[], except: readonly string[]): ScpStatement {
  return { Sid, Effect: 'Deny', Action: [...Action], Resource: [...Resource], Condition: { ArnNotLike: { 'aws:PrincipalArn': [...except] } } };
}

/**
 * The SCP of a stage's account, for AWS Organizations to attach to that account (or its OU):
 *
 * - token roles are passed to a service (`iam:PassRole`), and code or configuration of Lambda
 *   functions and App Runner services changed, only by the app's deploy role (paths 1);
 * - the CDK bootstrap's execution roles change only by break-glass, and the stack's roles (data
 *   roles and the deploy role) only by the deploy role or break-glass (paths 2 and 3);
 * - trails are stopped, deleted or narrowed only by break-glass or Control Tower, and the stage's
 *   security rules and alarm topic changed only by the deploy role or break-glass (path 8).
 */
export function stageServiceControlPolicy(stageName: string, policy: StagePolicy): ServiceControlPolicy {
  const breakGlass = role(policy.access.breakGlassRole);
  const deployer = role(deployRoleName(stageName));
  const appDeployer = role(policy.access.appDeployRole);
  const tokenRoles = tokenRolePurposes().map((purpose) => role(dataRoleName(stageName, purpose)));
  const stackRoles = [...DATA_ROLE_PURPOSES.map((purpose) => role(dataRoleName(stageName, purpose))), deployer];
  const topic = `arn:*:sns:*:*:${stageResourceName(stageName, 'dataAlarms')}`;
  return {
    Version: '2012-10-17',
    Statement: [
      deny('DenyPassingTokenRolesExceptAppDeploy', ['iam:PassRole'], tokenRoles, [appDeployer, breakGlass]),
      deny(
        'DenyChangingAppCodeExceptAppDeploy',
        ['apprunner:StartDeployment', 'apprunner:UpdateService', 'lambda:UpdateFunctionCode', 'lambda:UpdateFunctionConfiguration'],
        ['*'],
        [appDeployer, breakGlass],
      ),
      deny('DenyChangingExecutionRolesExceptBreakGlass', ROLE_CHANGE_ACTIONS, [role('cdk-*-cfn-exec-role-*')], [breakGlass]),
      deny('DenyChangingStackRolesExceptDeploy', ROLE_CHANGE_ACTIONS, stackRoles, [deployer, breakGlass]),
      deny(
        'DenyStoppingTrailsExceptBreakGlass',
        ['cloudtrail:DeleteTrail', 'cloudtrail:PutEventSelectors', 'cloudtrail:StopLogging', 'cloudtrail:UpdateTrail'],
        ['*'],
        [breakGlass, role(CONTROL_TOWER_ROLE)],
      ),
      deny(
        'DenyChangingSecurityRulesExceptDeploy',
        ['events:DeleteRule', 'events:DisableRule', 'events:PutRule', 'events:PutTargets', 'events:RemoveTargets'],
        [`arn:*:events:*:*:rule/${stageResourceName(stageName, '*')}`],
        [deployer, breakGlass],
      ),
      deny(
        'DenyChangingAlarmTopicExceptDeploy',
        ['sns:AddPermission', 'sns:DeleteTopic', 'sns:RemovePermission', 'sns:SetSubscriptionAttributes', 'sns:SetTopicAttributes', 'sns:Subscribe', 'sns:Unsubscribe'],
        [topic, `${topic}:*`],
        [deployer, breakGlass],
      ),
    ],
  };
}

/** The SCP as Organizations takes it: JSON without whitespace, which is what its size limit counts. */
export function scpJson(scp: ServiceControlPolicy): string {
  return JSON.stringify(scp);
}
