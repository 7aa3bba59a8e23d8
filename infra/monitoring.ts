/**
 * Every alarm threshold of the data layer, and the alarms the schema map implies for one table.
 * Plain data (no aws-cdk-lib), so the construct, the tests and the generated runbook read the same
 * numbers. Which stages get the alarms is the stage policy's `monitoring` (infra/stages.ts).
 */

import { KEY_DESTRUCTIVE_ACTIONS, KEY_POLICY_ACTIONS, TABLE_ACTIONS, VAULT_DESTRUCTIVE_ACTIONS, VAULT_POLICY_ACTIONS } from './data-access';
import type { TableSchema } from './schema-model';
import { dataStackName, physicalTableName } from './stages';

/** CloudWatch namespace of every DynamoDB metric. */
export const DYNAMODB_NAMESPACE = 'AWS/DynamoDB';

/** How one kind of alarm evaluates its metric. */
export interface AlarmRule {
  /** CloudWatch statistic, e.g. `Sum` or `p99`. */
  readonly statistic: string;
  /** Length of one datapoint. */
  readonly periodSeconds: number;
  /** Datapoints looked at. */
  readonly evaluationPeriods: number;
  /** Of those, how many must breach. */
  readonly datapointsToAlarm: number;
  /** CloudWatch comparison operator. */
  readonly comparison: 'GreaterThanOrEqualToThreshold' | 'GreaterThanThreshold';
  /** CloudWatch treatment of a period without data. */
  readonly treatMissingData: 'notBreaching' | 'breaching' | 'ignore' | 'missing';
  /** One line on why these numbers. */
  readonly reason: string;
  /** One line on why that missing-data treatment. */
  readonly missingDataReason: string;
}

/** A threshold and why. */
export interface Threshold {
  readonly value: number;
  readonly reason: string;
}

/** The DynamoDB operations the alarms watch latency for. */
export type MonitoredOperation = 'GetItem' | 'Query' | 'PutItem' | 'UpdateItem' | 'DeleteItem' | 'BatchWriteItem';

/** Every alarm threshold, in one place. */
export const ALARM_RULES = {
  throttleEvents: {
    statistic: 'Sum',
    periodSeconds: 60,
    evaluationPeriods: 5,
    datapointsToAlarm: 3,
    comparison: 'GreaterThanOrEqualToThreshold',
    threshold: {
      value: 1,
      reason: 'On-demand tables should never throttle; any event is a hot partition or an account limit, and the SDK retries hide only the first ones.',
    },
    treatMissingData: 'notBreaching',
    reason: 'Throttling in 3 of 5 minutes means the SDK retries are losing and jobs are stalling; a single throttled minute is absorbed by retries.',
    missingDataReason: 'DynamoDB publishes no throttle datapoint in a minute without throttling, so a missing datapoint is a zero.',
  },
  systemErrors: {
    statistic: 'Sum',
    periodSeconds: 60,
    evaluationPeriods: 5,
    datapointsToAlarm: 2,
    comparison: 'GreaterThanOrEqualToThreshold',
    threshold: {
      value: 1,
      reason: 'A system error is a 500 from DynamoDB itself; the application cannot cause one, so any is worth a look.',
    },
    treatMissingData: 'notBreaching',
    reason: 'Errors in 2 of 5 minutes are a service or regional event rather than one retried blip.',
    missingDataReason: 'No datapoint is published in a minute without system errors, so a missing datapoint is a zero.',
  },
  latency: {
    statistic: 'p99',
    periodSeconds: 300,
    evaluationPeriods: 3,
    datapointsToAlarm: 3,
    comparison: 'GreaterThanThreshold',
    treatMissingData: 'notBreaching',
    reason: 'A p99 needs 5 minutes of requests to be stable, and 15 slow minutes in a row separate a degradation from one slow burst.',
    missingDataReason: 'A period without successful requests had nothing slow in it; failures are what the throttle and error alarms catch.',
  },
} as const satisfies {
  throttleEvents: AlarmRule & { threshold: Threshold };
  systemErrors: AlarmRule & { threshold: Threshold };
  latency: AlarmRule;
};

/** p99 latency thresholds in milliseconds, per operation. */
export const LATENCY_THRESHOLDS_MS = {
  GetItem: { value: 20, reason: 'One item by its full key is served in single-digit milliseconds; 20 is several times normal.' },
  Query: { value: 50, reason: 'A page reads up to the Limit of items (20 to 100 here), so it runs longer than a GetItem.' },
  PutItem: { value: 30, reason: 'One item write, plus its index entries, is single-digit milliseconds normally.' },
  UpdateItem: { value: 30, reason: 'Same cost as a put: one item and the index entries it changes.' },
  DeleteItem: { value: 30, reason: 'Same cost as a put: one item and its index entries.' },
  BatchWriteItem: { value: 100, reason: 'Up to 25 items in one request, written in parallel by DynamoDB.' },
} as const satisfies Record<MonitoredOperation, Threshold>;

/**
 * The write operations the application's role may call (from the grants in data-access.ts), so a
 * write the client starts using is watched as soon as it is granted.
 */
export const WRITE_OPERATIONS: readonly MonitoredOperation[] = (() => {
  const read = new Set(TABLE_ACTIONS.read);
  return TABLE_ACTIONS.readWrite
    .filter((action) => !read.has(action))
    .map((action) => {
      const operation = action.replace(/^dynamodb:/, '');
      if (!(operation in LATENCY_THRESHOLDS_MS)) {
        throw new Error(`The application may call ${operation}, which has no p99 latency threshold: add one to LATENCY_THRESHOLDS_MS in infra/monitoring.ts.`);
      }
      return operation as MonitoredOperation;
    });
})();

/** The operations a table serves: each access pattern's read, then every write the client makes. */
export function monitoredOperations(schema: TableSchema): MonitoredOperation[] {
  return [...new Set<MonitoredOperation>([...schema.accessPatterns.map((pattern) => pattern.operation), ...WRITE_OPERATIONS])];
}

/** What kind of alarm, which selects its rule and its runbook section. */
export type AlarmKind = 'readThrottleEvents' | 'writeThrottleEvents' | 'systemErrors' | 'latency';

/** One metric an alarm watches. */
export interface AlarmMetric {
  readonly metricName: string;
  readonly dimensions: Readonly<Record<string, string>>;
}

/** One alarm, as the schema map implies it. */
export interface AlarmSpec {
  readonly kind: AlarmKind;
  /** The alarm's name, e.g. `InavorShuttleData-prod-Jobs-status-createdAt-WriteThrottleEvents`. */
  readonly alarmName: string;
  /** Construct id, unique within the table's monitoring. */
  readonly id: string;
  /** The table (logical name). */
  readonly table: string;
  /** The index, for an index's throttle alarms. */
  readonly index?: string;
  /** The operation, for a latency alarm. */
  readonly operation?: MonitoredOperation;
  /** The metrics; an alarm on several sums them. */
  readonly metrics: readonly AlarmMetric[];
  readonly rule: AlarmRule;
  readonly threshold: Threshold;
}

/**
 * Every alarm of one table in one stage: read and write throttle events on the table and on each
 * index (an index's throttles carry its `GlobalSecondaryIndexName`, so the alarm names the index
 * that is hot, which the table-level `ThrottledRequests` cannot), the table's system errors summed
 * over its operations, and the p99 latency of each operation it serves.
 */
export function tableAlarms(schema: TableSchema, stageName: string): AlarmSpec[] {
  const prefix = dataStackName(stageName);
  const TableName = physicalTableName(schema.name, stageName);
  const operations = monitoredOperations(schema);
  const throttles = (index?: string): AlarmSpec[] =>
    (['Read', 'Write'] as const).map((direction): AlarmSpec => {
      const metricName = `${direction}ThrottleEvents`;
      const scope = index === undefined ? schema.name : `${schema.name}-${index}`;
      const dimensions: Record<string, string> = index === undefined ? { TableName } : { TableName, GlobalSecondaryIndexName: index };
      return {
        kind: direction === 'Read' ? 'readThrottleEvents' : 'writeThrottleEvents',
        alarmName: `${prefix}-${scope}-${metricName}`,
        id: `${index ?? 'Table'}${metricName}`,
        table: schema.name,
        ...(index === undefined ? {} : { index }),
        metrics: [{ metricName, dimensions }],
        rule: ALARM_RULES.throttleEvents,
        threshold: ALARM_RULES.throttleEvents.threshold,
      };
    });
  return [
    ...throttles(),
    ...schema.indexes.flatMap((index) => throttles(index.name)),
    {
      kind: 'systemErrors',
      alarmName: `${prefix}-${schema.name}-SystemErrors`,
      id: 'SystemErrors',
      table: schema.name,
      // SystemErrors is published per operation only; there is no table-wide series.
      metrics: operations.map((Operation) => ({ metricName: 'SystemErrors', dimensions: { TableName, Operation } })),
      rule: ALARM_RULES.systemErrors,
      threshold: ALARM_RULES.systemErrors.threshold,
    },
    ...operations.map(
      (operation): AlarmSpec => ({
        kind: 'latency',
        alarmName: `${prefix}-${schema.name}-${operation}-LatencyP99`,
        id: `${operation}LatencyP99`,
        table: schema.name,
        operation,
        metrics: [{ metricName: 'SuccessfulRequestLatency', dimensions: { TableName, Operation: operation } }],
        rule: ALARM_RULES.latency,
        threshold: LATENCY_THRESHOLDS_MS[operation],
      }),
    ),
  ];
}

/** Where an alarm kind's section of docs/alarms-runbook.md is. */
export const RUNBOOK_ANCHORS: Record<AlarmKind, string> = {
  readThrottleEvents: 'read-throttle-events',
  writeThrottleEvents: 'write-throttle-events',
  systemErrors: 'system-errors',
  latency: 'p99-latency',
};

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
    means: 'Only the break-glass role may do this to a data-layer key; disabling the token key stops every shop, deleting the vault key makes every recovery point unreadable.',
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
    means: 'Expected during a deploy that changes a key policy (the caller is CloudFormation\'s execution role); anything else was the break-glass role.',
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
  return `inavor-shuttle-${stageName}-${alarm.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`;
}
