/**
 * The data client the app imports (`inavor-shuttle-data-infra/client`): typed jobs, import
 * history and shop redaction over the tables of the schema map. Loads nothing from aws-cdk-lib
 * or constructs.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { TableNames } from './config';
import { ImportHistoryClient } from './import-history';
import { JobsClient } from './jobs';
import { redactShop, type RedactionCounts, type RetryPolicy } from './redact';

/** What every table client is built from. */
export interface TableClientContext {
  /** The document client every request goes through. */
  readonly doc: DynamoDBDocumentClient;
  /** Physical table names. */
  readonly tables: TableNames;
  /** The clock. */
  readonly now: () => Date;
}

/** Options of {@link createDataClient}. */
export interface DataClientOptions<Shops> {
  /** Physical table names: from `tableNamesFromEnvironment()` or `tableNamesFromStackOutputs(stage, outputs)`. */
  readonly tables: TableNames;
  /**
   * The document client to send requests with. When absent, one is made from the SDK's usual
   * environment (AWS_REGION, AWS_ENDPOINT_URL_DYNAMODB, credentials), as `npm run local -- --keep` prints it.
   */
  readonly doc?: DynamoDBDocumentClient;
  /** The clock; tests pass a fixed one. */
  readonly now?: () => Date;
  /** Builds the Shops client from the shared context (the Shops client lives in its own module). */
  readonly shops?: (context: TableClientContext) => Shops;
  /** Backoff of redaction's batch deletes. */
  readonly redactionRetry?: RetryPolicy;
}

/** The data client: one object per process, sharing one document client. */
export interface DataClient<Shops = undefined> {
  readonly jobs: JobsClient;
  readonly importHistory: ImportHistoryClient;
  /** The Shops client built by `options.shops`; undefined when none was given. */
  readonly shops: Shops;
  /** Deletes a shop's data from every table for the `shop/redact` webhook; returns the counts deleted. */
  redactShop(domain: string): Promise<RedactionCounts>;
  /** The document client the data client sends with. */
  readonly doc: DynamoDBDocumentClient;
}

/** Builds the data client over one document client. */
export function createDataClient<Shops = undefined>(options: DataClientOptions<Shops>): DataClient<Shops> {
  const context: TableClientContext = {
    doc: options.doc ?? DynamoDBDocumentClient.from(new DynamoDBClient({})),
    tables: options.tables,
    now: options.now ?? (() => new Date()),
  };
  const { doc, tables, now } = context;
  return {
    jobs: new JobsClient({ doc, table: tables.Jobs, now }),
    importHistory: new ImportHistoryClient({ doc, table: tables.ImportHistory, now }),
    shops: options.shops?.(context) as Shops,
    redactShop: (domain) => redactShop(doc, tables, domain, options.redactionRetry),
    doc,
  };
}

export { buildAccessRequest, type AccessRequest, type GetItemRequest, type QueryRequest } from './access-requests';
export { ClientConfigError, tableEnvironmentVariable, tableNameExport, tableNamesFromEnvironment, tableNamesFromStackOutputs, type TableNames } from './config';
export { InvalidCursorError, type Page } from './cursor';
export { ConflictError, DataClientError, IllegalTransitionError, NotFoundError, ThrottledError } from './errors';
export { ImportHistoryClient, SLOTS_PER_MILLISECOND, importFinishedAt, importTimestamp, type ImportHistoryItem, type ImportHistoryWrite, type ImportRecord } from './import-history';
export type { AccessPatternName, IndexEntry, Item, ItemKey, StageName, TableName } from './items';
export { JOB_STATUSES, JOB_TRANSITIONS, JobsClient, type Job, type JobRef, type JobStatus, type JobSummary, type NewJob, type NextStatus, type PageOptions } from './jobs';
export { DEFAULT_RETRY, redactShop, type RedactionCounts, type RetryPolicy } from './redact';
export { TABLE_SCHEMAS, tableSchema } from '../schemas';
