/**
 * The data client the app imports (`inavor-shuttle-data-infra/client`): typed shops with their
 * sealed tokens, jobs, import history and shop redaction over the tables of the schema map. Loads
 * nothing from aws-cdk-lib or constructs.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { TABLE_SCHEMAS } from '../schemas';
import { ClientConfigError, type TableNames } from './config';
import { ImportHistoryClient } from './import-history';
import { JobsClient } from './jobs';
import { runOperation, shopOperation, type OperationObserver } from './observe';
import { redactShop, type RedactionCounts, type RetryPolicy } from './redact';
import { ShopsClient } from './shops';
import type { TokenCrypto } from './token-crypto';
import { TokenStore } from './token-store';

/** Options of {@link createDataClient}. */
export interface DataClientOptions {
  /** Physical table names: from `tableNamesFromEnvironment()` or `tableNamesFromStackOutputs(stage, outputs)`. */
  readonly tables: TableNames;
  /**
   * The document client to send requests with. When absent, one is made from the SDK's usual
   * environment (AWS_REGION, AWS_ENDPOINT_URL_DYNAMODB, credentials), as `npm run local -- --keep` prints it.
   */
  readonly doc?: DynamoDBDocumentClient;
  /** The clock; tests pass a fixed one. */
  readonly now?: () => Date;
  /** Backoff of redaction's batch deletes. */
  readonly redactionRetry?: RetryPolicy;
  /**
   * Receives one event per operation (table, operation, duration, requests, consumed capacity,
   * outcome; never a value of an item), to log or emit metrics with. With it, every request asks
   * DynamoDB for its consumed capacity.
   */
  readonly observe?: OperationObserver;
  /**
   * The key list cursors are signed with, the same in every process serving the app. Without it
   * cursors are still refused when edited, but could be forged by one who reads this package.
   */
  readonly cursorKey?: string | Uint8Array;
  /** This process's worker id, the lease owner of the jobs it claims; a new ULID when absent. */
  readonly workerId?: string;
  /** How long a job claim or renewal holds the job, in seconds (5 to 3,600; default 120). */
  readonly leaseSeconds?: number;
}

/** The data client: one object per process, sharing one document client. */
export interface DataClient {
  readonly jobs: JobsClient;
  readonly importHistory: ImportHistoryClient;
  /**
   * Deletes an uninstalled shop's data from every table for the `shop/redact` webhook; returns the
   * counts deleted. ShopInstalledError, and nothing deleted, when the shop is installed.
   */
  redactShop(domain: string): Promise<RedactionCounts>;
  /** The document client the data client sends with. */
  readonly doc: DynamoDBDocumentClient;
}

/** The data client of a role that may seal and open tokens: it also has the shops and their tokens. */
export interface DataClientWithShops extends DataClient {
  readonly shops: ShopsClient;
  /** The one way to read and refresh a shop's tokens. */
  readonly tokens: TokenStore;
}

/**
 * Builds the data client over one document client. Given the stage's token crypto (the KMS
 * keyring of its `TokenKeyArn`, or locally the raw AES key `npm run local -- --keep` prints), it
 * also has the Shops client and the token store; a role without the token grant leaves it out.
 */
export function createDataClient(options: DataClientOptions & { readonly tokenCrypto: TokenCrypto }): DataClientWithShops;
export function createDataClient(options: DataClientOptions): DataClient;
export function createDataClient(options: DataClientOptions & { readonly tokenCrypto?: TokenCrypto }): DataClient | DataClientWithShops {
  const { tables, observe, cursorKey, workerId, leaseSeconds } = options;
  for (const { name: table } of TABLE_SCHEMAS) {
    const name: unknown = (tables as Partial<TableNames> | undefined)?.[table];
    if (typeof name !== 'string' || name.trim() === '') {
      throw new ClientConfigError(`The ${table} table's name is missing: pass the names tableNamesFromEnvironment() or tableNamesFromStackOutputs() returns.`);
    }
  }
  const doc = options.doc ?? DynamoDBDocumentClient.from(new DynamoDBClient({}));
  const now = options.now ?? (() => new Date());
  const shared = { doc, now, ...(observe && { observe }), ...(cursorKey !== undefined && { cursorKey }) };
  const data: DataClient = {
    jobs: new JobsClient({ ...shared, table: tables.Jobs, ...(workerId !== undefined && { workerId }), ...(leaseSeconds !== undefined && { leaseSeconds }) }),
    importHistory: new ImportHistoryClient({ ...shared, table: tables.ImportHistory }),
    redactShop: (domain) =>
      runOperation(observe, shopOperation(tables.Shops, 'redactShop', domain), () => redactShop(doc, tables, domain, options.redactionRetry)),
    doc,
  };
  if (!options.tokenCrypto) return data;
  const tokens = new TokenStore({ doc, tableName: tables.Shops, crypto: options.tokenCrypto, now, ...(observe && { observe }) });
  return { ...data, shops: new ShopsClient(doc, tokens, observe), tokens };
}

export { buildAccessRequest, type AccessRequest, type GetItemRequest, type QueryRequest } from './access-requests';
export { ClientConfigError, tableEnvironmentVariable, tableNameExport, tableNamesFromEnvironment, tableNamesFromStackOutputs, type TableNames } from './config';
export { DEFAULT_CURSOR_KEY, type Page } from './cursor';
export {
  ConflictError,
  DataClientError,
  IllegalTransitionError,
  InvalidCursorError,
  InvalidInputError,
  NotFoundError,
  RefreshBusyError,
  RefreshFailedError,
  ShopInstalledError,
  ThrottledError,
  type ErrorCause,
} from './errors';
export type { OperationEvent, OperationObserver } from './observe';
export { canonicalShopDomain } from './shop-domain';
export { ImportHistoryClient, SLOTS_PER_MILLISECOND, importFinishedAt, importTimestamp, type ImportHistoryItem, type ImportHistoryListOptions, type ImportHistoryWrite, type ImportRecord } from './import-history';
export type { AccessPatternName, IndexEntry, Item, ItemKey, StageName, TableName } from './items';
export { JOB_STATUSES, JOB_TRANSITIONS, JobsClient, type Job, type JobRef, type JobStatus, type JobSummary, type LapsedJob, type NewJob, type NextStatus, type PageOptions } from './jobs';
export { DEFAULT_RETRY, redactShop, type RedactionCounts, type RetryPolicy } from './redact';
export { ShopsClient, type Shop, type ShopProfile } from './shops';
export { LOCAL_WRAPPING_KEY_ENV, SealError, TokenCrypto, kmsKeyring, rawAesKeyring } from './token-crypto';
export { Secret } from './secret';
export { SEALED_ATTRIBUTES, TokenStore, type FreshOptions, type OpenedTokens, type RefreshTokens, type ShopTokens, type StoredTokens, type TokenGeneration, type UninstallOutcome } from './token-store';
export { TABLE_SCHEMAS, tableSchema } from '../schemas';
