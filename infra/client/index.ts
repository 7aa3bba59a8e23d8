/**
 * The data client the app imports (`inavor-shuttle-data-infra/client`): typed shops with their
 * sealed tokens, jobs, import history and shop redaction over the tables of the schema map. Loads
 * nothing from aws-cdk-lib or constructs.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { TABLE_SCHEMAS } from '../data/schemas';
import { ClientConfigError, type TableNames } from './core/config';
import { ImportHistoryClient } from './import-history';
import { JobsClient } from './jobs';
import { runOperation, shopOperation, type OperationObserver } from './core/observe';
import { InvalidInputError } from './core/errors';
import { DEFAULT_RETRY, redactShop, retryPolicy, type RedactionCounts, type RetryPolicy } from './redact';
import { ShopsClient, TokenCrypto, TokenStore } from './shops';

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
  /** Backoff of redaction's batch deletes: attempts 1 to 20, first wait 1 to 5,000 ms. */
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
  /** With the token crypto: until when a non-expiring offline token is stored (Shopify's cut-over, 2027-01-01, by default). */
  readonly nonExpiringTokensUntil?: Date;
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
  /** The physical table names the client uses. */
  readonly tables: TableNames;
}

/** The data client of a role that may seal and open tokens: it also has the shops and their tokens. */
export interface DataClientWithShops extends DataClient {
  readonly shops: ShopsClient;
  /** The one way to read and refresh a shop's tokens. */
  readonly tokens: TokenStore;
}

const OPTION_NAMES = ['tables', 'doc', 'now', 'redactionRetry', 'observe', 'cursorKey', 'workerId', 'leaseSeconds', 'nonExpiringTokensUntil', 'tokenCrypto'] as const;

/**
 * Builds the data client over one document client. Given the stage's token crypto (the KMS
 * keyring of its `TokenKeyArn`, or locally the raw AES key `npm run local -- --keep` prints), it
 * also has the Shops client and the token store; a role without the token grant leaves it out.
 * Every option is checked here, so a misspelt name or a value of the wrong kind is one
 * ClientConfigError naming it, before any request.
 */
export function createDataClient(options: DataClientOptions & { readonly tokenCrypto: TokenCrypto }): DataClientWithShops;
export function createDataClient(options: DataClientOptions): DataClient;
export function createDataClient(options: DataClientOptions & { readonly tokenCrypto?: TokenCrypto }): DataClient | DataClientWithShops {
  if (typeof options !== 'object' || options === null) throw new ClientConfigError('createDataClient takes an options object: { tables, ... } (see docs/client.md, "Creating the client").');
  const unknown = Object.keys(options).find((name) => !(OPTION_NAMES as readonly string[]).includes(name));
  if (unknown !== undefined) throw new ClientConfigError(`createDataClient has no option "${unknown.slice(0, 40)}": the options are ${OPTION_NAMES.join(', ')}.`);
  const { tables, observe, cursorKey, workerId, leaseSeconds, tokenCrypto, nonExpiringTokensUntil } = options;
  for (const { name: table } of TABLE_SCHEMAS) {
    const name: unknown = (tables as Partial<TableNames> | undefined)?.[table];
    if (typeof name !== 'string' || name.trim() === '') {
      throw new ClientConfigError(`The ${table} table's name is missing: pass the names tableNamesFromEnvironment() or tableNamesFromStackOutputs() returns.`);
    }
  }
  configured(options.doc === undefined || typeof (options.doc as { send?: unknown }).send === 'function', 'doc', 'must be a DynamoDBDocumentClient (DynamoDBDocumentClient.from(new DynamoDBClient({}))) when given');
  configured(options.now === undefined || typeof options.now === 'function', 'now', 'must be a function returning the current Date when given');
  configured(observe === undefined || typeof observe === 'function', 'observe', 'must be a function receiving each operation\'s event when given');
  configured(cursorKey === undefined || (typeof cursorKey === 'string' && cursorKey.length > 0) || (cursorKey instanceof Uint8Array && cursorKey.length > 0), 'cursorKey', 'must be a non-empty string or bytes when given');
  configured(tokenCrypto === undefined || tokenCrypto instanceof TokenCrypto, 'tokenCrypto', 'must be a TokenCrypto (new TokenCrypto(kmsKeyring(tokenKeyArn, kms))) when given');
  configured(nonExpiringTokensUntil === undefined || (nonExpiringTokensUntil instanceof Date && !Number.isNaN(nonExpiringTokensUntil.getTime())), 'nonExpiringTokensUntil', 'must be a valid Date when given');
  const where = { table: tables.Shops, operation: 'createDataClient' };
  const redactionRetry = inConfig(() => (options.redactionRetry === undefined ? DEFAULT_RETRY : retryPolicy(options.redactionRetry, where, 'redactionRetry')));
  const doc = options.doc ?? DynamoDBDocumentClient.from(new DynamoDBClient({}));
  const now = options.now ?? (() => new Date());
  const shared = { doc, now, ...(observe && { observe }), ...(cursorKey !== undefined && { cursorKey }) };
  const jobs = inConfig(() => new JobsClient({ ...shared, table: tables.Jobs, ...(workerId !== undefined && { workerId }), ...(leaseSeconds !== undefined && { leaseSeconds }) }));
  const data: DataClient = {
    jobs,
    importHistory: new ImportHistoryClient({ ...shared, table: tables.ImportHistory }),
    redactShop: (domain) => runOperation(observe, shopOperation(tables.Shops, 'redactShop', domain), (run) => redactShop({ doc, tables, domain, retry: redactionRetry }, run)),
    doc,
    tables,
  };
  if (!tokenCrypto) return data;
  const tokens = new TokenStore({ doc, table: tables.Shops, crypto: tokenCrypto, now, ...(observe && { observe }), ...(nonExpiringTokensUntil && { nonExpiringTokensUntil }) });
  return { ...data, shops: new ShopsClient({ doc, tokens, ...(observe && { observe }) }), tokens };
}

function configured(valid: boolean, option: string, reason: string): void {
  if (!valid) throw new ClientConfigError(`createDataClient's ${option} ${reason}.`);
}

/** A refusal of a setting by the clients' own checks, as the one error of a configuration mistake. */
function inConfig<T>(build: () => T): T {
  try {
    return build();
  } catch (error) {
    if (error instanceof InvalidInputError) throw new ClientConfigError(`createDataClient's ${error.field} ${error.reason}.`);
    throw error;
  }
}

export { buildAccessRequest, patternKeys, type AccessRequest, type AccessRequestParams, type GetItemRequest, type KeyValue, type QueryRequest } from './core/access-requests';
export { epochSeconds, expiresAt } from './core/ttl';
export { ClientConfigError, tableEnvironmentVariable, tableNameExport, tableNamesFromEnvironment, tableNamesFromStackOutputs, type TableNames } from './core/config';
export { DEFAULT_CURSOR_KEY, type Page } from './core/cursor';
export {
  ConflictError,
  DataClientError,
  IllegalTransitionError,
  InvalidCursorError,
  InvalidInputError,
  NoTokenError,
  NotFoundError,
  RefreshBusyError,
  RefreshFailedError,
  ShopInstalledError,
  StaleGrantError,
  ThrottledError,
  type ErrorCause,
} from './core/errors';
export type { OperationEvent, OperationObserver } from './core/observe';
export { canonicalShopDomain } from './core/shop-domain';
export { ImportHistoryClient, SLOTS_PER_MILLISECOND, importFinishedAt, importTimestamp, type ImportHistoryItem, type ImportHistoryListOptions, type ImportHistoryWrite, type ImportRecord } from './import-history';
export type { AccessPatternName, IndexEntry, Item, ItemKey, StageName, TableName } from './core/items';
export { JOB_STATUSES, JOB_TRANSITIONS, JobsClient, type Job, type JobRef, type JobStatus, type JobSummary, type LapsedJob, type NewJob, type NextStatus, type PageOptions } from './jobs';
export { DEFAULT_RETRY, redactShop, type RedactionCounts, type RetryPolicy } from './redact';
export {
  BILLING_STATUSES,
  GRANT_SKEW_MS,
  LIFECYCLE_CONDITIONS,
  LOCAL_WRAPPING_KEY_ENV,
  PROFILE_CONDITIONS,
  SEALED_ATTRIBUTES,
  SEAL_CONTEXT_KEYS,
  SHOPIFY_NON_EXPIRING_CUTOVER,
  SealError,
  Secret,
  ShopsClient,
  TOKEN_ALGORITHM_SUITE,
  TOKEN_CONDITIONS,
  TOKEN_SET_ATTRIBUTES,
  TokenCrypto,
  TokenStore,
  kmsKeyring,
  rawAesKeyring,
  sealTokenSet,
  type BillingStatus,
  type FreshOptions,
  type GrantOutcome,
  type InvalidateOutcome,
  type OpenedTokens,
  type ProfileUpdateOptions,
  type RefreshTokens,
  type SealContext,
  type SealTokenSetOptions,
  type SealedAttribute,
  type Shop,
  type ShopProfile,
  type ShopProfileChanges,
  type ShopProfileFields,
  type ShopTokens,
  type StoredTokens,
  type TokenGeneration,
  type UninstallOutcome,
} from './shops';
export { TABLE_SCHEMAS, tableSchema } from '../data/schemas';
