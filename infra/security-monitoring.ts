/**
 * The security alarms: EventBridge rules on the calls only break-glass may make to keys and the
 * backup vault, and on failed backup copies, each with what it means and the first steps. Plain
 * data (no aws-cdk-lib), read by the construct, the tests and the generated security doc.
 */

import { KEY_DESTRUCTIVE_ACTIONS, KEY_POLICY_ACTIONS, VAULT_DESTRUCTIVE_ACTIONS, VAULT_POLICY_ACTIONS } from './data-access';
import { stageResourceName } from './stages';

/** Where an EventBridge security alarm's events come from. */
export type SecurityEventSource = 'cloudTrail' | 'service';

/** One security alarm: an EventBridge rule of the stack that notifies the alarm topic. */
export interface SecurityAlarmSpec {
  /** Heading in the runbook and the security doc. */
  readonly title: string;
  /**
   * `cloudTrail`: an "AWS API Call via CloudTrail" event, which EventBridge receives only while a
   * CloudTrail trail records management events in the account; `service`: an event AWS Backup
   * sends by itself.
   */
  readonly source: SecurityEventSource;
  /** The API calls (`service:Action`) or job states it matches. */
  readonly matches: readonly string[];
  /**
   * What the stage must have for the rule to exist: nothing, a backup vault, a copy destination,
   * or `iamRegion`: the stage in us-east-1, the only region where EventBridge receives IAM's calls.
   */
  readonly needs: 'nothing' | 'backups' | 'copies' | 'iamRegion';
  /** What it means when it fires. */
  readonly means: string;
  /** The first things to do. */
  readonly firstSteps: readonly string[];
}

/**
 * The security alarms, one EventBridge rule each, in every stage with an alarm topic. KMS and
 * STS calls arrive through CloudTrail; AWS Backup's job state changes come from the service.
 */
export const SECURITY_ALARMS = {
  keyDisabledOrDeleted: {
    title: 'A KMS key was disabled or scheduled for deletion',
    source: 'cloudTrail',
    matches: KEY_DESTRUCTIVE_ACTIONS,
    needs: 'nothing',
    means: 'It matches any key of the account and region (a call may name a key by id, ARN or alias): for a data-layer key only the break-glass role may do this; disabling the token key stops every shop, deleting the vault key makes every recovery point unreadable.',
    firstSteps: [
      'Read `detail.userIdentity` and `detail.requestParameters.keyId` in the notification: who, and which key.',
      'If it was not a planned break-glass action: `aws kms cancel-key-deletion` and `aws kms enable-key` on the key, as the break-glass role.',
      'Open an incident; the break-glass alarm should have fired first: if it did not, the key policy was changed (see the policy alarm).',
    ],
  },
  keyPolicyChanged: {
    title: 'A KMS key policy was replaced',
    source: 'cloudTrail',
    matches: KEY_POLICY_ACTIONS,
    needs: 'nothing',
    means: 'It matches any key of the account and region. For a data-layer key it is expected during a deploy that changes a key policy (the caller is CloudFormation\'s execution role); anything else was the break-glass role.',
    firstSteps: [
      'Check `detail.userIdentity`: the `cdk-*-cfn-exec-role-*` role during a deploy of this stack is expected.',
      'Otherwise compare the key policy with the synthesized template (`npx cdk diff -c stage=<stage>`) and redeploy to restore it.',
      'Look for what the changed policy allowed meanwhile in CloudTrail (Decrypt on the token key by an unnamed role).',
    ],
  },
  vaultProtectionChanged: {
    title: 'A backup vault\'s protection was changed or a recovery point deleted',
    source: 'cloudTrail',
    matches: [...VAULT_DESTRUCTIVE_ACTIONS, ...VAULT_POLICY_ACTIONS],
    needs: 'backups',
    means: 'The vault policy lets only the break-glass role (and, for the policy and lock, a deploy) do this.',
    firstSteps: [
      'Check `detail.userIdentity` and `detail.eventName`: a deploy changing the vault policy or lock is expected; the rest is break-glass.',
      'If a recovery point was deleted, note which (`detail.requestParameters.recoveryPointArn`) and check the remaining ones cover the retention.',
      'Redeploy the stack to restore the vault policy if it was replaced outside a deploy.',
    ],
  },
  breakGlassUsed: {
    title: 'The break-glass role was assumed',
    source: 'cloudTrail',
    matches: ['sts:AssumeRole', 'sts:AssumeRoleWithSAML'],
    needs: 'nothing',
    means: 'Someone holds the one role that can disable keys, delete recovery points and open tokens outside the app.',
    firstSteps: [
      'Confirm with the holder named in `detail.userIdentity` (Identity Center user) that it is a planned, recorded break-glass action.',
      'If nobody claims it: remove the permission set\'s assignment in Identity Center at once; a session already issued lasts until it expires.',
      'Review every call of the session in CloudTrail (`userIdentity.sessionContext.sessionIssuer.arn` is the break-glass role).',
    ],
  },
  dataRoleChanged: {
    title: 'A data-access role\'s trust or permissions were changed',
    source: 'cloudTrail',
    matches: [
      'iam:AttachRolePolicy',
      'iam:DeleteRolePermissionsBoundary',
      'iam:DeleteRolePolicy',
      'iam:DetachRolePolicy',
      'iam:PutRolePermissionsBoundary',
      'iam:PutRolePolicy',
      'iam:UpdateAssumeRolePolicy',
    ],
    needs: 'iamRegion',
    means: 'Someone changed who may assume a role of the stack or what it may do: the way an administrator would reach the tokens through a token role.',
    firstSteps: [
      'Check `detail.userIdentity`: CloudFormation\'s execution role during a deploy that changes a grant is expected.',
      'Otherwise read `detail.requestParameters` (the new trust or policy) and redeploy the stack to restore the role.',
      'If the trust was widened, look in CloudTrail for AssumeRole of that role and for token-key Decrypt calls by its sessions.',
    ],
  },
  backupJobFailed: {
    title: 'A backup job failed',
    source: 'service',
    matches: ['Backup Job State Change: FAILED', 'Backup Job State Change: ABORTED', 'Backup Job State Change: EXPIRED'],
    needs: 'backups',
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
    needs: 'copies',
    means: 'A recovery point did not reach the copy destination, so the copy has a gap.',
    firstSteps: [
      'Read `detail.statusMessage`: a destination vault policy or key that refuses this account is the usual cause.',
      'Copy the recovery point again (`aws backup start-copy-job`) once the cause is fixed.',
      'Check the destination vault still exists and its retention accepts the copy.',
    ],
  },
} as const satisfies Record<string, SecurityAlarmSpec>;

/** The one region where EventBridge receives IAM's (global) CloudTrail events. */
export const IAM_EVENTS_REGION = 'us-east-1';

/** Name of a security alarm. */
export type SecurityAlarmName = keyof typeof SECURITY_ALARMS;

/** Name of a security alarm's EventBridge rule, e.g. `inavor-shuttle-prod-break-glass-used`. */
export function securityRuleName(stageName: string, alarm: SecurityAlarmName): string {
  return stageResourceName(stageName, alarm);
}
