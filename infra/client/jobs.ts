import { GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { tableSchema } from '../schemas';
import { buildAccessRequest } from './access-requests';
import { decodeCursor, encodeCursor, type Page } from './cursor';
import { ConflictError, IllegalTransitionError, inContext, isConditionFailure, toDataClientError, type OperationContext } from './errors';
import type { IndexEntry, Item } from './items';
import { epochSeconds, expiresAt } from './ttl';

const SCHEMA = tableSchema('Jobs');

/** The statuses a job can be in. */
export const JOB_STATUSES = ['PENDING', 'RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED'] as const;

/** A job's status. */
export type JobStatus = (typeof JOB_STATUSES)[number];

/**
 * The job state machine: the statuses each status may move to. PENDING → RUNNING → COMPLETED or
 * FAILED; PENDING or RUNNING → CANCELLED. The last three are final.
 */
export const JOB_TRANSITIONS = {
  PENDING: ['RUNNING', 'CANCELLED'],
  RUNNING: ['COMPLETED', 'FAILED', 'CANCELLED'],
  COMPLETED: [],
  FAILED: [],
  CANCELLED: [],
} as const satisfies Record<JobStatus, readonly JobStatus[]>;

/** The statuses a job in status `F` may move to. */
export type NextStatus<F extends JobStatus> = (typeof JOB_TRANSITIONS)[F][number];

/** The attributes `create` writes on every job: what the app gives, plus the id, times, progress and expiry. */
type CreatedAttribute = keyof NewJob | 'jobId' | 'createdAt' | 'updatedAt' | 'processedProducts' | (typeof SCHEMA)['ttl']['attribute'];

/**
 * A stored job: every attribute the client writes at creation is present; errorMessage only on
 * FAILED, and an attribute added to the map later only where a writer sets it.
 */
export type Job = Omit<Item<'Jobs'>, 'status'> & Required<Pick<Item<'Jobs'>, CreatedAttribute>> & { readonly status: JobStatus };

/** A row of a shop's job list: what the `shopDomain-createdAt` index projects. */
export type JobSummary = IndexEntry<'Jobs', 'shopDomain-createdAt'>;

/** A job id found by status: what the keys-only `status-createdAt` index holds. */
export type JobRef = IndexEntry<'Jobs', 'status-createdAt'>;

/** What the app says about a new job; the client sets the id, times, expiry and status. */
export interface NewJob {
  readonly shopDomain: string;
  readonly type: 'import' | 'export';
  readonly mode: 'create' | 'update' | 'upsert';
  readonly isDryRun: boolean;
  readonly totalProducts: number;
}

/** Options of a paginated read. */
export interface PageOptions {
  /** Items per page (DynamoDB's Limit). */
  readonly limit?: number;
  /** The `cursor` of the previous page. */
  readonly cursor?: string;
}

/** What the jobs client needs. */
export interface JobsClientOptions {
  readonly doc: DynamoDBDocumentClient;
  /** Physical name of the Jobs table. */
  readonly table: string;
  /** The clock; tests and the bench pass a fixed one. */
  readonly now?: () => Date;
}

const STATUS_INDEX = SCHEMA.indexes.find((index) => index.name === 'status-createdAt')!;
const SHOP_INDEX = SCHEMA.indexes.find((index) => index.name === 'shopDomain-createdAt')!;

/** Jobs: create, read, list, and status changes through the state machine with conditional writes. */
export class JobsClient {
  private readonly doc: DynamoDBDocumentClient;
  private readonly table: string;
  private readonly now: () => Date;

  constructor(options: JobsClientOptions) {
    this.doc = options.doc;
    this.table = options.table;
    this.now = options.now ?? (() => new Date());
  }

  /** Creates a PENDING job with a new ULID; one conditional PutItem that never overwrites. */
  async create(job: NewJob): Promise<Job> {
    const now = this.now();
    const item: Job = {
      jobId: ulid(now.getTime()),
      shopDomain: job.shopDomain,
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
      type: job.type,
      mode: job.mode,
      status: 'PENDING',
      isDryRun: job.isDryRun,
      totalProducts: job.totalProducts,
      processedProducts: 0,
      [SCHEMA.ttl.attribute]: expiresAt(SCHEMA.ttl, now),
    };
    await inContext(
      this.context('jobs.create', item.jobId),
      this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: item,
          ConditionExpression: 'attribute_not_exists(#id)',
          ExpressionAttributeNames: { '#id': SCHEMA.partitionKey.name },
        }),
      ),
    );
    return item;
  }

  /** The job, or undefined when it does not exist or has expired (expiresAt <= now) and awaits TTL deletion. */
  async get(jobId: string): Promise<Job | undefined> {
    const request = buildAccessRequest(SCHEMA, 'jobById', this.table, { partitionKey: jobId });
    const { Item } = await inContext(this.context('jobs.get', jobId), this.doc.send(new GetCommand(request.input)));
    const job = Item as Job | undefined;
    if (!job || (job.expiresAt !== undefined && job.expiresAt <= epochSeconds(this.now()))) return undefined;
    return job;
  }

  /**
   * Moves a job from `from` to `to` with one UpdateItem conditioned on the status still being
   * `from`: of two workers making the same move, exactly one wins and the other gets a
   * ConflictError. A move the state machine does not allow throws IllegalTransitionError unsent.
   */
  async transition<F extends JobStatus>(jobId: string, from: F, to: NextStatus<F>, details: { errorMessage?: string } = {}): Promise<Job> {
    const context = this.context('jobs.transition', jobId);
    if (!(JOB_TRANSITIONS[from] as readonly JobStatus[] | undefined)?.includes(to)) {
      throw new IllegalTransitionError(context, from, to);
    }
    if ((details.errorMessage !== undefined) !== (to === 'FAILED')) {
      throw new IllegalTransitionError(context, from, `${to} (errorMessage is given with FAILED, and only then)`);
    }
    const values: Record<string, unknown> = { ':from': from, ':to': to, ':now': this.now().toISOString() };
    let update = 'SET #status = :to, #updatedAt = :now';
    if (details.errorMessage !== undefined) {
      values[':error'] = details.errorMessage;
      update += ', #errorMessage = :error';
    }
    return this.update(context, {
      UpdateExpression: update,
      ConditionExpression: '#status = :from',
      ExpressionAttributeNames: {
        '#status': 'status',
        '#updatedAt': 'updatedAt',
        ...(details.errorMessage !== undefined && { '#errorMessage': 'errorMessage' }),
      },
      ExpressionAttributeValues: values,
    }, `it is not ${from}`);
  }

  /** PENDING → RUNNING: a worker takes the job. Of two workers claiming one job, one wins. */
  claim(jobId: string): Promise<Job> {
    return this.transition(jobId, 'PENDING', 'RUNNING');
  }

  /** RUNNING → COMPLETED. */
  complete(jobId: string): Promise<Job> {
    return this.transition(jobId, 'RUNNING', 'COMPLETED');
  }

  /** RUNNING → FAILED, with why. */
  fail(jobId: string, errorMessage: string): Promise<Job> {
    return this.transition(jobId, 'RUNNING', 'FAILED', { errorMessage });
  }

  /** PENDING or RUNNING → CANCELLED; `from` is the status the caller last read. */
  cancel(jobId: string, from: 'PENDING' | 'RUNNING'): Promise<Job> {
    return this.transition(jobId, from, 'CANCELLED');
  }

  /**
   * Records progress of a RUNNING job. The condition refuses a lower count than the stored one
   * (a late, reordered update) and a job that is not RUNNING; only processedProducts and
   * updatedAt are written, so the status index (status, createdAt) is never rewritten.
   */
  progress(jobId: string, processedProducts: number): Promise<Job> {
    const context = this.context('jobs.progress', jobId);
    return this.update(context, {
      UpdateExpression: 'SET #processed = :processed, #updatedAt = :now',
      ConditionExpression: '#status = :running AND (attribute_not_exists(#processed) OR #processed <= :processed)',
      ExpressionAttributeNames: { '#status': 'status', '#processed': 'processedProducts', '#updatedAt': 'updatedAt' },
      ExpressionAttributeValues: { ':running': 'RUNNING', ':processed': processedProducts, ':now': this.now().toISOString() },
    }, 'it is not RUNNING or has already processed more products');
  }

  /** A shop's live jobs, newest first, a page at a time. */
  listByShop(shopDomain: string, options: PageOptions = {}): Promise<Page<JobSummary>> {
    return this.page<JobSummary>('jobs.listByShop', 'jobsByShop', SHOP_INDEX, shopDomain, options);
  }

  /** Live jobs in one status created within [from, to] (both optional, inclusive), oldest first, a page at a time. */
  listByStatus(status: JobStatus, options: PageOptions & { readonly from?: Date; readonly to?: Date } = {}): Promise<Page<JobRef>> {
    const range = { from: options.from?.toISOString(), to: options.to?.toISOString() };
    return this.page<JobRef>('jobs.listByStatus', 'jobsByStatus', STATUS_INDEX, status, options, range);
  }

  /** One Query of an index's partition, from the page the cursor names, TTL horizon applied. */
  private async page<T>(
    operation: string,
    pattern: 'jobsByShop' | 'jobsByStatus',
    index: (typeof SCHEMA.indexes)[number],
    partition: string,
    options: PageOptions,
    range?: { from?: string; to?: string },
  ): Promise<Page<T>> {
    const keyNames = [SCHEMA.partitionKey.name, index.partitionKey.name, index.sortKey.name];
    const startKey = decodeCursor(options.cursor, keyNames, { name: index.partitionKey.name, value: partition });
    const request = buildAccessRequest(SCHEMA, pattern, this.table, {
      partitionKey: partition,
      now: this.now(),
      ...(range && { range }),
      ...(options.limit !== undefined && { limit: options.limit }),
      ...(startKey && { startKey }),
    });
    const context = { table: this.table, operation, key: { [index.partitionKey.name]: partition } };
    const result = await inContext(context, this.doc.send(new QueryCommand(request.input)));
    return { items: (result.Items ?? []) as T[], ...(result.LastEvaluatedKey && { cursor: encodeCursor(result.LastEvaluatedKey) }) };
  }

  /** One conditional UpdateItem returning the new item; a failed condition becomes a ConflictError saying why. */
  private async update(
    context: OperationContext,
    input: Pick<ConstructorParameters<typeof UpdateCommand>[0], 'UpdateExpression' | 'ConditionExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'>,
    conflict: string,
  ): Promise<Job> {
    try {
      const { Attributes } = await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { [SCHEMA.partitionKey.name]: context.key[SCHEMA.partitionKey.name] },
          ...input,
          ReturnValues: 'ALL_NEW',
          // DynamoDB returns the item as it was when the condition failed, so the error can say why
          // without a second read (engines that do not support it simply leave it out).
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return Attributes as Job;
    } catch (error) {
      if (!isConditionFailure(error)) throw toDataClientError(error, context);
      // Only the old status is read from the returned item: no other value reaches the error.
      const status = (error as { Item?: { status?: { S?: string } } }).Item?.status?.S;
      throw new ConflictError(context, status ? `${conflict}: it is ${status}` : `${conflict}, or it does not exist`);
    }
  }

  private context(operation: string, jobId: string): OperationContext {
    return { table: this.table, operation, key: { [SCHEMA.partitionKey.name]: jobId } };
  }

}
