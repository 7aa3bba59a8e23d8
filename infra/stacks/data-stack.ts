import { CfnOutput, Stack, Tags, type StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { AlarmTopic } from '../constructs/alarm-topic';
import { SchemaTable } from '../constructs/schema-table';
import { StageKey } from '../constructs/stage-key';
import { TableBackups } from '../constructs/table-backups';
import { TableMonitoring } from '../constructs/table-monitoring';
import {
  TOKEN_CONTEXT_KEYS,
  TOKEN_KEY_ACTIONS,
  dataAccessGrant,
  groupedStatements,
  redactionGrant,
  type DataAccess,
  type GrantTarget,
  type TableGrant,
  type TokenAccessLevel,
} from '../data-access';
import type { TableSchema } from '../schema-model';
import { dataExportName, physicalTableName, stageKeyAlias, tableOutputIds, type StagePolicy } from '../stages';

/** Props of {@link DataStack}. */
export interface DataStackProps extends StackProps {
  /** Name of the stage, carried in physical names and export names. */
  readonly stageName: string;
  /** The stage's data-protection policy. */
  readonly policy: StagePolicy;
  /** The tables to create, from the schema map. */
  readonly schemas: readonly TableSchema[];
}

/** The data layer of one stage: its tables, their KMS keys and the outputs other stacks import. */
export class DataStack extends Stack {
  /** Tables by logical name, for other stacks to reference. */
  public readonly tables: Readonly<Record<string, SchemaTable>>;
  /** Customer-managed key encrypting every table of the stage; usable only through DynamoDB. */
  public readonly encryptionKey: StageKey;
  /** Customer-managed key the client seals token attributes under (envelope encryption). */
  public readonly tokenKey: StageKey;
  /** Name of the stage the stack belongs to. */
  public readonly stageName: string;
  /** The stage's data-protection policy. */
  public readonly policy: StagePolicy;
  /** The schema-map entries the tables were made from. */
  public readonly schemas: readonly TableSchema[];
  /** ARN of the topic every alarm notifies; undefined where the stage policy sets no alarms. */
  public readonly alarmTopicArn?: string;
  /** AWS Backup vault, plan and selection of every table; absent where the stage has no backup rule. */
  public readonly backups?: TableBackups;

  constructor(scope: Construct, id: string, props: DataStackProps) {
    super(scope, id, props);
    const { stageName, policy } = props;
    this.stageName = stageName;
    this.policy = policy;
    this.schemas = props.schemas;

    this.encryptionKey = new StageKey(this, 'DataKey', {
      alias: stageKeyAlias(stageName),
      description: `Encrypts the Inavor Shuttle ${stageName} DynamoDB tables`,
      onlyThroughService: 'dynamodb',
    });
    // A key of its own: reading a Shops item (table key) must not be enough to open its tokens.
    this.tokenKey = new StageKey(this, 'TokenKey', {
      alias: `alias/inavor-shuttle/${stageName}/tokens`,
      description: `Seals the Inavor Shuttle ${stageName} Shopify tokens, attribute by attribute`,
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
    if (policy.backup.rules.length > 0) {
      this.backups = new TableBackups(this, 'Backups', {
        stageName,
        policy: policy.backup,
        tables: Object.values(tables).map(({ table }) => table),
      });
    }

    if (policy.monitoring.alarms) {
      const { topic } = new AlarmTopic(this, 'Alarms', { stageName });
      new TableMonitoring(this, 'Monitoring', { stageName, schemas: props.schemas, topic });
      this.alarmTopicArn = topic.topicArn;
    }

    for (const [key, value] of Object.entries(policy.tags)) {
      Tags.of(this).add(key, value);
    }
    this.addOutputs(stageName);
  }

  /**
   * Gives a role (App Runner instance role, Lambda execution role) exactly the tables it names,
   * each at its level, e.g. `{ Jobs: 'readWrite', ImportHistory: 'read' }`: the item actions on
   * the table, Query on its indexes, and the table key through DynamoDB only. Sealed attributes
   * stay ciphertext unless the role also has {@link grantTokenAccess}.
   */
  public grantDataAccess(grantee: iam.IGrantable, access: DataAccess): iam.Grant {
    return this.grantTables(grantee, dataAccessGrant(access, this.schemas));
  }

  /**
   * Gives a role what deleting one shop's data needs (Shopify's `shop/redact`): DeleteItem on
   * Shops, and Query on the index or table that lists a shop's items plus BatchWriteItem on the
   * others, as each table's `redaction` in the schema map says.
   */
  public grantRedaction(grantee: iam.IGrantable): iam.Grant {
    return this.grantTables(grantee, redactionGrant(this.schemas));
  }

  /**
   * Lets a role open (`decrypt`) or also seal (`encryptDecrypt`) token attributes with the token
   * key, and only for ciphertexts bound to a sealed attribute of this stage's tables and to a shop.
   */
  public grantTokenAccess(grantee: iam.IGrantable, level: TokenAccessLevel): iam.Grant {
    const sealed = this.schemas.filter((schema) => schema.attributes.some((attribute) => attribute.sealed));
    if (sealed.length === 0) throw new Error('No attribute of the schema map is sealed, so a token grant would open nothing.');
    const context = (key: string) => `kms:EncryptionContext:${key}`;
    return iam.Grant.addToPrincipal({
      grantee,
      actions: [...TOKEN_KEY_ACTIONS[level]],
      resourceArns: [this.tokenKey.keyArn],
      conditions: {
        StringEquals: {
          [context(TOKEN_CONTEXT_KEYS.table)]: sealed.map((schema) => physicalTableName(schema.name, this.stageName)),
          [context(TOKEN_CONTEXT_KEYS.attribute)]: sealed.flatMap((schema) =>
            schema.attributes.filter((attribute) => attribute.sealed).map((attribute) => attribute.name),
          ),
        },
        Null: { [context(TOKEN_CONTEXT_KEYS.shop)]: 'false' },
      },
    });
  }

  private grantTables(grantee: iam.IGrantable, grant: TableGrant): iam.Grant {
    const arn = ({ table, index }: GrantTarget) => {
      const tableArn = this.tables[table]!.table.tableArn;
      return index === undefined ? tableArn : `${tableArn}/index/${index}`;
    };
    const statements = groupedStatements(grant).map(({ actions, targets }) =>
      iam.Grant.addToPrincipal({ grantee, actions, resourceArns: targets.map(arn) }),
    );
    const key = iam.Grant.addToPrincipal({
      grantee,
      actions: [...grant.tableKeyActions],
      resourceArns: [this.encryptionKey.keyArn],
      conditions: { StringEquals: { 'kms:ViaService': `dynamodb.${this.region}.amazonaws.com` } },
    });
    return statements.reduce((combined, next) => combined.combine(next), key);
  }

  private addOutputs(stageName: string): void {
    const output = (id: string, value: string, description: string) =>
      new CfnOutput(this, id, { value, description, exportName: dataExportName(stageName, id) });
    for (const { table, schema } of Object.values(this.tables)) {
      const [nameId, arnId] = tableOutputIds(schema.name);
      output(nameId, table.tableName, `Physical name of the ${stageName} ${schema.name} table`);
      output(arnId, table.tableArn, `ARN of the ${stageName} ${schema.name} table`);
    }
    output('DataKeyArn', this.encryptionKey.keyArn, `ARN of the KMS key encrypting the ${stageName} tables`);
    output('TokenKeyArn', this.tokenKey.keyArn, `ARN of the KMS key sealing the ${stageName} Shopify tokens`);
    if (this.alarmTopicArn) {
      output('AlarmTopicArn', this.alarmTopicArn, `ARN of the SNS topic the ${stageName} table alarms notify`);
    }
    if (this.backups) {
      output('BackupVaultName', this.backups.vault.backupVaultName, `AWS Backup vault of the ${stageName} tables`);
      output('BackupRoleArn', this.backups.role.roleArn, `Role AWS Backup uses to back up and restore the ${stageName} tables`);
    }
  }
}
