import {
  UpdateContinuousBackupsCommand,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
  type CreateTableCommandInput,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { CreateAliasCommand, CreateKeyCommand, DeleteAliasCommand, UpdateAliasCommand, type KMSClient } from '@aws-sdk/client-kms';
import type { CfnTemplate } from '../../infra/policy/cfn-template';
import type { TableSchema } from '../../infra/data/schema-model';
import { TABLE_SCHEMAS } from '../../infra/data/schemas';
import { STAGES, STAGE_NAMES, physicalTableName, stageKeyAlias, type StageName } from '../../infra/data/stages';
import { tablesFromTemplate } from '../shared/template-tables';
import { main as verify } from '../verify/main';
import type { DeployedStage } from './deploy-stage';
import { resultLines, runMain, type Rehearsal } from './report';

/** The clients of the rehearsal's endpoint. */
export interface RehearsalClients {
  readonly dynamodb: DynamoDBClient;
  readonly kms: KMSClient;
}

async function verifyStage(stage: StageName, endpoint: string) {
  const { code, lines } = await runMain((argv, print) => verify(argv, print), ['--stage', stage, '--endpoint', endpoint]);
  return { code, results: resultLines(lines), lines };
}

/** `npm run verify` on every stage as created from its template: every check answered, every one passing. */
export async function rehearseStages(rehearsal: Rehearsal, endpoint: string): Promise<void> {
  for (const stage of STAGE_NAMES) {
    const { code, results, lines } = await verifyStage(stage, endpoint);
    const failed = results.filter((result) => result.status !== 'PASS');
    rehearsal.check(
      `verify --stage ${stage}: all ${results.length} checks pass, none unanswered`,
      code === 0 && results.length > 0 && failed.length === 0,
      failed.length > 0 ? failed.map((result) => `${result.status} ${result.table} ${result.check}`).join('; ') : lines.at(-1),
    );
  }
}

/** A change to a deployed stage that verify must catch, and how to put it back. */
interface Drift {
  readonly name: string;
  /** The `table check` pairs that must fail, and no other. */
  readonly fails: readonly string[];
  apply(): Promise<void>;
  undo(): Promise<void>;
}

/**
 * Drifts one protected stage at a time, in every way verify checks; each must fail exactly the
 * checks it touches, and verify must pass again once it is undone.
 */
export async function rehearseDrift(
  rehearsal: Rehearsal,
  endpoint: string,
  { dynamodb, kms }: RehearsalClients,
  stage: StageName,
  deployed: DeployedStage,
  template: CfnTemplate,
): Promise<void> {
  const policy = STAGES[stage];
  const table = (name: string) => physicalTableName(name, stage);
  const schemas: readonly TableSchema[] = TABLE_SCHEMAS;
  const withTtl = schemas.find((schema) => schema.ttl !== undefined)!;
  const ttlAttribute = withTtl.ttl!.attribute;
  const withoutTtl = schemas.find((schema) => schema.ttl === undefined)!;
  const indexed = schemas.find((schema) => schema.indexes.length > 0)!;
  const index = indexed.indexes[0]!;
  const alias = stageKeyAlias(stage);
  const dataKeyArn = deployed.outputs.DataKeyArn!;
  const everyTable = (check: string) => TABLE_SCHEMAS.map((schema) => `${table(schema.name)} ${check}`);
  const indexDefinition = tablesFromTemplate(template)
    .map((candidate) => candidate.createTable)
    .find((candidate) => candidate.TableName === table(indexed.name)) as CreateTableCommandInput;
  const update = (input: ConstructorParameters<typeof UpdateTableCommand>[0]) => dynamodb.send(new UpdateTableCommand(input));
  const pitr = (TableName: string, enabled: boolean, days?: number) =>
    dynamodb.send(
      new UpdateContinuousBackupsCommand({
        TableName,
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: enabled, ...(days !== undefined && { RecoveryPeriodInDays: days }) },
      }),
    );
  const ttl = (TableName: string, AttributeName: string, Enabled: boolean) =>
    dynamodb.send(new UpdateTimeToLiveCommand({ TableName, TimeToLiveSpecification: { AttributeName, Enabled } }));

  const drifts: Drift[] = [
    {
      // The tables are checked against the key the stack created; the moved alias is what fails.
      name: `the stage key's alias points at another key`,
      fails: [`${alias} target`],
      apply: async () => {
        const other = (await kms.send(new CreateKeyCommand({ Description: 'rehearsal: another key' }))).KeyMetadata!.Arn!;
        await kms.send(new UpdateAliasCommand({ AliasName: alias, TargetKeyId: other }));
      },
      undo: async () => void (await kms.send(new UpdateAliasCommand({ AliasName: alias, TargetKeyId: dataKeyArn }))),
    },
    {
      name: `the stage key's alias is deleted`,
      fails: everyTable('encryption'),
      apply: async () => void (await kms.send(new DeleteAliasCommand({ AliasName: alias }))),
      undo: async () => void (await kms.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: dataKeyArn }))),
    },
    {
      name: `point-in-time recovery off on ${withTtl.name}`,
      fails: [`${table(withTtl.name)} point-in-time recovery`],
      apply: async () => void (await pitr(table(withTtl.name), false)),
      undo: async () => void (await pitr(table(withTtl.name), true, policy.pitrRecoveryPeriodDays)),
    },
    {
      name: `point-in-time recovery window shortened on ${withoutTtl.name}`,
      fails: [`${table(withoutTtl.name)} point-in-time recovery`],
      apply: async () => void (await pitr(table(withoutTtl.name), true, policy.pitrRecoveryPeriodDays - 1)),
      undo: async () => void (await pitr(table(withoutTtl.name), true, policy.pitrRecoveryPeriodDays)),
    },
    {
      name: `TTL off on ${withTtl.name}`,
      fails: [`${table(withTtl.name)} ttl`],
      apply: async () => void (await ttl(table(withTtl.name), ttlAttribute, false)),
      undo: async () => void (await ttl(table(withTtl.name), ttlAttribute, true)),
    },
    {
      name: `TTL switched on for ${withoutTtl.name}, which the map gives none`,
      fails: [`${table(withoutTtl.name)} ttl`],
      apply: async () => void (await ttl(table(withoutTtl.name), 'expiresAt', true)),
      undo: async () => void (await ttl(table(withoutTtl.name), 'expiresAt', false)),
    },
    {
      name: `deletion protection ${policy.protectData ? 'off' : 'on'} on ${withoutTtl.name}`,
      fails: [`${table(withoutTtl.name)} deletion protection`],
      apply: async () => void (await update({ TableName: table(withoutTtl.name), DeletionProtectionEnabled: !policy.protectData })),
      undo: async () => void (await update({ TableName: table(withoutTtl.name), DeletionProtectionEnabled: policy.protectData })),
    },
    {
      name: `billing switched to PROVISIONED on ${withTtl.name}`,
      fails: [`${table(withTtl.name)} billing`],
      apply: async () =>
        void (await update({ TableName: table(withTtl.name), BillingMode: 'PROVISIONED', ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 1 } })),
      undo: async () => void (await update({ TableName: table(withTtl.name), BillingMode: 'PAY_PER_REQUEST' })),
    },
    {
      name: `index ${index.name} deleted from ${indexed.name}`,
      fails: [`${table(indexed.name)} indexes`],
      apply: async () => void (await update({ TableName: table(indexed.name), GlobalSecondaryIndexUpdates: [{ Delete: { IndexName: index.name } }] })),
      undo: async () => {
        const definition = indexDefinition.GlobalSecondaryIndexes!.find((candidate) => candidate.IndexName === index.name)!;
        await update({
          TableName: table(indexed.name),
          AttributeDefinitions: indexDefinition.AttributeDefinitions,
          GlobalSecondaryIndexUpdates: [{ Create: { IndexName: definition.IndexName, KeySchema: definition.KeySchema, Projection: definition.Projection } }],
        });
      },
    },
  ];

  for (const drift of drifts) {
    await drift.apply();
    const drifted = await verifyStage(stage, endpoint);
    const failed = drifted.results.filter((result) => result.status === 'FAIL').map((result) => `${result.table} ${result.check}`);
    const expected = [...drift.fails].sort();
    rehearsal.check(
      `drift on ${stage}, ${drift.name}: verify exits 1 failing ${expected.length === 1 ? expected[0] : `${expected.length} checks (${drift.fails[0]!.split(' ').slice(1).join(' ')})`} and nothing else`,
      drifted.code === 1 && JSON.stringify(failed.sort()) === JSON.stringify(expected),
      `exit ${drifted.code}, failed: ${failed.join(', ') || 'none'}`,
    );
    await drift.undo();
    const undone = await verifyStage(stage, endpoint);
    rehearsal.check(`drift on ${stage}, ${drift.name}: undone, verify passes again`, undone.code === 0, undone.lines.at(-1));
  }
}
