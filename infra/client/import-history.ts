import { createHash } from 'node:crypto';
import { GetCommand, PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { tableSchema } from '../schemas';
import { buildAccessRequest } from './access-requests';
import { decodeCursor, encodeCursor, type Page } from './cursor';
import { ConflictError, inContext, isConditionFailure, toDataClientError, type OperationContext } from './errors';
import type { Item } from './items';
import { expiresAt } from './ttl';

const SCHEMA = tableSchema('ImportHistory');

/**
 * Distinct keys within one millisecond: the two decimal places after the milliseconds. Ten
 * integer digits of seconds (until the year 2286) plus five decimals are 15 significant digits,
 * the most every IEEE double round-trips exactly, so the key read back is the key written.
 */
export const SLOTS_PER_MILLISECOND = 100;

/** One finished import, as the job runner reports it. */
export interface ImportRecord {
  /** Domain of the shop the import ran for. */
  readonly shopDomain: string;
  /** ULID of the job that ran the import. */
  readonly jobId: string;
  /** When the import finished (millisecond precision). */
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
  const ms = finishedAt.getTime();
  if (!Number.isInteger(ms) || ms < 0) throw new RangeError(`finishedAt must be a valid date after 1970, not ${String(finishedAt)}.`);
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
}

/** ImportHistory: records every finished import exactly once, and reads a shop's history by date. */
export class ImportHistoryClient {
  private readonly doc: DynamoDBDocumentClient;
  private readonly table: string;
  private readonly now: () => Date;

  constructor(options: ImportHistoryClientOptions) {
    this.doc = options.doc;
    this.table = options.table;
    this.now = options.now ?? (() => new Date());
  }

  /**
   * Stores a finished import by the map's writer rules: one PutItem that never overwrites, at
   * the key of its finish millisecond and its job's slot. When that key is taken, a consistent
   * GetItem tells a retry of the same job (done) from another job (try the next slot of the same
   * millisecond). Only when all 100 slots of one millisecond hold other jobs of the shop does it
   * throw ConflictError; a record is never dropped silently.
   */
  async record(record: ImportRecord): Promise<ImportHistoryWrite> {
    const { partitionKey, sortKey } = SCHEMA;
    for (let probe = 0; probe < SLOTS_PER_MILLISECOND; probe += 1) {
      const timestamp = importTimestamp(record.finishedAt, record.jobId, probe);
      const context = this.context('importHistory.record', record.shopDomain, timestamp);
      const item: ImportHistoryItem = {
        shopDomain: record.shopDomain,
        timestamp,
        jobId: record.jobId,
        productsImported: record.productsImported,
        status: record.status,
        errorCount: record.errorCount,
        [SCHEMA.ttl.attribute]: expiresAt(SCHEMA.ttl, record.finishedAt),
      };
      try {
        await this.doc.send(
          new PutCommand({
            TableName: this.table,
            Item: item,
            ConditionExpression: 'attribute_not_exists(#timestamp)',
            ExpressionAttributeNames: { '#timestamp': sortKey.name },
          }),
        );
        return { outcome: 'stored', timestamp };
      } catch (error) {
        if (!isConditionFailure(error)) throw toDataClientError(error, context);
      }
      const stored = await inContext(
        context,
        this.doc.send(
          new GetCommand({
            TableName: this.table,
            Key: { [partitionKey.name]: record.shopDomain, [sortKey.name]: timestamp },
            ConsistentRead: true,
          }),
        ),
      );
      if (stored.Item?.jobId === record.jobId) return { outcome: 'alreadyStored', timestamp };
    }
    throw new ConflictError(
      this.context('importHistory.record', record.shopDomain, importTimestamp(record.finishedAt, record.jobId)),
      `all ${SLOTS_PER_MILLISECOND} keys of that millisecond hold other imports of the shop`,
    );
  }

  /**
   * A shop's live imports that finished within [from, to] (both optional, inclusive to the
   * millisecond), newest first, a page at a time.
   */
  async list(
    shopDomain: string,
    options: { readonly from?: Date; readonly to?: Date; readonly limit?: number; readonly cursor?: string } = {},
  ): Promise<Page<ImportHistoryItem>> {
    const startKey = decodeCursor(options.cursor, [SCHEMA.partitionKey.name, SCHEMA.sortKey.name], {
      name: SCHEMA.partitionKey.name,
      value: shopDomain,
    });
    const request = buildAccessRequest(SCHEMA, 'importHistoryByShop', this.table, {
      partitionKey: shopDomain,
      now: this.now(),
      range: { from: options.from && firstKeyOf(options.from), to: options.to && lastKeyOf(options.to) },
      ...(options.limit !== undefined && { limit: options.limit }),
      ...(startKey && { startKey }),
    });
    const result = await inContext(
      { table: this.table, operation: 'importHistory.list', key: { shopDomain } },
      this.doc.send(new QueryCommand(request.input)),
    );
    return {
      items: (result.Items ?? []) as ImportHistoryItem[],
      ...(result.LastEvaluatedKey && { cursor: encodeCursor(result.LastEvaluatedKey) }),
    };
  }

  private context(operation: string, shopDomain: string, timestamp: number): OperationContext {
    return { table: this.table, operation, key: { shopDomain, timestamp } };
  }
}
