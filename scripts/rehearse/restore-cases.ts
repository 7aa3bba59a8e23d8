import {
  CreateBackupCommand,
  DescribeContinuousBackupsCommand,
  DescribeTableCommand,
  ListTablesCommand,
  ListTagsOfResourceCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { KeyAttribute, TableSchema } from '../../infra/data/schema-model';
import { TABLE_SCHEMAS } from '../../infra/data/schemas';
import { physicalTableName, type StageName } from '../../infra/data/stages';
import { main as restore } from '../restore/main';
import { MOTO_GAPS, resultLines, runMain, type Rehearsal } from './report';

/** Items seeded into the source table; each restore must bring back every one. */
const SEEDED_ITEMS = 40;
/** The checks a restored table fails on moto only because moto ignores the restore's overrides. */
const OVERRIDE_CHECKS = ['billing', 'encryption'];
/** Checks the restore's own verify step must pass on moto: what it re-applies, and the table's shape. */
const REAPPLIED_CHECKS = ['table', 'keys', 'indexes', 'ttl', 'point-in-time recovery', 'deletion protection'];

function keyValue(key: KeyAttribute, index: number): unknown {
  if (key.type === 'N') return index;
  if (key.type === 'B') return Buffer.from(`rehearsal-${index}`);
  return `rehearsal-${String(index).padStart(3, '0')}`;
}

async function scanAll(doc: DynamoDBDocumentClient, TableName: string): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(new ScanCommand({ TableName, ExclusiveStartKey, ConsistentRead: true }));
    items.push(...(page.Items ?? []));
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return items.map((item) => JSON.parse(JSON.stringify(item)) as Record<string, unknown>).sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
}

async function tableNames(dynamodb: DynamoDBClient): Promise<string[]> {
  const names: string[] = [];
  let ExclusiveStartTableName: string | undefined;
  do {
    const page = await dynamodb.send(new ListTablesCommand({ ExclusiveStartTableName }));
    names.push(...(page.TableNames ?? []));
    ExclusiveStartTableName = page.LastEvaluatedTableName;
  } while (ExclusiveStartTableName);
  return names.sort();
}

async function tags(dynamodb: DynamoDBClient, TableName: string) {
  const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName }));
  const { Tags = [] } = await dynamodb.send(new ListTagsOfResourceCommand({ ResourceArn: Table!.TableArn! }));
  return JSON.stringify([...Tags].sort((a, b) => (a.Key! < b.Key! ? -1 : 1)));
}

/**
 * `npm run restore --execute` from each source (latest restorable time, a point in time, a
 * backup) into a new table, with the restored items and settings checked; then the targets it
 * must refuse. Nothing may be deleted: every table there before is there after.
 */
export async function rehearseRestore(rehearsal: Rehearsal, endpoint: string, dynamodb: DynamoDBClient, stage: StageName): Promise<void> {
  const doc = DynamoDBDocumentClient.from(dynamodb);
  const schemas: readonly TableSchema[] = TABLE_SCHEMAS;
  // A table with TTL, so the restore has every setting to re-apply.
  const schema = schemas.find((candidate) => candidate.ttl !== undefined) ?? schemas[0]!;
  const source = physicalTableName(schema.name, stage);
  const items = Array.from({ length: SEEDED_ITEMS }, (_, index) => ({
    [schema.partitionKey.name]: keyValue(schema.partitionKey, index),
    ...(schema.sortKey && { [schema.sortKey.name]: keyValue(schema.sortKey, index) }),
    rehearsal: `item ${index}`,
  }));
  for (let start = 0; start < items.length; start += 25) {
    await doc.send(new BatchWriteCommand({ RequestItems: { [source]: items.slice(start, start + 25).map((Item) => ({ PutRequest: { Item } })) } }));
  }
  const sourceItems = await scanAll(doc, source);
  const sourceTags = await tags(dynamodb, source);
  const before = await tableNames(dynamodb);

  const window = (await dynamodb.send(new DescribeContinuousBackupsCommand({ TableName: source }))).ContinuousBackupsDescription
    ?.PointInTimeRecoveryDescription;
  const backupArn = (await dynamodb.send(new CreateBackupCommand({ TableName: source, BackupName: `${source}-rehearsal` }))).BackupDetails!.BackupArn!;
  const sources: Array<{ kind: string; args: string[] }> = [
    { kind: 'latest', args: ['--latest'] },
    { kind: 'time', args: ['--to', window!.LatestRestorableDateTime!.toISOString()] },
    { kind: 'backup', args: ['--backup-arn', backupArn] },
  ];
  const restoreArgs = (args: string[], target: string) => [
    '--stage', stage, '--table', schema.name, ...args, '--target', target, '--execute', '--poll-interval', '1', '--max-wait', '1', '--endpoint', endpoint,
  ];
  const run = (argv: string[]) => runMain((args, print) => restore(args, print), argv);

  for (const { kind, args } of sources) {
    const target = `${source}-rehearsal-${kind}`;
    const { code, lines } = await run(restoreArgs(args, target));
    const results = resultLines(lines);
    const failed = results.filter((result) => result.status !== 'PASS');
    const onlyOverrides = failed.every((result) => result.status === 'FAIL' && OVERRIDE_CHECKS.includes(result.check));
    const reapplied = REAPPLIED_CHECKS.every((check) => results.some((result) => result.check === check && result.status === 'PASS'));
    rehearsal.check(
      `restore ${args[0]} into ${target}: restored, TTL, PITR, deletion protection re-applied and verified`,
      (code === 0 || (code === 1 && failed.length > 0)) && onlyOverrides && reapplied,
      `exit ${code}; ${lines.find((line) => line.startsWith('Error:')) ?? failed.map((result) => `${result.status} ${result.check}`).join(', ')}`,
    );
    for (const result of failed.filter((candidate) => OVERRIDE_CHECKS.includes(candidate.check))) {
      rehearsal.notChecked(`restore ${args[0]}: ${result.check} of the restored table`, MOTO_GAPS.restoreOverrides);
    }
    let restoredItems: Record<string, unknown>[] = [];
    try {
      restoredItems = await scanAll(doc, target);
    } catch (error) {
      rehearsal.note(`cannot read ${target}: ${(error as Error).message}`);
    }
    rehearsal.check(
      `restore ${args[0]}: all ${sourceItems.length} items of ${source} are in ${target}, unchanged`,
      sourceItems.length >= SEEDED_ITEMS && JSON.stringify(restoredItems) === JSON.stringify(sourceItems),
      `${restoredItems.length} items`,
    );
    rehearsal.check(`restore ${args[0]}: ${target} has the tags of ${source}`, (await tags(dynamodb, target).catch(() => '')) === sourceTags);
    // What restore reads to tell its own table from another after a restore call whose answer was lost.
    const summary = (await dynamodb.send(new DescribeTableCommand({ TableName: target })).catch(() => undefined))?.Table?.RestoreSummary;
    rehearsal.check(
      `restore ${args[0]}: ${target}'s RestoreSummary names its source`,
      kind === 'backup' ? summary?.SourceBackupArn === backupArn : summary?.SourceTableArn?.endsWith(`:table/${source}`) === true,
      JSON.stringify(summary),
    );
  }

  const existing = `${source}-rehearsal-latest`;
  const refusals: Array<{ name: string; argv: string[]; says: string }> = [
    { name: `a target that exists (${existing})`, argv: restoreArgs(['--latest'], existing), says: 'already exists' },
    { name: 'the source itself as the target of a point-in-time restore', argv: restoreArgs(['--latest'], source), says: 'is the source table' },
  ];
  const afterRestores = await tableNames(dynamodb);
  for (const refusal of refusals) {
    const { code, lines } = await run(refusal.argv);
    rehearsal.check(
      `restore refuses ${refusal.name}: one Error line, exit 2, no table changed`,
      code === 2 && lines.filter((line) => line.startsWith('Error:')).length === 1 && lines.some((line) => line.includes(refusal.says)),
      `exit ${code}: ${lines.join(' | ')}`,
    );
  }
  const after = await tableNames(dynamodb);
  rehearsal.check(
    'restore deletes nothing: every table there before is there after, the source unchanged',
    before.every((name) => after.includes(name)) &&
      JSON.stringify(after) === JSON.stringify(afterRestores) &&
      JSON.stringify(await scanAll(doc, source)) === JSON.stringify(sourceItems),
  );
}
