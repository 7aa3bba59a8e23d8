import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { tableSchema } from '../../data/schemas';
import type { IndexEntry, Item } from '../core/items';
import type { OperationObserver } from '../core/observe';
import type { JobStatus } from './states';

const SCHEMA = tableSchema('Jobs');

/** The attributes `create` writes on every job: what the app gives, plus the id, times, progress and expiry. */
type CreatedAttribute =
  | Exclude<keyof NewJob, 'idempotencyKey'>
  | 'jobId'
  | 'createdAt'
  | 'updatedAt'
  | 'processedProducts'
  | (typeof SCHEMA)['ttl']['attribute'];

/**
 * A stored job: every attribute the client writes at creation is present; errorMessage only on
 * FAILED, the lease only while RUNNING, and an attribute added to the map later only where a
 * writer sets it.
 */
export type Job = Omit<Item<'Jobs'>, 'status'> & Required<Pick<Item<'Jobs'>, CreatedAttribute>> & { readonly status: JobStatus };

/** A row of a shop's job list: what the `shopDomain-createdAt` index projects. */
export type JobSummary = IndexEntry<'Jobs', 'shopDomain-createdAt'>;

/** A job id found by status: what the keys-only `status-createdAt` index holds. */
export type JobRef = IndexEntry<'Jobs', 'status-createdAt'>;

/** A RUNNING job whose lease has lapsed: its worker stopped renewing it. */
export type LapsedJob = JobRef & { readonly leaseExpiresAt?: string };

/** What the app says about a new job; the client sets the id, times, expiry and status. */
export interface NewJob {
  /** The shop's `<handle>.myshopify.com` domain (any case; stored lower-case). */
  readonly shopDomain: string;
  readonly type: 'import' | 'export';
  readonly mode: 'create' | 'update' | 'upsert';
  readonly isDryRun: boolean;
  /** Products the job will process: a whole number, 0 or more. */
  readonly totalProducts: number;
  /**
   * The app request's own id (1 to 128 printable ASCII characters), unique per shop: a retry of
   * the request with the same key returns the job the first attempt created instead of a second.
   */
  readonly idempotencyKey?: string;
}

/** Options of a paginated read. */
export interface PageOptions {
  /** Items per page (DynamoDB's Limit): 1 to 1,000. */
  readonly limit?: number;
  /** The `cursor` of the previous page of the same read. */
  readonly cursor?: string;
}

/** What the jobs client needs. */
export interface JobsClientOptions {
  readonly doc: DynamoDBDocumentClient;
  /** Physical name of the Jobs table. */
  readonly table: string;
  /** The clock; tests and the bench pass a fixed one. */
  readonly now?: () => Date;
  /**
   * This worker's id, written as the lease owner of the jobs it claims: 1 to 64 of A-Z, a-z, 0-9
   * and `._:-`. Defaults to a new ULID per client, so each process is its own worker.
   */
  readonly workerId?: string;
  /** How long a claim or renewal holds a job, in seconds (5 to 3,600; default 120). Renew well within it. */
  readonly leaseSeconds?: number;
  /** Receives one event per operation. */
  readonly observe?: OperationObserver;
  /** Signs the list cursors (see DEFAULT_CURSOR_KEY); every process that serves one list needs the same key. */
  readonly cursorKey?: string | Uint8Array;
}
