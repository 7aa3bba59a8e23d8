import { CfnOutput, Stack, Tags, type StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import { SchemaTable } from '../constructs/schema-table';
import { StageKey } from '../constructs/stage-key';
import { actionsFor, type DataAccessLevel } from '../data-access';
import type { TableSchema } from '../schema-model';
import { stageKeyAlias, type StagePolicy } from '../stages';

/** Props of {@link DataStack}. */
export interface DataStackProps extends StackProps {
  /** Name of the stage, carried in physical names and export names. */
  readonly stageName: string;
  /** The stage's data-protection policy. */
  readonly policy: StagePolicy;
  /** The tables to create, from the schema map. */
  readonly schemas: readonly TableSchema[];
}

/** The data layer of one stage: its tables, their KMS key and the outputs other stacks import. */
export class DataStack extends Stack {
  /** Tables by logical name, for other stacks to reference. */
  public readonly tables: Readonly<Record<string, SchemaTable>>;
  /** Customer-managed key encrypting every table of the stage. */
  public readonly encryptionKey: kms.Key;
  /** Name of the stage the stack belongs to. */
  public readonly stageName: string;
  /** The stage's data-protection policy. */
  public readonly policy: StagePolicy;
  /** The schema-map entries the tables were made from. */
  public readonly schemas: readonly TableSchema[];

  constructor(scope: Construct, id: string, props: DataStackProps) {
    super(scope, id, props);
    const { stageName, policy } = props;
    this.stageName = stageName;
    this.policy = policy;
    this.schemas = props.schemas;

    this.encryptionKey = new StageKey(this, 'DataKey', {
      alias: stageKeyAlias(stageName),
      description: `Encrypts the Inavor Shuttle ${stageName} DynamoDB tables`,
    });

    const tables: Record<string, SchemaTable> = {};
    for (const schema of props.schemas) {
      tables[schema.name] = new SchemaTable(this, schema.name, {
        schema,
        stageName,
        policy,
        encryptionKey: this.encryptionKey,
      });
    }
    this.tables = tables;

    for (const [key, value] of Object.entries(policy.tags)) {
      Tags.of(this).add(key, value);
    }
    this.addOutputs(stageName);
  }

  /**
   * Gives a role (App Runner instance role, Lambda execution role) data access to every table
   * and index of the stage, with explicit actions and resources only.
   */
  public grantDataAccess(grantee: iam.IGrantable, level: DataAccessLevel): iam.Grant {
    const actions = actionsFor(level);
    const tableArns = Object.values(this.tables).flatMap(({ table, schema }) => [
      table.tableArn,
      ...schema.indexes.map((index) => `${table.tableArn}/index/${index.name}`),
    ]);
    const grant = iam.Grant.addToPrincipal({ grantee, actions: actions.table, resourceArns: tableArns });
    return grant.combine(
      iam.Grant.addToPrincipal({ grantee, actions: actions.key, resourceArns: [this.encryptionKey.keyArn] }),
    );
  }

  private addOutputs(stageName: string): void {
    const output = (id: string, value: string, description: string) =>
      new CfnOutput(this, id, { value, description, exportName: `${this.stackName}-${id}` });
    for (const { table, schema } of Object.values(this.tables)) {
      output(`${schema.name}TableName`, table.tableName, `Physical name of the ${stageName} ${schema.name} table`);
      output(`${schema.name}TableArn`, table.tableArn, `ARN of the ${stageName} ${schema.name} table`);
    }
    output('DataKeyArn', this.encryptionKey.keyArn, `ARN of the KMS key encrypting the ${stageName} tables`);
  }
}
