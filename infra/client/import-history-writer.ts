import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { tableSchema } from '../schemas';
import { physicalTableName } from '../stages';
import { epochSeconds, expiresAt } from './ttl';

const SCHEMA = tableSchema('ImportHistory');


/** One finished import, as the job runner reports it. */
export interface ImportRecord {
  /** Domain of the shop the import ran for. */
  readonly shopDomain: string;
  /** ULID of the job that ran the import. */
  readonly jobId: string;
  /** When the import finished. */
  readonly finishedAt: Date;
  /** Products written to Shopify. */
  readonly productsImported: number;
  /** "COMPLETED", "PARTIAL" or "FAILED". */
  readonly status: 'COMPLETED' | 'PARTIAL' | 'FAILED';
  /** Products that failed. */
  readonly errorCount: number;
}

/** What became of a write; never a silent loss. */
export type ImportHistoryWrite =
  | {
      /** The record is stored under `timestamp`. */
      readonly outcome: 'stored';
      readonly timestamp: number;
    }
  | {
      /** This job's record was already stored under `timestamp` (the write was a retry). */
      readonly outcome: 'alreadyStored';
      readonly timestamp: number;
    }
  | {
      /** Every timestamp tried holds another job's record: the caller must fail the job with this. */
      readonly outcome: 'collision';
      readonly triedTimestamps: readonly number[];
    };

/**
 * Writes an ImportHistory item by the schema's writer rules: a conditional put that never
 * overwrites; when the second is taken by another job, the next second, up to
 * `sortKeyCollisionRetries` times, and then a reported collision rather than a dropped record.
 */
export async function writeImportHistory(
  doc: DynamoDBDocumentClient,
  stage: string,
  record: ImportRecord,
): Promise<ImportHistoryWrite> {
  const TableName = physicalTableName(SCHEMA.name, stage);
  const { partitionKey, sortKey } = SCHEMA;
  const first = epochSeconds(record.finishedAt);
  const tried: number[] = [];
  for (let timestamp = first; tried.length <= SCHEMA.sortKeyCollisionRetries; timestamp += 1) {
    tried.push(timestamp);
    try {
      await doc.send(
        new PutCommand({
          TableName,
          Item: {
            [partitionKey.name]: record.shopDomain,
            [sortKey.name]: timestamp,
            jobId: record.jobId,
            productsImported: record.productsImported,
            status: record.status,
            errorCount: record.errorCount,
            [SCHEMA.ttl.attribute]: expiresAt(SCHEMA.ttl, new Date(timestamp * 1000)),
          },
          ConditionExpression: 'attribute_not_exists(#timestamp)',
          ExpressionAttributeNames: { '#timestamp': sortKey.name },
        }),
      );
      return { outcome: 'stored', timestamp };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
    const { Item } = await doc.send(
      new GetCommand({
        TableName,
        Key: { [partitionKey.name]: record.shopDomain, [sortKey.name]: timestamp },
        ConsistentRead: true,
      }),
    );
    if (Item?.jobId === record.jobId) return { outcome: 'alreadyStored', timestamp };
  }
  return { outcome: 'collision', triedTimestamps: tried };
}
