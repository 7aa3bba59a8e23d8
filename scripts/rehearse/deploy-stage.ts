import {
  DescribeTableCommand,
  UpdateContinuousBackupsCommand,
  type CreateTableCommandInput,
  type DynamoDBClient,
  type SSESpecification,
  type Tag,
} from '@aws-sdk/client-dynamodb';
import { CreateStackCommand, type CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CreateAliasCommand, CreateKeyCommand, EnableKeyRotationCommand, type KMSClient } from '@aws-sdk/client-kms';
import type { CfnTemplate } from '../../infra/policy/cfn-template';
import { createTables, tablesFromTemplate } from '../shared/template-tables';

/** What a stage looks like once created: its stack outputs, as CloudFormation would report them. */
export interface DeployedStage {
  /** Output key to value, e.g. `TokenKeyArn` to the token key's ARN. */
  readonly outputs: Readonly<Record<string, string>>;
  /** Logical ID to physical ID (a key's ARN, a table's name). */
  readonly physicalIds: Readonly<Record<string, string>>;
}

/** A table resource's settings that CreateTable does not read from the shape {@link tablesFromTemplate} copies. */
interface TableSettings {
  readonly SSESpecification?: { readonly KMSMasterKeyId?: unknown; readonly SSEEnabled?: boolean };
  readonly DeletionProtectionEnabled?: boolean;
  readonly PointInTimeRecoverySpecification?: { readonly PointInTimeRecoveryEnabled?: boolean; readonly RecoveryPeriodInDays?: number };
  readonly Tags?: Tag[];
  /** `AWS::DynamoDB::GlobalTable` keeps the settings above per replica. */
  readonly Replicas?: TableSettings[];
}

/**
 * Creates a stage as CloudFormation would deploy its synthesized template, for the resources the
 * tools read: every KMS key (with rotation) and alias, every table with its keys, indexes,
 * encryption under the template's key, deletion protection, tags, TTL and PITR, and a stack of the
 * stage's name holding its outputs (moto's CloudFormation cannot deploy the template itself;
 * verify and restore read which key the stack created from them). Other resources (alarms,
 * backups, topics, roles) are left out: no tool reads them.
 */
export async function deployStage(
  template: CfnTemplate,
  clients: { dynamodb: DynamoDBClient; kms: KMSClient; cloudformation: CloudFormationClient },
  stackName: string,
): Promise<DeployedStage> {
  const resources = Object.entries(template.Resources ?? {});
  const physicalIds: Record<string, string> = {};
  const arns: Record<string, string> = {};
  const resolve = (value: unknown): string => {
    const reference = value as { Ref?: string; 'Fn::GetAtt'?: [string, string] } | string;
    if (typeof reference === 'string') return reference;
    const id = reference.Ref ?? (reference['Fn::GetAtt']?.[1] === 'Arn' ? reference['Fn::GetAtt'][0] : undefined);
    const resolved = id === undefined ? undefined : reference.Ref !== undefined ? physicalIds[id] : arns[id];
    if (resolved === undefined) throw new Error(`cannot resolve ${JSON.stringify(value)} in the template`);
    return resolved;
  };

  for (const [id, resource] of resources.filter(([, resource]) => resource.Type === 'AWS::KMS::Key')) {
    const properties = resource.Properties ?? {};
    const { KeyMetadata } = await clients.kms.send(new CreateKeyCommand({ Description: properties.Description as string | undefined }));
    physicalIds[id] = KeyMetadata!.KeyId!;
    arns[id] = KeyMetadata!.Arn!;
    if (properties.EnableKeyRotation === true) await clients.kms.send(new EnableKeyRotationCommand({ KeyId: KeyMetadata!.KeyId! }));
  }
  for (const [, resource] of resources.filter(([, resource]) => resource.Type === 'AWS::KMS::Alias')) {
    const properties = resource.Properties ?? {};
    await clients.kms.send(new CreateAliasCommand({ AliasName: properties.AliasName as string, TargetKeyId: resolve(properties.TargetKeyId) }));
  }

  const tableIds = new Map<string, string>();
  const tables = tablesFromTemplate(template).map((table) => {
    const [id, resource] = resources.find(([, candidate]) => candidate.Properties?.TableName === table.createTable.TableName)!;
    tableIds.set(table.createTable.TableName!, id);
    const settings = resource.Properties as TableSettings;
    // A global table's settings are its replica's (one replica: the stage's region).
    const replica = settings.Replicas?.[0] ?? settings;
    const keyId = replica.SSESpecification?.KMSMasterKeyId ?? settings.SSESpecification?.KMSMasterKeyId;
    const sse: SSESpecification | undefined = keyId === undefined ? undefined : { Enabled: true, SSEType: 'KMS', KMSMasterKeyId: resolve(keyId) };
    const createTable: CreateTableCommandInput = {
      ...table.createTable,
      ...(sse && { SSESpecification: sse }),
      ...(replica.DeletionProtectionEnabled !== undefined && { DeletionProtectionEnabled: replica.DeletionProtectionEnabled }),
      ...(replica.Tags && { Tags: replica.Tags }),
    };
    return { table: { ...table, createTable }, pitr: replica.PointInTimeRecoverySpecification };
  });
  await createTables(clients.dynamodb, tables.map(({ table }) => table));
  for (const { table, pitr } of tables) {
    const TableName = table.createTable.TableName!;
    const id = tableIds.get(TableName)!;
    physicalIds[id] = TableName;
    arns[id] = (await clients.dynamodb.send(new DescribeTableCommand({ TableName }))).Table!.TableArn!;
    if (pitr?.PointInTimeRecoveryEnabled) {
      await clients.dynamodb.send(
        new UpdateContinuousBackupsCommand({
          TableName,
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true, RecoveryPeriodInDays: pitr.RecoveryPeriodInDays },
        }),
      );
    }
  }
  const outputs: Record<string, string> = {};
  for (const [key, output] of Object.entries((template as { Outputs?: Record<string, { Value: unknown }> }).Outputs ?? {})) {
    try {
      outputs[key] = resolve(output.Value);
    } catch {
      // An output of a resource the rehearsal does not create (an alarm topic, a backup vault).
    }
  }
  // A resource CloudFormation needs and that does nothing, beside the outputs as the stack reports them.
  const standIn = { Resources: { Stage: { Type: 'AWS::CloudFormation::WaitConditionHandle' } }, Outputs: Object.fromEntries(Object.entries(outputs).map(([key, Value]) => [key, { Value }])) };
  await clients.cloudformation.send(new CreateStackCommand({ StackName: stackName, TemplateBody: JSON.stringify(standIn) }));
  return { outputs, physicalIds };
}
