import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Item } from '../core/items';
import type { OperationObserver } from '../core/observe';

/** The statuses of a finished import. */
export const IMPORT_STATUSES = ['COMPLETED', 'PARTIAL', 'FAILED'] as const;

/** One finished import, as the job runner reports it. */
export interface ImportRecord {
  /** Domain of the shop the import ran for. */
  readonly shopDomain: string;
  /** ULID of the job that ran the import. */
  readonly jobId: string;
  /** When the import finished (millisecond precision), never later than the client's clock. */
  readonly finishedAt: Date;
  /** Products written to Shopify. */
  readonly productsImported: number;
  /** "COMPLETED", "PARTIAL" or "FAILED". */
  readonly status: 'COMPLETED' | 'PARTIAL' | 'FAILED';
  /** Products that failed. */
  readonly errorCount: number;
}

/** A stored ImportHistory item. */
export type ImportHistoryItem = Item<'ImportHistory'>;

/** What became of a write: stored now, or found already stored by this job (a retry). */
export interface ImportHistoryWrite {
  readonly outcome: 'stored' | 'alreadyStored';
  /** The item's sort key: Unix seconds with five decimals (see {@link importTimestamp}). */
  readonly timestamp: number;
}

/** What the ImportHistory client needs. */
export interface ImportHistoryClientOptions {
  readonly doc: DynamoDBDocumentClient;
  /** Physical name of the ImportHistory table. */
  readonly table: string;
  /** The clock, for the TTL horizon of reads; tests pass a fixed one. */
  readonly now?: () => Date;
  /** Receives one event per operation. */
  readonly observe?: OperationObserver;
  /** Signs the list cursors (see DEFAULT_CURSOR_KEY). */
  readonly cursorKey?: string | Uint8Array;
}

/** Options of {@link ImportHistoryClient.list}. */
export interface ImportHistoryListOptions {
  /** Imports that finished at or after this millisecond. */
  readonly from?: Date;
  /** Imports that finished at or before this millisecond. */
  readonly to?: Date;
  /** Items per page: 1 to 1,000. */
  readonly limit?: number;
  /** The `cursor` of the previous page of the same read. */
  readonly cursor?: string;
}
