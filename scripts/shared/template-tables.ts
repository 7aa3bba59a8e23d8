import {
  CreateTableCommand,
  DescribeTableCommand,
  ResourceInUseException,
  UpdateTimeToLiveCommand,
  type AttributeDefinition,
  type CreateTableCommandInput,
  type DynamoDBClient,
  type KeySchemaElement,
  type Projection,
  type ProvisionedThroughput,
} from '@aws-sdk/client-dynamodb';
import { tableResources, type CfnTemplate } from '../../infra/policy/cfn-template';
import { isUnknownOperation } from './clients';


/**
 * The properties both table shapes share, as CloudFormation spells them. They are also the
 * CreateTable API's names, which is why the template maps onto CreateTable almost one to one.
 */
interface TemplateTableProperties {
  readonly TableName?: unknown;
  readonly AttributeDefinitions: AttributeDefinition[];
  readonly KeySchema: KeySchemaElement[];
  readonly GlobalSecondaryIndexes?: Array<{
    readonly IndexName: string;
    readonly KeySchema: KeySchemaElement[];
    readonly Projection: Projection;
    readonly ProvisionedThroughput?: ProvisionedThroughput;
  }>;
  readonly LocalSecondaryIndexes?: Array<{
    readonly IndexName: string;
    readonly KeySchema: KeySchemaElement[];
    readonly Projection: Projection;
  }>;
  readonly BillingMode?: string;
  readonly ProvisionedThroughput?: ProvisionedThroughput;
  readonly TimeToLiveSpecification?: { readonly AttributeName?: string; readonly Enabled?: boolean };
}

/** A table of a template, as a CreateTable request plus what CreateTable cannot carry. */
export interface TemplateTable {
  /** The CreateTable request that makes the same table, keys, indexes and projections. */
  readonly createTable: CreateTableCommandInput;
  /** The TTL attribute, set by {@link createTables} with UpdateTimeToLive on engines that have it. */
  readonly ttlAttribute?: string;
}

/**
 * Reads every DynamoDB table of a synthesized template, in either shape: `AWS::DynamoDB::Table`
 * (the `Table` construct, billed PROVISIONED unless it says otherwise) or
 * `AWS::DynamoDB::GlobalTable` (`TableV2`). Encryption, PITR, tags and deletion protection are
 * left out: they need AWS (a KMS key ARN) and a local engine ignores them.
 */
export function tablesFromTemplate(template: CfnTemplate): TemplateTable[] {
  const tables: TemplateTable[] = [];
  for (const [logicalId, resource] of tableResources(template)) {
    const properties = resource.Properties as unknown as TemplateTableProperties;
    if (typeof properties.TableName !== 'string') {
      throw new Error(`${logicalId} has no literal TableName; a table to create locally needs one.`);
    }
    const onDemand = properties.BillingMode === 'PAY_PER_REQUEST';
    if (!onDemand && !properties.ProvisionedThroughput) {
      throw new Error(`${logicalId} is PROVISIONED without a literal ProvisionedThroughput to copy.`);
    }
    const ttl = properties.TimeToLiveSpecification;
    tables.push({
      createTable: {
        TableName: properties.TableName,
        AttributeDefinitions: properties.AttributeDefinitions,
        KeySchema: properties.KeySchema,
        ...(properties.GlobalSecondaryIndexes && {
          GlobalSecondaryIndexes: properties.GlobalSecondaryIndexes.map((index) => ({
            IndexName: index.IndexName,
            KeySchema: index.KeySchema,
            Projection: index.Projection,
            ...(!onDemand && { ProvisionedThroughput: index.ProvisionedThroughput ?? properties.ProvisionedThroughput }),
          })),
        }),
        ...(properties.LocalSecondaryIndexes && {
          LocalSecondaryIndexes: properties.LocalSecondaryIndexes.map(({ IndexName, KeySchema, Projection }) => ({
            IndexName,
            KeySchema,
            Projection,
          })),
        }),
        ...(onDemand
          ? { BillingMode: 'PAY_PER_REQUEST' }
          : { BillingMode: 'PROVISIONED', ProvisionedThroughput: properties.ProvisionedThroughput }),
      },
      ...(ttl?.Enabled && ttl.AttributeName !== undefined && { ttlAttribute: ttl.AttributeName }),
    });
  }
  return tables;
}

/** What {@link createTables} did with one table. */
export interface CreatedTable {
  /** Physical table name. */
  readonly tableName: string;
  /** `created`, or `exists` when a table of that name was already there (a persisted engine). */
  readonly outcome: 'created' | 'exists';
}

/**
 * Creates the tables on an endpoint, waits until each is ACTIVE and turns TTL on where the template
 * does (an engine without the TTL API, like dynalite, is left without it); existing tables are kept.
 */
export async function createTables(client: DynamoDBClient, tables: readonly TemplateTable[]): Promise<CreatedTable[]> {
  return Promise.all(
    tables.map(async ({ createTable, ttlAttribute }): Promise<CreatedTable> => {
      const tableName = createTable.TableName!;
      try {
        await client.send(new CreateTableCommand(createTable));
      } catch (error) {
        if (!(error instanceof ResourceInUseException)) throw error;
        return { tableName, outcome: 'exists' };
      }
      await waitUntilActive(client, tableName);
      if (ttlAttribute !== undefined) await enableTtl(client, tableName, ttlAttribute);
      return { tableName, outcome: 'created' };
    }),
  );
}

async function enableTtl(client: DynamoDBClient, tableName: string, attribute: string): Promise<void> {
  try {
    await client.send(
      new UpdateTimeToLiveCommand({ TableName: tableName, TimeToLiveSpecification: { AttributeName: attribute, Enabled: true } }),
    );
  } catch (error) {
    if (!isUnknownOperation(error)) throw error;
  }
}

// The SDK's waiter sleeps 20 s between polls; a local engine activates a table within milliseconds.
async function waitUntilActive(client: DynamoDBClient, tableName: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    const indexesActive = (Table?.GlobalSecondaryIndexes ?? []).every((index) => index.IndexStatus === 'ACTIVE');
    if (Table?.TableStatus === 'ACTIVE' && indexesActive) return;
    if (Date.now() > deadline) throw new Error(`${tableName} is not ACTIVE after ${timeoutMs / 1000} s.`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
