// One file: the security alarms are one table (what each matches, whose calls are expected, what it means and what to do), read whole by the construct, the tests and the generated security doc.
/**
 * The security alarms: EventBridge rules on the calls that reach a token or a recovery point, or
 * that silence the alarms themselves, each with what it means and the first steps. Plain data (no
 * aws-cdk-lib).
 */

import { KEY_ALIAS_ACTIONS, KEY_DESTRUCTIVE_ACTIONS, KEY_GRANT_REVOCATION_ACTIONS, KEY_POLICY_ACTIONS, ROLE_CHANGE_ACTIONS, VAULT_DESTRUCTIVE_ACTIONS, VAULT_POLICY_ACTIONS } from './break-glass';
import { deployRoleName, stageResourceName, type StagePolicy } from '../data/stages';

/** Where an EventBridge security alarm's events come from. */
export type SecurityEventSource = 'cloudTrail' | 'service';

/**
 * Whose calls a security alarm expects: `nobody` (every call is an incident, break-glass included,
 * which is announced first), `deployRole` (the stage's deploy role through CloudFormation: its calls
 * go to a rule of their own that says so, everyone else's are an incident) or `appDeployRole` (the
 * app's deploy role: its calls are the app's deploys and send nothing; everyone else's are an incident).
 */
export type ExpectedCaller = 'nobody' | 'deployRole' | 'appDeployRole';

/** One security alarm: an EventBridge rule of the stack (two where a deploy is expected) that notifies the alarm topic. */
export interface SecurityAlarmSpec {
  /** Heading in the runbook and the security doc, and the `alarm` of each notification. */
  readonly title: string;
  /**
   * `cloudTrail`: an "AWS API Call via CloudTrail" event, which EventBridge receives only while a
   * CloudTrail trail records management events in the account; `service`: an event AWS Backup
   * sends by itself.
   */
  readonly source: SecurityEventSource;
  /** The API calls (`service:Action`) or job states it matches. */
  readonly matches: readonly string[];
  /** Which calls of those it matches, in words (the rule's pattern holds the same). */
  readonly on: string;
  /**
   * What the stage must have for the rule to exist: nothing, a backup vault, a copy destination,
   * or `iamRegion`: the stage in us-east-1, the only region where EventBridge receives IAM's calls.
   */
  readonly needs: 'nothing' | 'backups' | 'copies' | 'iamRegion';
  /** Whose calls are expected. */
  readonly expected: ExpectedCaller;
  /** What it means when it fires. */
  readonly means: string;
  /** The first things to do when it is an incident. */
  readonly firstSteps: readonly string[];
}

/** The security alarms, one EventBridge rule each (and a deploy rule where `expected` is `deployRole`), in every stage with an alarm topic. */
export const SECURITY_ALARMS = {
  keyDisabledOrDeleted: {
    title: 'A KMS key was disabled or scheduled for deletion',
    source: 'cloudTrail',
    matches: KEY_DESTRUCTIVE_ACTIONS,
    on: 'any key of the account and region (a call may name a key by id, ARN or alias)',
    needs: 'nothing',
    expected: 'nobody',
    means: 'For a data-layer key only the break-glass role may do this; disabling the token key stops every shop, deleting the vault key makes every recovery point unreadable.',
    firstSteps: [
      'Read `detail.userIdentity` and `detail.requestParameters.keyId` in the notification: who, and which key.',
      'If it was not a planned break-glass action: `aws kms cancel-key-deletion` and `aws kms enable-key` on the key, as the break-glass role.',
      'The break-glass alarm should have fired first: if it did not, the key policy was changed (see the key-policy alarm).',
    ],
  },
  keyGrantRevoked: {
    title: 'A grant on a KMS key was revoked',
    source: 'cloudTrail',
    matches: KEY_GRANT_REVOCATION_ACTIONS,
    on: 'any key of the account and region',
    needs: 'nothing',
    expected: 'nobody',
    means: 'DynamoDB reads a table through its grants on the table key: a revoked one makes the table unreadable. Key policies let only the break-glass role revoke a grant.',
    firstSteps: [
      'Read `detail.requestParameters.keyId` and `grantId`: which key lost which grant.',
      'Run `npm run verify -- --stage <stage>`; a table DynamoDB can no longer read is restored into a new table under the stage key (`npm run restore`, which creates new grants), then adopted by the stack (docs/restore-runbook.md).',
      'Find how the caller passed the key policy: the key-policy alarm, or the break-glass alarm, should have fired first.',
    ],
  },
  keyPolicyChanged: {
    title: 'A KMS key policy was replaced',
    source: 'cloudTrail',
    matches: KEY_POLICY_ACTIONS,
    on: 'any key of the account and region',
    needs: 'nothing',
    expected: 'deployRole',
    means: 'A key policy decides who may open a token or destroy a key. The deploy role replaces one when a deploy changes it; anyone else doing so (the CDK execution role, an administrator, break-glass) is an incident.',
    firstSteps: [
      'Compare the key policy with the synthesized template (`npx cdk diff -c stage=<stage>`); redeploy from main to restore it.',
      'Look in CloudTrail for what the changed policy allowed meanwhile (Decrypt on the token key by a role the template does not name).',
      'Find how the caller passed the key policy\'s Deny: only the deploy and break-glass roles may call PutKeyPolicy.',
    ],
  },
  keyAliasChanged: {
    title: 'A stage key alias was created, moved or deleted',
    source: 'cloudTrail',
    matches: ['kms:CreateAlias', ...KEY_ALIAS_ACTIONS],
    on: 'aliases under `alias/inavor-shuttle/<stage>/`',
    needs: 'nothing',
    expected: 'deployRole',
    means: 'People and tools find the stage keys by alias; an alias moved to another key would have a restore land under a key the stack does not control (`verify` and `restore` refuse such an alias). Key policies let only the deploy and break-glass roles move or delete one.',
    firstSteps: [
      'Read `detail.requestParameters.aliasName` and `targetKeyId`: which alias now points where.',
      'Run `npm run verify -- --stage <stage>`: it fails when an alias does not point at the key the stack created.',
      'Redeploy from main to put the alias back; stop any restore started since.',
    ],
  },
  vaultProtectionChanged: {
    title: 'A recovery point was deleted or a backup vault\'s lock lifted',
    source: 'cloudTrail',
    matches: VAULT_DESTRUCTIVE_ACTIONS,
    on: 'the stage\'s backup vault and its air-gapped vault',
    needs: 'backups',
    expected: 'nobody',
    means: 'The vault policy lets only the break-glass role do this; the copies in the logically air-gapped vault cannot be deleted by anyone in the account before their retention ends.',
    firstSteps: [
      'Check `detail.userIdentity` and `detail.eventName`; if a recovery point was deleted, note which (`detail.requestParameters.recoveryPointArn`).',
      'Check that the air-gapped vault still holds a copy for the same day (`aws backup list-recovery-points-by-backup-vault`); restore from it if needed (docs/restore-runbook.md).',
      'Find how the caller passed the vault policy: the vault-policy alarm, or the break-glass alarm, should have fired first.',
    ],
  },
  vaultPolicyChanged: {
    title: 'A backup vault\'s access policy or lock was replaced',
    source: 'cloudTrail',
    matches: VAULT_POLICY_ACTIONS,
    on: 'the stage\'s backup vault and its air-gapped vault',
    needs: 'backups',
    expected: 'deployRole',
    means: 'The vault policy is what keeps an administrator from deleting recovery points; replacing it is how one would start. Only the deploy role (a deploy that changes it) and the break-glass role may.',
    firstSteps: [
      'Compare the vault policy with the template (`aws backup get-backup-vault-access-policy`, `npx cdk diff -c stage=<stage>`); redeploy from main to restore it.',
      'Look for DeleteRecoveryPoint and DeleteBackupVaultLockConfiguration calls since (the vault-protection alarm).',
      'Check the air-gapped vault\'s copies cover the retention.',
    ],
  },
  breakGlassUsed: {
    title: 'The break-glass role was assumed',
    source: 'cloudTrail',
    matches: ['sts:AssumeRole', 'sts:AssumeRoleWithSAML'],
    on: 'sessions of the stage\'s break-glass role',
    needs: 'nothing',
    expected: 'nobody',
    means: 'Someone holds the one role that can disable keys, delete recovery points and open tokens outside the app. It is an incident unless the holder announced it in the incident channel first.',
    firstSteps: [
      'Confirm with the holder named in `detail.userIdentity` (Identity Center user) that it is a planned, announced break-glass action.',
      'If nobody claims it: remove the permission set\'s assignment in Identity Center at once; a session already issued lasts until it expires.',
      'Review every call of the session in CloudTrail (`userIdentity.sessionContext.sessionIssuer.arn` is the break-glass role).',
    ],
  },
  roleChanged: {
    title: 'A role that can reach the tokens or the deploy path was changed',
    source: 'cloudTrail',
    matches: ROLE_CHANGE_ACTIONS,
    on: 'the stack\'s data-access roles, every role the token key names (of any stack), the deploy role and the CDK bootstrap\'s execution roles (`cdk-*-cfn-exec-role-*`)',
    needs: 'iamRegion',
    expected: 'deployRole',
    means: 'Widening a token role\'s trust, or deleting one and creating it again under the same name (the key policy names roles by ARN), is how an administrator would decrypt tokens as the app does; changing the deploy or execution role is how one would deploy a key or vault policy of their own.',
    firstSteps: [
      'Read `detail.requestParameters` (the role and the new trust or policy).',
      'Redeploy from main to restore a role of the stack; for an execution role, run `cdk bootstrap` again as the break-glass role.',
      'If a trust was widened or a role recreated, look in CloudTrail for AssumeRole of it and for token-key Decrypt calls by its sessions.',
    ],
  },
  tokenRoleFunctionChanged: {
    title: 'A Lambda function that runs as a token role was created or changed',
    source: 'cloudTrail',
    matches: ['lambda:CreateFunction', 'lambda:UpdateFunctionCode', 'lambda:UpdateFunctionConfiguration'],
    on: 'functions whose execution role the token key names (the request\'s or the function\'s `role`)',
    needs: 'nothing',
    expected: 'appDeployRole',
    means: 'Code running as a token role decrypts tokens as the app does; passing the role to a new function, or changing the code or layers of the app\'s own function, needs no change of the role. Only the app\'s deploy role is expected to.',
    firstSteps: [
      'Read `detail.responseElements.functionName` and `codeSha256`, and `detail.userIdentity`.',
      'If it is not an app deploy: set the function\'s concurrency to 0 (`aws lambda put-function-concurrency --reserved-concurrent-executions 0`) and redeploy the app\'s last good version.',
      'Look in CloudTrail for token-key Decrypt calls by the role\'s sessions since the change.',
    ],
  },
  tokenRoleServiceChanged: {
    title: 'An App Runner service that runs as a token role was created, changed or redeployed',
    source: 'cloudTrail',
    matches: ['apprunner:CreateService', 'apprunner:UpdateService', 'apprunner:StartDeployment'],
    on: 'services whose instance role the token key names, and every redeploy of a service of the account',
    needs: 'nothing',
    expected: 'appDeployRole',
    means: 'An App Runner service runs as its instance role: the web app\'s token role. Creating a service with it, or changing or redeploying the app\'s service, puts new code in front of the tokens; only the app\'s deploy role is expected to.',
    firstSteps: [
      'Read `detail.requestParameters` (the service and its source) and `detail.userIdentity`.',
      'If it is not an app deploy: pause the service (`aws apprunner pause-service`) and redeploy the app\'s last good image.',
      'Look in CloudTrail for token-key Decrypt calls by the role\'s sessions since the change.',
    ],
  },
  tableProtectionChanged: {
    title: 'A table\'s point-in-time recovery, deletion protection or existence was changed',
    source: 'cloudTrail',
    matches: ['dynamodb:DeleteTable', 'dynamodb:UpdateContinuousBackups', 'dynamodb:UpdateTable'],
    on: 'the stage\'s tables, by name or ARN',
    needs: 'nothing',
    expected: 'deployRole',
    means: 'Turning PITR or deletion protection off is the first step to losing a table without a way back. A deploy changes tables through the deploy role; anyone else changing one is drift at best.',
    firstSteps: [
      'Run `npm run verify -- --stage <stage>`: it names every setting that drifted.',
      'Redeploy from main to turn PITR and deletion protection back on; a deleted table is restored with `npm run restore` (docs/restore-runbook.md).',
      'Note the PITR gap: recovery points before the change are gone if PITR was turned off.',
    ],
  },
  backupPlanChanged: {
    title: 'The stage\'s backup plan or selection was changed or deleted',
    source: 'cloudTrail',
    matches: ['backup:CreateBackupSelection', 'backup:DeleteBackupPlan', 'backup:DeleteBackupSelection', 'backup:UpdateBackupPlan'],
    on: 'the stage\'s backup plan',
    needs: 'backups',
    expected: 'deployRole',
    means: 'A plan that no longer runs, or a selection that no longer names the tables, stops backups without a failed job to alarm on.',
    firstSteps: [
      'Read `detail.eventName` and `detail.requestParameters`.',
      'Redeploy from main to restore the plan and selection; start an on-demand backup of each table (`aws backup start-backup-job`).',
      'Check the air-gapped vault still receives copies.',
    ],
  },
  trailChanged: {
    title: 'A CloudTrail trail was stopped, deleted or narrowed',
    source: 'cloudTrail',
    matches: ['cloudtrail:DeleteTrail', 'cloudtrail:PutEventSelectors', 'cloudtrail:StopLogging', 'cloudtrail:UpdateTrail'],
    on: 'any trail of the account, for calls made in the stage\'s region',
    needs: 'nothing',
    expected: 'nobody',
    means: 'Every other security alarm needs a trail recording management events; stopping, deleting or narrowing one silences them all. CloudTrail records the call before it takes effect, so this alarm still fires.',
    firstSteps: [
      'Read `detail.requestParameters` (which trail, and the new selectors or settings).',
      'Start the trail again (`aws cloudtrail start-logging`) or restore its selectors, as the break-glass role; for Control Tower\'s organization trail, ask the organization\'s administrators.',
      'Treat the gap as unwatched: review the account\'s CloudTrail Event history for the time it lasted.',
    ],
  },
  securityRulesChanged: {
    title: 'A security alarm rule was changed, disabled or deleted',
    source: 'cloudTrail',
    matches: ['events:DeleteRule', 'events:DisableRule', 'events:PutRule', 'events:PutTargets', 'events:RemoveTargets'],
    on: 'the stage\'s rules (`inavor-shuttle-<stage>-*`)',
    needs: 'nothing',
    expected: 'deployRole',
    means: 'A disabled or retargeted rule is an alarm that no longer fires. A deploy changes rules through the deploy role; anyone else is silencing them (a rule deleting itself may not report it; the others do).',
    firstSteps: [
      'Read `detail.requestParameters` (which rule, and its new state or targets).',
      'Redeploy from main to restore the rules.',
      'Review CloudTrail for what the rule would have caught while it was off.',
    ],
  },
  alarmTopicChanged: {
    title: 'The alarm topic or its subscriptions were changed',
    source: 'cloudTrail',
    matches: [
      'sns:AddPermission',
      'sns:DeleteTopic',
      'sns:RemovePermission',
      'sns:SetSubscriptionAttributes',
      'sns:SetTopicAttributes',
      'sns:Subscribe',
      'sns:Unsubscribe',
    ],
    on: 'the stage\'s alarm topic and its subscriptions',
    needs: 'nothing',
    expected: 'deployRole',
    means: 'The on-call\'s subscription is part of the template; unsubscribing it, filtering it or changing the topic\'s policy or key silences every alarm. A change that breaks delivery may not deliver its own alarm: CloudFormation drift detection shows it.',
    firstSteps: [
      'Read `detail.eventName` and `detail.requestParameters`.',
      'Redeploy from main to restore the topic and the subscription (an email subscription asks to be confirmed again).',
      'Check the other alarms\' history in CloudTrail for the time the topic was changed.',
    ],
  },
  backupJobFailed: {
    title: 'A backup job failed',
    source: 'service',
    matches: ['Backup Job State Change: FAILED', 'Backup Job State Change: ABORTED', 'Backup Job State Change: EXPIRED'],
    on: 'jobs of the stage\'s vault',
    needs: 'backups',
    expected: 'nobody',
    means: 'A table missed a recovery point: the plan\'s retention has a gap until the next run succeeds.',
    firstSteps: [
      'Read `detail.statusMessage` in the notification and the job in the AWS Backup console.',
      'Start an on-demand backup of the table into the stage\'s vault (`aws backup start-backup-job`) with the stack\'s backup role.',
      'A KMS or permission error after a key or IAM change: check the backup role still has the vault key and the table key.',
    ],
  },
  copyJobFailed: {
    title: 'A backup copy job failed',
    source: 'service',
    matches: ['Copy Job State Change: FAILED'],
    on: 'every copy job of the account and region',
    needs: 'copies',
    expected: 'nobody',
    means: 'A recovery point did not reach the air-gapped vault or the copy destination, so the copy has a gap.',
    firstSteps: [
      'Read `detail.statusMessage`: a retention outside the destination vault\'s, or a destination that refuses this account, is the usual cause.',
      'Copy the recovery point again (`aws backup start-copy-job`) once the cause is fixed.',
      'Check the destination vault still exists and its retention accepts the copy.',
    ],
  },
} as const satisfies Record<string, SecurityAlarmSpec>;

/** The one region where EventBridge receives IAM's (global) CloudTrail events. */
export const IAM_EVENTS_REGION = 'us-east-1';

/** Name of a security alarm. */
export type SecurityAlarmName = keyof typeof SECURITY_ALARMS;

/** Every security alarm with its name, in the table's order. */
export function securityAlarms(): [SecurityAlarmName, SecurityAlarmSpec][] {
  return Object.entries(SECURITY_ALARMS) as [SecurityAlarmName, SecurityAlarmSpec][];
}

/** Name of a security alarm's incident rule, e.g. `inavor-shuttle-prod-break-glass-used`. */
export function securityRuleName(stageName: string, alarm: SecurityAlarmName): string {
  return stageResourceName(stageName, alarm);
}

/** Name of the rule that reports a security alarm's calls by the stage's deploy role, e.g. `inavor-shuttle-prod-key-policy-changed-by-deploy`. */
export function deployRuleName(stageName: string, alarm: SecurityAlarmName): string {
  return `${securityRuleName(stageName, alarm)}-by-deploy`;
}

/** Whether a stage has a security alarm's rules: alarms on, and what the alarm needs. */
export function stageHasAlarm(alarm: SecurityAlarmSpec, policy: StagePolicy): boolean {
  if (!policy.monitoring.alarms) return false;
  switch (alarm.needs) {
    case 'nothing':
      return true;
    case 'backups':
      return policy.backup.rules.length > 0;
    case 'copies':
      return policy.backup.copy !== undefined || policy.backup.airGappedCopy !== undefined;
    case 'iamRegion':
      return policy.region === IAM_EVENTS_REGION;
  }
}

/** The `verdict` a notification carries: an incident, or a change the stage's deploy role made through CloudFormation. */
export const VERDICTS = {
  incident: 'INCIDENT',
  deploy: 'EXPECTED DURING A DEPLOY',
} as const;

/** What each notification says under its verdict, for the alarm's incident rule. */
export function incidentReason(alarm: SecurityAlarmSpec, stageName: string): string {
  switch (alarm.expected) {
    case 'nobody':
      return 'no one is expected to do this; it is an incident unless a break-glass action was announced for it';
    case 'deployRole':
      return `the caller is not the deploy role ${deployRoleName(stageName)} acting through CloudFormation`;
    case 'appDeployRole':
      return 'the caller is not the app\'s deploy role';
  }
}

/** What a notification of a security alarm's deploy rule says under its verdict. */
export function deployReason(stageName: string): string {
  return `the deploy role ${deployRoleName(stageName)} made this change through CloudFormation: expected while a deploy of ${stageName} runs; compare it with that deploy's pull request`;
}

/** The anchor of a security alarm's section in docs/security.md, as GitHub derives it from the heading. */
export function securityRunbookAnchor(alarm: SecurityAlarmSpec): string {
  return alarm.title.toLowerCase().replace(/[^a-z0-9 -]/g, '').replace(/ /g, '-');
}
