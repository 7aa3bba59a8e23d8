import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import type { IndexSchema, KeyAttribute, TableSchema } from '../../data/schema-model';
import { physicalTableName, type StagePolicy } from '../../data/stages';

/** Props of {@link SchemaTable}. */
export interface SchemaTableProps {
  /** The table's entry in the schema map; every table fact comes from here. */
  readonly schema: TableSchema;
  /** Name of the stage, carried in the physical table name. */
  readonly stageName: string;
  /** The stage's data-protection policy. */
  readonly policy: StagePolicy;
  /** Customer-managed KMS key that encrypts the table at rest. */
  readonly encryptionKey: IKey;
}

/**
 * One DynamoDB table made from one schema-map entry and a stage's policy: on-demand billing,
 * point-in-time recovery, customer-managed encryption, TTL where the map declares it, and
 * deletion protection plus RETAIN where the stage protects its data, and Contributor Insights on
 * the table and indexes the map marks hot-key prone where the stage asks for it.
 */
export class SchemaTable extends Construct {
  /** The table. */
  public readonly table: dynamodb.TableV2;
  /** The schema entry the table was made from. */
  public readonly schema: TableSchema;

  constructor(scope: Construct, id: string, props: SchemaTableProps) {
    super(scope, id);
    const { schema, policy } = props;
    this.schema = schema;
    this.table = new dynamodb.TableV2(this, 'Table', {
      tableName: physicalTableName(schema.name, props.stageName),
      partitionKey: toAttribute(schema.partitionKey),
      sortKey: schema.sortKey && toAttribute(schema.sortKey),
      globalSecondaryIndexes: schema.indexes.map(toIndexProps),
      timeToLiveAttribute: schema.ttl?.attribute,
      billing: dynamodb.Billing.onDemand(),
      encryption: dynamodb.TableEncryptionV2.customerManagedKey(props.encryptionKey),
      pointInTimeRecoverySpecification: {
        pointInTimeRecoveryEnabled: true,
        recoveryPeriodInDays: policy.pitrRecoveryPeriodDays,
      },
      deletionProtection: policy.protectData,
      removalPolicy: policy.protectData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      contributorInsightsSpecification: policy.monitoring.contributorInsights ? { enabled: schema.hotKeyProne !== undefined } : undefined,
    });
    if (policy.monitoring.contributorInsights) {
      // TableV2 gives the primary replica's indexes the table's setting and has no per-index prop for
      // them, so each index gets its own from the map. Replicas[0] is the primary: the tables have no other.
      const resource = this.table.node.defaultChild as dynamodb.CfnGlobalTable;
      schema.indexes.forEach((index, i) =>
        resource.addPropertyOverride(`Replicas.0.GlobalSecondaryIndexes.${i}.ContributorInsightsSpecification`, {
          Enabled: index.hotKeyProne !== undefined,
        }),
      );
    }
  }
}

function toAttribute(key: KeyAttribute): dynamodb.Attribute {
  return { name: key.name, type: ATTRIBUTE_TYPES[key.type] };
}

const ATTRIBUTE_TYPES: Record<KeyAttribute['type'], dynamodb.AttributeType> = {
  S: dynamodb.AttributeType.STRING,
  N: dynamodb.AttributeType.NUMBER,
  B: dynamodb.AttributeType.BINARY,
};

function toIndexProps(index: IndexSchema): dynamodb.GlobalSecondaryIndexPropsV2 {
  const { projection } = index;
  return {
    indexName: index.name,
    partitionKey: toAttribute(index.partitionKey),
    sortKey: index.sortKey && toAttribute(index.sortKey),
    projectionType: dynamodb.ProjectionType[projection.type],
    nonKeyAttributes: projection.type === 'INCLUDE' ? [...projection.attributes] : undefined,
  };
}
