import {
  RestoreTableFromBackupCommand,
  RestoreTableToPointInTimeCommand,
  TagResourceCommand,
  UpdateContinuousBackupsCommand,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
  type SSESpecification,
} from '@aws-sdk/client-dynamodb';
import { stageKeyAlias } from '../../infra/data/stages';
import type { RestoreRequest } from './request';

/** What the read-only checks found before the plan is made. */
export interface Resolved {
  /** ARN of the stage's table key, from its alias. */
  readonly keyArn: string;
  /** ARN the restored table will have. */
  readonly targetArn: string;
  /** For a point-in-time restore: the source's restorable window. */
  readonly window?: { readonly earliest: Date; readonly latest: Date };
}

/** One call the restore makes, with its exact input. */
export interface PlannedCall {
  /** DynamoDB API name, e.g. `UpdateTimeToLive`. */
  readonly api: string;
  /** The SDK command; its `input` is what is sent. */
  readonly command: { readonly input: object };
}

/** A setting a restore does not bring back, and the call that re-applies it (none when the stage wants it off). */
export interface Reapply {
  readonly setting: string;
  readonly call?: PlannedCall;
  /** Why there is no call, when there is none. */
  readonly note?: string;
}

/** A setting the command cannot re-apply on a table outside the stack, and what brings it back. */
export interface NotReapplied {
  readonly setting: string;
  readonly how: string;
}

/** Everything a restore will do, in order. */
export interface RestorePlan {
  readonly request: RestoreRequest;
  readonly resolved: Resolved;
  readonly restore: PlannedCall;
  readonly reapply: readonly Reapply[];
  readonly notReapplied: readonly NotReapplied[];
}

/** The restore call and every setting to re-apply on the restored table, from the schema map and the stage policy. */
export function buildPlan(request: RestoreRequest, resolved: Resolved): RestorePlan {
  const { schema, policy, stage, source, sourceTable, targetTable: TableName } = request;
  // The stack's tables are on-demand and encrypted with the stage key; a restore must not fall back to the defaults.
  const sse: SSESpecification = { Enabled: true, SSEType: 'KMS', KMSMasterKeyId: resolved.keyArn };
  const restore: PlannedCall =
    source.kind === 'backup'
      ? {
          api: 'RestoreTableFromBackup',
          command: new RestoreTableFromBackupCommand({
            TargetTableName: TableName,
            BackupArn: source.backupArn,
            BillingModeOverride: 'PAY_PER_REQUEST',
            SSESpecificationOverride: sse,
          }),
        }
      : {
          api: 'RestoreTableToPointInTime',
          command: new RestoreTableToPointInTimeCommand({
            SourceTableName: sourceTable,
            TargetTableName: TableName,
            ...(source.kind === 'time' ? { RestoreDateTime: source.time } : { UseLatestRestorableTime: true }),
            BillingModeOverride: 'PAY_PER_REQUEST',
            SSESpecificationOverride: sse,
          }),
        };

  const reapply: Reapply[] = [];
  if (schema.ttl) {
    reapply.push({
      setting: `TTL on ${schema.ttl.attribute}`,
      call: {
        api: 'UpdateTimeToLive',
        command: new UpdateTimeToLiveCommand({ TableName, TimeToLiveSpecification: { Enabled: true, AttributeName: schema.ttl.attribute } }),
      },
    });
  }
  reapply.push({
    setting: `PITR, ${policy.pitrRecoveryPeriodDays} days`,
    call: {
      api: 'UpdateContinuousBackups',
      command: new UpdateContinuousBackupsCommand({
        TableName,
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true, RecoveryPeriodInDays: policy.pitrRecoveryPeriodDays },
      }),
    },
  });
  reapply.push(
    policy.protectData
      ? {
          setting: 'deletion protection',
          call: { api: 'UpdateTable', command: new UpdateTableCommand({ TableName, DeletionProtectionEnabled: true }) },
        }
      : { setting: 'deletion protection', note: `off in ${stage}, which does not protect its data; a restored table starts with it off` },
  );
  reapply.push({
    setting: 'tags',
    call: {
      api: 'TagResource',
      command: new TagResourceCommand({
        ResourceArn: resolved.targetArn,
        Tags: Object.entries(policy.tags).map(([Key, Value]) => ({ Key, Value })),
      }),
    },
  });

  const adoption = 'they come back when the stack owns the table again (see the adoption steps)';
  const notReapplied: NotReapplied[] = [
    { setting: 'alarms', how: `the stack's CloudWatch alarms watch ${sourceTable}, not the restored table; ${adoption}` },
    { setting: 'IAM policies', how: `the app's grants name ${sourceTable}'s ARN, so the app cannot use the restored table; ${adoption}` },
    {
      setting: 'backup-plan selection',
      how:
        policy.backup.rules.length > 0
          ? `the AWS Backup selection names ${sourceTable}'s ARN; ${adoption}. Until then: aws dynamodb create-backup --table-name ${TableName} --backup-name ${TableName}-manual`
          : `none in ${stage}, which has no backup plan`,
    },
    { setting: 'stack ownership', how: `no stack owns ${TableName}: cdk deploy neither updates nor deletes it; see the adoption steps` },
  ];
  return { request, resolved, restore, reapply, notReapplied };
}

/** The AWS CLI command that makes the same call, for a step that is left to do by hand. */
export function cliCommand(call: PlannedCall, region: string): string {
  const operation = call.api.replace(/[A-Z]/g, (letter, at: number) => `${at > 0 ? '-' : ''}${letter.toLowerCase()}`);
  return `aws dynamodb ${operation} --region ${region} --cli-input-json '${JSON.stringify(call.command.input)}'`;
}

/** The plan as printed, with and without --execute. */
export function formatPlan(plan: RestorePlan): string[] {
  const { request, resolved } = plan;
  const { source } = request;
  const window = resolved.window
    ? ` (restorable from ${resolved.window.earliest.toISOString()} to ${resolved.window.latest.toISOString()})`
    : '';
  const from =
    source.kind === 'time'
      ? `${request.sourceTable} as it was at ${source.time.toISOString()}${window}`
      : source.kind === 'latest'
        ? `${request.sourceTable} at its latest restorable time${window}`
        : `backup ${source.backupArn}`;
  const show = (call: PlannedCall) => `${call.api} ${JSON.stringify(call.command.input)}`;
  const lines = [
    `Restore plan: ${request.schema.name} in ${request.stage} (${request.policy.region})`,
    `  source: ${from}`,
    `  target: ${request.targetTable} (a new table; it does not exist)`,
    `  key:    ${stageKeyAlias(request.stage)} = ${resolved.keyArn}`,
    `1. restore: ${show(plan.restore)}`,
    `2. wait until ${request.targetTable} is ACTIVE: DescribeTable every ${request.pollIntervalMs / 1000} s, at most ${request.maxWaitMs / 60_000} min`,
    'Settings a restore does not bring back, re-applied in this order:',
  ];
  let step = 3;
  for (const item of plan.reapply) {
    lines.push(item.call ? `${step++}. ${item.setting}: ${show(item.call)}` : `-  ${item.setting}: no call; ${item.note}`);
  }
  lines.push(`${step}. verify: the checks of npm run verify, on ${request.targetTable}`);
  lines.push('Settings this command does not re-apply:');
  for (const item of plan.notReapplied) lines.push(`-  ${item.setting}: ${item.how}`);
  return lines;
}
