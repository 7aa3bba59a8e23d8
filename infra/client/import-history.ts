import { createHash } from 'node:crypto';
import { GetCommand, PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { tableSchema } from '../data/schemas';
import { ExpiredRangeError, buildAccessRequest } from './access-requests';
import { DEFAULT_CURSOR_KEY, decodeCursor, encodeCursor, type CursorScope, type Page } from './cursor';
import { ConflictError, type OperationContext } from './errors';
import type { Item } from './items';
import { runOperation, type OperationObserver } from './observe';
import { canonicalShopDomain } from './shop-domain';
import { expiresAt } from './ttl';
import * as check from './validate';

const SCHEMA = tableSchema('ImportHistory');

/**
 * Distinct keys within one millisecond: the two decimal places after the milliseconds. Ten
 * integer digits of seconds (until the year 2286) plus five decimals are 15 significant digits,
 * the most every IEEE double round-trips exactly, so the key read back is the key written.
 */
export const SLOTS_PER_MILLISECOND = 100;

/** The statuses of a finished import. */
const IMPORT_STATUSES = ['COMPLETED', 'PARTIAL', 'FAILED'] as const;

/** A job id as the Jobs client hands it out (a ULID, or a key-derived id in its alphabet). */
const JOB_ID_PATTERN = /^[0-9A-HJKMNP-TV-Z]{26}$/;

/** The range of finish times the key holds: ten digits of Unix seconds, from 1970 to 2286. */
const FIRST_FINISH = new Date(0);
const LAST_FINISH = new Date(9_999_999_999_999);

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

/** The slot of a job within a millisecond: a hash of its id, so a retry of the job lands on it again. */
function jobSlot(jobId: string): number {
  return createHash('sha256').update(jobId).digest().readUInt32BE(0) % SLOTS_PER_MILLISECOND;
}

/**
 * The ImportHistory sort key of an import: Unix time in seconds with exactly five decimals, the
 * first three the milliseconds of `finishedAt` and the last two a slot (00-99) taken from the
 * job id, moved on by `probe` when an earlier slot holds another job. E.g. a job finishing at
 * 2026-11-25T10:00:00.250Z in slot 37 is 1795600800.25037. It orders by finish time to the
 * millisecond and never leaves that millisecond.
 */
export function importTimestamp(finishedAt: Date, jobId: string, probe = 0): number {
  const ms = check.date(finishedAt, { table: SCHEMA.name, operation: 'importTimestamp' }, 'finishedAt', FIRST_FINISH, LAST_FINISH).getTime();
  const slot = (jobSlot(jobId) + probe) % SLOTS_PER_MILLISECOND;
  const fraction = `${String(ms % 1000).padStart(3, '0')}${String(slot).padStart(2, '0')}`;
  return Number(`${Math.floor(ms / 1000)}.${fraction}`);
}

/** The first key of a millisecond (slot 00): the lower bound of a range starting at `date`. */
function firstKeyOf(date: Date): number {
  return date.getTime() / 1000;
}

/** The last key of a millisecond (slot 99): the upper bound of a range ending at `date`, inclusive. */
function lastKeyOf(date: Date): number {
  const ms = date.getTime();
  return Number(`${Math.floor(ms / 1000)}.${String(ms % 1000).padStart(3, '0')}${SLOTS_PER_MILLISECOND - 1}`);
}

/** When an import finished, read back from its sort key (exact: the decimals are parsed as text). */
export function importFinishedAt(timestamp: number): Date {
  const [seconds, fraction = ''] = String(timestamp).split('.');
  return new Date(Number(seconds) * 1000 + Number(fraction.padEnd(5, '0').slice(0, 3)));
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

/** ImportHistory: records every finished import exactly once, and reads a shop's history by date. */
export class ImportHistoryClient {
  private readonly doc: DynamoDBDocumentClient;
  private readonly table: string;
  private readonly now: () => Date;
  private readonly observe: OperationObserver | undefined;
  private readonly cursorKey: string | Uint8Array;

  constructor(options: ImportHistoryClientOptions) {
    this.doc = options.doc;
    this.table = check.text(options.table, { table: String(options.table), operation: 'importHistory.constructor' }, 'table', 255);
    this.now = check.checkedClock(options.now ?? (() => new Date()), this.table);
    this.observe = options.observe;
    this.cursorKey = options.cursorKey ?? DEFAULT_CURSOR_KEY;
  }

  /**
   * Stores a finished import by the map's writer rules: one PutItem that never overwrites, at
   * the key of its finish millisecond and its job's slot. When that key is taken, a consistent
   * GetItem tells a retry of the same job (done) from another job (try the next slot of the same
   * millisecond). Only when all 100 slots of one millisecond hold other jobs of the shop does it
   * throw ConflictError; a record is never dropped silently.
   */
  record(record: ImportRecord): Promise<ImportHistoryWrite> {
    return runOperation(this.observe, { table: this.table, operation: 'importHistory.record', key: {} }, async (run) => {
      const where = run.context;
      const given = check.options(record, where, 'record', true, ['shopDomain', 'jobId', 'finishedAt', 'productsImported', 'status', 'errorCount']);
      const valid: ImportRecord = {
        shopDomain: canonicalShopDomain(given.shopDomain, where),
        jobId: check.matching(given.jobId, JOB_ID_PATTERN, where, 'jobId', 'a job id: 26 characters of Crockford base32, as the Jobs client hands it out'),
        // Never ahead of the clock: redaction deletes a shop's history up to the moment it began,
        // and a finish time to come would outlive it.
        finishedAt: check.date(given.finishedAt, where, 'finishedAt', FIRST_FINISH, this.now()),
        productsImported: check.integerIn(given.productsImported, where, 'productsImported', 0),
        status: check.oneOf(given.status, IMPORT_STATUSES, where, 'status'),
        errorCount: check.integerIn(given.errorCount, where, 'errorCount', 0),
      };
      const { partitionKey, sortKey } = SCHEMA;
      for (let probe = 0; probe < SLOTS_PER_MILLISECOND; probe += 1) {
        const timestamp = importTimestamp(valid.finishedAt, valid.jobId, probe);
        const context = this.context('importHistory.record', valid.shopDomain, timestamp);
        const item: ImportHistoryItem = {
          shopDomain: valid.shopDomain,
          timestamp,
          jobId: valid.jobId,
          productsImported: valid.productsImported,
          status: valid.status,
          errorCount: valid.errorCount,
          [SCHEMA.ttl.attribute]: expiresAt(SCHEMA.ttl, valid.finishedAt),
        };
        try {
          await run.send(
            () =>
              this.doc.send(
                new PutCommand({
                  TableName: this.table,
                  Item: item,
                  ConditionExpression: 'attribute_not_exists(#timestamp)',
                  ExpressionAttributeNames: { '#timestamp': sortKey.name },
                  ...run.capacityRequest,
                }),
              ),
            undefined,
            context,
          );
          return { outcome: 'stored', timestamp };
        } catch (error) {
          // The key is taken: by this job (a retry) or by another job of the same millisecond.
          if (!(error instanceof ConflictError)) throw error;
        }
        const stored = await run.send(
          () =>
            this.doc.send(
              new GetCommand({
                TableName: this.table,
                Key: { [partitionKey.name]: valid.shopDomain, [sortKey.name]: timestamp },
                ConsistentRead: true,
                ...run.capacityRequest,
              }),
            ),
          undefined,
          context,
        );
        if (stored.Item?.jobId === valid.jobId) return { outcome: 'alreadyStored', timestamp };
      }
      throw new ConflictError(
        this.context('importHistory.record', valid.shopDomain, importTimestamp(valid.finishedAt, valid.jobId)),
        `all ${SLOTS_PER_MILLISECOND} keys of that millisecond hold other imports of the shop`,
      );
    });
  }

  /**
   * A shop's live imports that finished within [from, to] (both optional, inclusive to the
   * millisecond), newest first, a page at a time.
   */
  list(shopDomain: string, options: ImportHistoryListOptions = {}): Promise<Page<ImportHistoryItem>> {
    return runOperation(this.observe, { table: this.table, operation: 'importHistory.list', key: {} }, async (run) => {
      const shop = canonicalShopDomain(shopDomain, run.context);
      const given = check.options(options, run.context, 'options', false, ['limit', 'cursor', 'from', 'to']);
      const { limit, from, to } = check.pageRange(given, run.context, { min: FIRST_FINISH, max: LAST_FINISH });
      const context = { ...run.context, key: { [SCHEMA.partitionKey.name]: shop } };
      const range = { from: from && firstKeyOf(from), to: to && lastKeyOf(to) };
      const scope: CursorScope = { context, partition: { name: SCHEMA.partitionKey.name, value: shop }, range };
      const startKey = decodeCursor(given.cursor, [SCHEMA.partitionKey.name, SCHEMA.sortKey.name], scope, this.cursorKey);
      let request;
      try {
        request = buildAccessRequest(SCHEMA, 'importHistoryByShop', this.table, {
          partitionKey: shop,
          now: this.now(),
          range,
          ...(limit !== undefined && { limit }),
          ...(startKey && { startKey }),
        });
      } catch (error) {
        // A range that ends before the oldest live import holds nothing: the answer needs no read.
        if (error instanceof ExpiredRangeError) return { items: [] };
        throw error;
      }
      const result = await run.send(() => this.doc.send(new QueryCommand({ ...request.input, ...run.capacityRequest })), undefined, context);
      return {
        items: (result.Items ?? []) as ImportHistoryItem[],
        ...(result.LastEvaluatedKey && { cursor: encodeCursor(result.LastEvaluatedKey, scope, this.cursorKey) }),
      };
    });
  }

  private context(operation: string, shopDomain: string, timestamp: number): OperationContext {
    return { table: this.table, operation, key: { shopDomain, timestamp } };
  }
}
