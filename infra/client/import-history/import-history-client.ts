import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { tableSchema } from '../../data/schemas';
import { DEFAULT_CURSOR_KEY, type Page } from '../core/cursor';
import { ConflictError, type OperationContext } from '../core/errors';
import { runOperation, type OperationObserver } from '../core/observe';
import { pagedQuery } from '../core/paged-query';
import { canonicalShopDomain } from '../core/shop-domain';
import { expiresAt } from '../core/ttl';
import * as check from '../core/validate';
import { JOB_ID_PATTERN } from '../jobs';
import { FIRST_FINISH, LAST_FINISH, SLOTS_PER_MILLISECOND, firstKeyOf, importTimestamp, lastKeyOf } from './timestamps';
import { IMPORT_STATUSES, type ImportHistoryClientOptions, type ImportHistoryItem, type ImportHistoryListOptions, type ImportHistoryWrite, type ImportRecord } from './types';

const SCHEMA = tableSchema('ImportHistory');

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
      return pagedQuery<ImportHistoryItem>(run, {
        doc: this.doc,
        schema: SCHEMA,
        table: this.table,
        pattern: 'importHistoryByShop',
        partition: { name: SCHEMA.partitionKey.name, value: shop },
        keyNames: [SCHEMA.partitionKey.name, SCHEMA.sortKey.name],
        range: { from: from && firstKeyOf(from), to: to && lastKeyOf(to) },
        ...(limit !== undefined && { limit }),
        cursor: given.cursor,
        cursorKey: this.cursorKey,
        now: this.now(),
      });
    });
  }

  private context(operation: string, shopDomain: string, timestamp: number): OperationContext {
    return { table: this.table, operation, key: { shopDomain, timestamp } };
  }
}
