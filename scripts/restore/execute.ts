import {
  DescribeBackupCommand,
  DescribeContinuousBackupsCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  ResourceNotFoundException,
  type UpdateTimeToLiveCommandInput,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { DescribeKeyCommand, type KMSClient } from '@aws-sdk/client-kms';
import { ConfigError } from '../../infra/data/config-error';
import { checkTable, formatResults } from '../verify/checks';
import { observeTable } from '../verify/main';
import { requireStackKey } from '../shared/stage-key-identity';
import { adoptionSteps } from './adoption';
import { cliCommand, type PlannedCall, type RestorePlan, type Resolved } from './plan';
import { stageKeyAlias } from '../../infra/data/stages';
import type { RestoreRequest } from './request';

/** The clients a restore uses; KMS to find the stage key by its alias, CloudFormation to check the alias against the stack. */
export interface RestoreClients {
  readonly dynamodb: DynamoDBClient;
  readonly kms: KMSClient;
  readonly cloudformation: CloudFormationClient;
}

/**
 * The read-only checks before anything is changed: the stage key exists, is enabled and is the
 * key the stack created (its alias may have been moved), the target table does not exist, and the source can be restored (PITR on and the time inside its
 * window, or the backup AVAILABLE). A failure is a one-line ConfigError.
 */
export async function preflight(request: RestoreRequest, { dynamodb, kms, cloudformation }: RestoreClients): Promise<Resolved> {
  const alias = stageKeyAlias(request.stage);
  const key = (await kms.send(new DescribeKeyCommand({ KeyId: alias }))).KeyMetadata;
  if (!key?.Arn || key.KeyState !== 'Enabled') {
    throw new ConfigError([`The stage key ${alias} is ${key?.KeyState ?? 'not described'}; a restore needs it Enabled.`]);
  }
  // A moved alias would have the restored table encrypted under a key the stack does not control.
  await requireStackKey(cloudformation, request.stage, key.Arn);
  if (await tableExists(dynamodb, request.targetTable)) {
    throw new ConfigError([`Table ${request.targetTable} already exists; a restore never overwrites a table. Choose another --target.`]);
  }
  // arn:<partition>:kms:<region>:<account>:key/<id>: the table lives in the key's partition and account.
  const [, partition, , , account] = key.Arn.split(':');
  const targetArn = `arn:${partition}:dynamodb:${request.policy.region}:${account}:table/${request.targetTable}`;

  const { source, sourceTable } = request;
  if (source.kind === 'backup') {
    const details = (await dynamodb.send(new DescribeBackupCommand({ BackupArn: source.backupArn }))).BackupDescription?.BackupDetails;
    if (details?.BackupStatus !== 'AVAILABLE') {
      throw new ConfigError([`Backup ${source.backupArn} is ${details?.BackupStatus ?? 'not described'}; only an AVAILABLE backup can be restored.`]);
    }
    return { keyArn: key.Arn, targetArn };
  }
  const pitr = (await dynamodb.send(new DescribeContinuousBackupsCommand({ TableName: sourceTable }))).ContinuousBackupsDescription
    ?.PointInTimeRecoveryDescription;
  if (pitr?.PointInTimeRecoveryStatus !== 'ENABLED' || !pitr.EarliestRestorableDateTime || !pitr.LatestRestorableDateTime) {
    throw new ConfigError([`${sourceTable} has no point-in-time recovery (${pitr?.PointInTimeRecoveryStatus ?? 'DISABLED'}); restore from a backup (--backup-arn).`]);
  }
  const window = { earliest: pitr.EarliestRestorableDateTime, latest: pitr.LatestRestorableDateTime };
  if (source.kind === 'time' && (source.time < window.earliest || source.time > window.latest)) {
    throw new ConfigError([
      `--to ${source.time.toISOString()} is outside ${sourceTable}'s restorable window, ${window.earliest.toISOString()} to ${window.latest.toISOString()}.`,
    ]);
  }
  return { keyArn: key.Arn, targetArn, window };
}

async function tableExists(dynamodb: DynamoDBClient, TableName: string): Promise<boolean> {
  try {
    await dynamodb.send(new DescribeTableCommand({ TableName }));
    return true;
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return false;
    throw error;
  }
}

interface Step {
  readonly title: string;
  /** The call, for the "left" list when the step was not done. */
  readonly call?: PlannedCall;
  readonly run: () => Promise<void>;
}

/** How the wait tells time: the machine's clock, or a test's. */
export interface Clock {
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
}

/** The machine's clock. */
export const REAL_CLOCK: Clock = { now: () => Date.now(), sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)) };

/**
 * Runs the plan: restore, wait for ACTIVE, re-apply every setting, verify. It stops at the first
 * failure, prints what was done and what is left (with the command for each call left) and
 * resolves to 1. Nothing is ever deleted.
 */
export async function executePlan(
  plan: RestorePlan,
  { dynamodb }: RestoreClients,
  print: (line: string) => void,
  clock: Clock = REAL_CLOCK,
): Promise<number> {
  const { request } = plan;
  const { targetTable: TableName, policy } = request;
  const send = (call: PlannedCall) => dynamodb.send(call.command as Parameters<DynamoDBClient['send']>[0]);
  // What a failed restore call left, once the target is looked up: nothing, or a table that is not this restore's.
  let leftByRestore: Exclude<TargetAfterFailure, 'this restore'> = 'absent';
  const restoreStep = async () => {
    try {
      await send(plan.restore);
    } catch (error) {
      // The SDK retries a call whose answer was lost; if the first attempt created the table, the
      // retry is refused (TableAlreadyExistsException) while the restore goes on. So the target says what happened.
      const target = await targetAfterFailure(dynamodb, plan);
      if (target !== 'this restore') {
        leftByRestore = target;
        throw error;
      }
      print(`  ${describeError(error)}; yet ${TableName} exists, restored from ${restoreSource(plan)}: the restore is under way.`);
    }
  };
  const steps: Step[] = [
    { title: `restore into ${TableName} (${plan.restore.api})`, call: plan.restore, run: restoreStep },
    { title: `wait until ${TableName} is ACTIVE`, run: () => waitForActive(dynamodb, request, print, clock) },
    ...plan.reapply.flatMap(({ setting, call }): Step[] => {
      if (!call) return [];
      const run = async () => {
        try {
          await send(call);
        } catch (error) {
          // The other calls are idempotent; a retried UpdateTimeToLive whose first answer was lost is refused as already enabled.
          if (call.api !== 'UpdateTimeToLive' || !(await ttlAlreadyOn(dynamodb, call.command.input as UpdateTimeToLiveCommandInput))) throw error;
        }
      };
      return [{ title: `re-apply ${setting} (${call.api})`, call, run }];
    }),
    {
      title: `verify ${TableName}`,
      run: async () => {
        const observation = await observeTable(dynamodb, TableName, request.schema.ttl !== undefined, async () => true);
        // The restore was made with the key resolved from the stage's alias, so that is the key to expect.
        const results = checkTable(request.schema, request.stage, policy, { ...observation, stageKeyArn: { answered: plan.resolved.keyArn } }, TableName);
        for (const line of formatResults(results)) print(`  ${line}`);
        const failed = results.filter((result) => result.status === 'FAIL').length;
        if (failed > 0) throw new Error(`${failed} check(s) failed`);
      },
    },
  ];

  const done: string[] = [];
  for (const [index, step] of steps.entries()) {
    print(`[${index + 1}/${steps.length}] ${step.title}`);
    try {
      await step.run();
    } catch (error) {
      print(`Error: step ${index + 1} (${step.title}) failed: ${describeError(error)}`);
      print(done.length === 0 ? 'Done: nothing' : 'Done:');
      for (const title of done) print(`  - ${title}`);
      print('Left:');
      for (const left of steps.slice(index)) {
        print(`  - ${left.title}${left.call ? `: ${cliCommand(left.call, policy.region)}` : ''}`);
      }
      print(
        done.length > 0
          ? `${TableName} is kept as it is; nothing was deleted. Finish the steps left by hand, or run npm run verify against it to see what differs.`
          : UNDONE[leftByRestore](TableName, policy.region),
      );
      return 1;
    }
    done.push(step.title);
  }
  print(`Restored ${request.sourceTable} into ${TableName}, with every setting re-applied and verified.`);
  for (const line of adoptionSteps(request)) print(line);
  return 0;
}

/** The target table after a failed restore call: none, this restore's (its answer was lost), another's, or unknown. */
type TargetAfterFailure = 'absent' | 'this restore' | 'another table' | 'unknown';

/** The last line after a failed restore call, by what the target then was. */
const UNDONE: Record<Exclude<TargetAfterFailure, 'this restore'>, (table: string, region: string) => string> = {
  absent: () => 'Nothing was changed.',
  'another table': (table) => `${table} exists now but was not restored from this source: something else created it. This run changed nothing.`,
  unknown: (table, region) =>
    `Whether ${table} was created is unknown: it could not be looked up. Check with aws dynamodb describe-table --region ${region} --table-name ${table} before anything else; run again with --target ${table}, which stops if it exists.`,
};

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** What the restore reads from, as DynamoDB's RestoreSummary of the new table names it. */
function restoreSource(plan: RestorePlan): string {
  const { source, sourceTable } = plan.request;
  return source.kind === 'backup' ? `backup ${source.backupArn}` : sourceTable;
}

/**
 * Looks the target up after a failed restore call. The read-only checks found no table of that
 * name just before; one there now whose RestoreSummary names this source is this restore's.
 */
async function targetAfterFailure(dynamodb: DynamoDBClient, plan: RestorePlan): Promise<TargetAfterFailure> {
  const { source, sourceTable, targetTable } = plan.request;
  let table;
  try {
    ({ Table: table } = await dynamodb.send(new DescribeTableCommand({ TableName: targetTable })));
  } catch (error) {
    return error instanceof ResourceNotFoundException ? 'absent' : 'unknown';
  }
  const summary = table?.RestoreSummary;
  const fromSource =
    source.kind === 'backup' ? summary?.SourceBackupArn === source.backupArn : summary?.SourceTableArn?.endsWith(`:table/${sourceTable}`) === true;
  return fromSource ? 'this restore' : 'another table';
}

/** Whether the TTL an UpdateTimeToLive asks for is on (or being turned on) already. */
async function ttlAlreadyOn(dynamodb: DynamoDBClient, { TableName, TimeToLiveSpecification }: UpdateTimeToLiveCommandInput): Promise<boolean> {
  try {
    const { TimeToLiveDescription: ttl } = await dynamodb.send(new DescribeTimeToLiveCommand({ TableName }));
    return ['ENABLED', 'ENABLING'].includes(ttl?.TimeToLiveStatus ?? '') && ttl?.AttributeName === TimeToLiveSpecification?.AttributeName;
  } catch {
    return false;
  }
}

async function waitForActive(
  dynamodb: DynamoDBClient,
  request: RestoreRequest,
  print: (line: string) => void,
  clock: Clock,
): Promise<void> {
  const started = clock.now();
  for (;;) {
    const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: request.targetTable }));
    const status = Table?.TableStatus ?? 'no status';
    const elapsed = Math.round((clock.now() - started) / 1000);
    print(`  ${request.targetTable} is ${status} after ${elapsed} s`);
    if (status === 'ACTIVE') return;
    if (status !== 'CREATING') throw new Error(`the table is ${status}, not CREATING or ACTIVE`);
    if (clock.now() - started >= request.maxWaitMs) {
      throw new Error(`still CREATING after ${request.maxWaitMs / 60_000} min (--max-wait); the restore goes on in AWS`);
    }
    await clock.sleep(request.pollIntervalMs);
  }
}
