/**
 * The paths an administrator of a stage's account has to a token or a recovery point, each step
 * with what refuses it (a policy the tests evaluate), the alarm that fires on it (a rule the tests
 * match against a recorded CloudTrail entry of the call) and the SCP statement that would refuse it
 * where only the organization can. The security doc renders this table and
 * `test/infra/admin-paths.test.ts` holds every claim of it to a check. Plain data.
 */

import type { SecurityAlarmName } from './security-monitoring';

/** One step an administrator takes on a path. */
export interface PathStep {
  /** Key of the step's checks in the test. */
  readonly id: string;
  /** What the administrator does. */
  readonly step: string;
  /** What refuses it, as the security doc says it; absent when nothing in the account does. */
  readonly blockedBy?: string;
  /** The alarm that fires on it; absent when it is blocked outright and leaves nothing to alarm on. */
  readonly alarm?: SecurityAlarmName;
  /** The Sid of the stage SCP statement that refuses it, where only the organization can. */
  readonly organization?: string;
}

/** A path from an account administrator to a token or a recovery point. */
export interface AdminPath {
  /** What the path reaches, in a few words. */
  readonly path: string;
  readonly steps: readonly PathStep[];
}

export const ADMIN_PATHS: readonly AdminPath[] = [
  {
    path: 'Run code as a token role, then decrypt as the app does',
    steps: [
      { id: 'passToFunction', step: 'Create a Lambda function with a token role (`iam:PassRole`).', alarm: 'tokenRoleFunctionChanged', organization: 'DenyPassingTokenRolesExceptAppDeploy' },
      { id: 'passToService', step: 'Create an App Runner service with the web app\'s token role as its instance role.', alarm: 'tokenRoleServiceChanged', organization: 'DenyPassingTokenRolesExceptAppDeploy' },
      { id: 'changeFunction', step: '`UpdateFunctionCode` or `UpdateFunctionConfiguration` (layers) on the app\'s own function, which needs no `PassRole`.', alarm: 'tokenRoleFunctionChanged', organization: 'DenyChangingAppCodeExceptAppDeploy' },
      { id: 'redeployService', step: 'Change or redeploy the app\'s App Runner service.', alarm: 'tokenRoleServiceChanged', organization: 'DenyChangingAppCodeExceptAppDeploy' },
    ],
  },
  {
    path: 'A stack update that rewrites a key policy, then decrypt or schedule the key\'s deletion',
    steps: [
      { id: 'updateStackAsExecutionRole', step: '`update-stack --role-arn` the CDK bootstrap\'s execution role with a new key policy.', blockedBy: 'every key policy: `kms:PutKeyPolicy` only for the deploy and break-glass roles' },
      { id: 'deployFromLaptop', step: '`cdk deploy` from a laptop with administrator credentials (CloudFormation acts with them).', blockedBy: 'every key policy: `kms:PutKeyPolicy` only for the deploy and break-glass roles' },
      { id: 'deployThroughPipeline', step: 'Merge a change of the key policy and let the pipeline deploy it (prod: after a reviewer approves).', alarm: 'keyPolicyChanged' },
    ],
  },
  {
    path: 'Take over the deploy path, then replace a key or vault policy directly',
    steps: [
      { id: 'changeExecutionRoleTrust', step: 'Change the CDK execution role\'s trust to assume it.', alarm: 'roleChanged', organization: 'DenyChangingExecutionRolesExceptBreakGlass' },
      { id: 'putKeyPolicyAsExecutionRole', step: '`PutKeyPolicy` or `PutBackupVaultAccessPolicy` as the execution role.', blockedBy: 'every key policy and the vault policy: only the deploy and break-glass roles' },
      { id: 'assumeDeployRole', step: 'Assume the deploy role as it is.', blockedBy: 'the deploy role\'s trust: only a GitHub job of the stage\'s repository and environment' },
      { id: 'changeDeployRoleTrust', step: 'Change the deploy role\'s trust to assume it, then replace a policy as the deploy role.', alarm: 'roleChanged', organization: 'DenyChangingStackRolesExceptDeploy' },
    ],
  },
  {
    path: 'Lift the vault lock and delete recovery points',
    steps: [
      { id: 'replaceVaultPolicy', step: '`PutBackupVaultAccessPolicy` with a policy that no longer protects the vault.', blockedBy: 'the vault policy: only the deploy and break-glass roles', alarm: 'vaultPolicyChanged' },
      { id: 'deleteRecoveryPoint', step: '`DeleteBackupVaultLockConfiguration` (governance mode) and `DeleteRecoveryPoint`.', blockedBy: 'the vault policy: only the break-glass role', alarm: 'vaultProtectionChanged' },
      { id: 'deleteAirGappedCopy', step: 'Delete or shorten the copies in the logically air-gapped vault (prod).', blockedBy: 'AWS Backup: the vault is in compliance mode, with a key AWS owns; no one in the account, root included, can delete a copy before its retention' },
    ],
  },
  {
    path: 'Move a stage alias to a key of one\'s own, so a restore lands under it',
    steps: [
      { id: 'moveAlias', step: '`UpdateAlias` or `DeleteAlias` on a stage alias.', blockedBy: 'every key policy: only the deploy and break-glass roles', alarm: 'keyAliasChanged' },
      { id: 'restoreUnderMovedAlias', step: 'Have `npm run verify` or `npm run restore` use the moved alias.', blockedBy: 'verify and restore: the alias must point at the key the stack\'s outputs name' },
    ],
  },
  {
    path: 'Cut DynamoDB off from the table key',
    steps: [{ id: 'revokeGrant', step: '`RevokeGrant` on DynamoDB\'s grants of the table key.', blockedBy: 'every key policy: only the break-glass role', alarm: 'keyGrantRevoked' }],
  },
  {
    path: 'Lose a table without a way back',
    steps: [
      { id: 'turnOffProtection', step: 'Turn PITR or deletion protection off, then `DeleteTable`.', alarm: 'tableProtectionChanged' },
      { id: 'stopBackups', step: 'Delete or change the backup plan or its selection.', alarm: 'backupPlanChanged' },
    ],
  },
  {
    path: 'Silence the alarms',
    steps: [
      { id: 'stopTrail', step: '`StopLogging`, `DeleteTrail`, `UpdateTrail` or `PutEventSelectors`.', alarm: 'trailChanged', organization: 'DenyStoppingTrailsExceptBreakGlass' },
      { id: 'changeRules', step: 'Disable, delete or retarget a security rule.', alarm: 'securityRulesChanged', organization: 'DenyChangingSecurityRulesExceptDeploy' },
      { id: 'unsubscribe', step: 'Unsubscribe or filter the on-call, or change the topic\'s policy.', alarm: 'alarmTopicChanged', organization: 'DenyChangingAlarmTopicExceptDeploy' },
    ],
  },
  {
    path: 'Reach the tokens through a token role of another stack',
    steps: [
      { id: 'changeOtherStackTokenRole', step: 'Change the trust of a role another stack was given `grantTokenAccess` for.', alarm: 'roleChanged' },
      { id: 'runAsOtherStackTokenRole', step: 'Pass that role to a new function, or change the function that runs as it.', alarm: 'tokenRoleFunctionChanged' },
    ],
  },
];
