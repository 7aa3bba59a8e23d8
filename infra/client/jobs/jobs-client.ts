// One file: the job state machine is one class whose every write shares the lease, expiry and idempotency conditions and the way a failed condition is explained.
import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { ulid } from 'ulid';
import { tableSchema } from '../../data/schemas';
import { buildAccessRequest } from '../core/access-requests';
import { DEFAULT_CURSOR_KEY, type Page } from '../core/cursor';
import { ConflictError, IllegalTransitionError, InvalidInputError, NotFoundError, type DataClientError, type ErrorCause, type OperationContext } from '../core/errors';
import { errorCause } from '../core/failures';
import { lowLevel } from '../core/low-level';
import { runOperation, type OperationObserver, type OperationRun } from '../core/observe';
import { pagedQuery } from '../core/paged-query';
import { canonicalShopDomain } from '../core/shop-domain';
import { epochSeconds, expiresAt } from '../core/ttl';
import * as check from '../core/validate';
import { IDEMPOTENCY_KEY_PATTERN, JOB_ID_PATTERN, JOB_ID_TEXT, WORKER_ID_PATTERN, idempotentJobId } from './ids';
import { JOB_MODES, JOB_STATUSES, JOB_TRANSITIONS, JOB_TYPES, type JobStatus, type NextStatus } from './states';
import type { Job, JobRef, JobSummary, JobsClientOptions, LapsedJob, NewJob, PageOptions } from './types';

const SCHEMA = tableSchema('Jobs');
const JOB_ID = SCHEMA.partitionKey.name;

/** errorMessage is a short reason for people; the capacity model sizes the item with it. */
const MAX_ERROR_MESSAGE = 500;
/** Lease length bounds, in seconds: long enough to renew over a slow network, short enough to recover. */
const LEASE_SECONDS = { min: 5, max: 3_600, default: 120 } as const;

const STATUS_INDEX = SCHEMA.indexes.find((index) => index.name === 'status-createdAt')!;
const SHOP_INDEX = SCHEMA.indexes.find((index) => index.name === 'shopDomain-createdAt')!;

/** What a conditional job write expects of the stored item; a failed condition is explained from it. */
interface Expected {
  readonly status: JobStatus;
  /** `mine`: this worker holds the lease; `lapsed`: nobody holds a live one. */
  readonly lease?: 'mine' | 'lapsed';
  /** For progress: the count being recorded. */
  readonly processed?: number;
}

/** The attributes read to explain a failed condition: state, never content. */
const STATE_ATTRIBUTES = ['status', 'expiresAt', 'leaseOwner', 'leaseExpiresAt', 'processedProducts', 'totalProducts'] as const;
type JobState = Partial<Pick<Job, (typeof STATE_ATTRIBUTES)[number]>>;

/**
 * Jobs: create, read, list, and status changes through the state machine with conditional writes.
 * A worker's claim takes a lease that it renews while it runs; progress, completion and failure
 * are refused unless this worker holds the lease, and a job whose lease lapsed can be reclaimed or
 * failed by another worker. An expired job (past its retention) is never claimed, moved or updated.
 */
export class JobsClient {
  private readonly doc: DynamoDBDocumentClient;
  private readonly table: string;
  private readonly now: () => Date;
  private readonly observe: OperationObserver | undefined;
  private readonly cursorKey: string | Uint8Array;
  /** This client's worker id, the lease owner of the jobs it claims. */
  public readonly workerId: string;
  /** How long a claim or renewal holds a job, in seconds. */
  public readonly leaseSeconds: number;

  constructor(options: JobsClientOptions) {
    const where = { table: String(options.table), operation: 'jobs.constructor' };
    this.doc = options.doc;
    this.table = check.text(options.table, where, 'table', 255);
    this.now = check.checkedClock(options.now ?? (() => new Date()), this.table);
    this.observe = options.observe;
    this.cursorKey = options.cursorKey ?? DEFAULT_CURSOR_KEY;
    this.workerId = options.workerId === undefined ? ulid() : check.matching(options.workerId, WORKER_ID_PATTERN, where, 'workerId', '1 to 64 of A-Z, a-z, 0-9 and ._:-');
    this.leaseSeconds =
      options.leaseSeconds === undefined ? LEASE_SECONDS.default : check.integerIn(options.leaseSeconds, where, 'leaseSeconds', LEASE_SECONDS.min, LEASE_SECONDS.max);
  }

  /**
   * Creates a PENDING job: one conditional PutItem that never overwrites. With an idempotency
   * key, the job id comes from the shop and the key: when that job exists already (a retried
   * request), a consistent GetItem returns it unchanged, and a key reused for a different job is
   * a ConflictError.
   */
  create(job: NewJob): Promise<Job> {
    return this.runList('jobs.create', async (run) => {
      const where = run.context;
      const given = check.options(job, where, 'job', true, ['shopDomain', 'type', 'mode', 'isDryRun', 'totalProducts', 'idempotencyKey']);
      const shopDomain = canonicalShopDomain(given.shopDomain, where);
      const idempotencyKey =
        given.idempotencyKey === undefined
          ? undefined
          : check.matching(given.idempotencyKey, IDEMPOTENCY_KEY_PATTERN, where, 'idempotencyKey', '1 to 128 printable ASCII characters');
      const now = this.now();
      const item: Job = {
        jobId: idempotencyKey === undefined ? ulid(now.getTime()) : idempotentJobId(shopDomain, idempotencyKey),
        shopDomain,
        createdAt: now.toISOString(),
        updatedAt: now.toISOString(),
        type: check.oneOf(given.type, JOB_TYPES, where, 'type'),
        mode: check.oneOf(given.mode, JOB_MODES, where, 'mode'),
        status: 'PENDING',
        isDryRun: check.boolean(given.isDryRun, where, 'isDryRun'),
        totalProducts: check.integerIn(given.totalProducts, where, 'totalProducts', 0),
        processedProducts: 0,
        ...(idempotencyKey !== undefined && { idempotencyKey }),
        [SCHEMA.ttl.attribute]: expiresAt(SCHEMA.ttl, now),
      };
      const context = this.context('jobs.create', item.jobId);
      const put = () =>
        this.doc.send(
          new PutCommand({
            TableName: this.table,
            Item: item,
            ConditionExpression: 'attribute_not_exists(#id)',
            ExpressionAttributeNames: { '#id': JOB_ID },
            ...run.capacityRequest,
          }),
        );
      if (idempotencyKey === undefined) {
        await run.send(put, 'a job with that id exists already', context);
        return item;
      }
      try {
        await run.send(put, undefined, context);
        return item;
      } catch (error) {
        // The key's job exists (a retried request), or the key was used for another job.
        if (!(error instanceof ConflictError)) throw error;
      }
      const { Item } = await run.send(
        () => this.doc.send(new GetCommand({ TableName: this.table, Key: { [JOB_ID]: item.jobId }, ConsistentRead: true, ...run.capacityRequest })),
        undefined,
        context,
      );
      const stored = Item as Job | undefined;
      const same = (['shopDomain', 'idempotencyKey', 'type', 'mode', 'isDryRun', 'totalProducts'] as const).every((name) => stored?.[name] === item[name]);
      if (!stored) throw new ConflictError(context, 'its idempotency key\'s job was deleted while this request ran; retry it');
      if (!same) throw new ConflictError(context, 'its idempotency key was used for a different job of the shop');
      if (this.isExpired(stored)) throw new ConflictError(context, 'its idempotency key was used by a job that has expired');
      return stored;
    });
  }

  /** The job, or undefined when it does not exist or has expired (expiresAt <= now) and awaits TTL deletion. */
  get(jobId: string): Promise<Job | undefined> {
    return this.run('jobs.get', jobId, async (run) => {
      const request = buildAccessRequest(SCHEMA, 'jobById', this.table, { partitionKey: jobId });
      const { Item } = await run.send(() => this.doc.send(new GetCommand({ ...request.input, ...run.capacityRequest })));
      const job = Item as Job | undefined;
      return job && !this.isExpired(job) ? job : undefined;
    });
  }

  /**
   * Moves a job from `from` to `to` with one UpdateItem conditioned on the status still being
   * `from` and the job not expired: of two workers making the same move, exactly one wins and the
   * other gets a ConflictError. Moving to RUNNING takes this worker's lease; moving a RUNNING job
   * to COMPLETED or FAILED needs it; leaving RUNNING drops it. A move the state machine does not
   * allow throws IllegalTransitionError unsent.
   */
  transition<F extends JobStatus>(jobId: string, from: F, to: NextStatus<F>, details: { errorMessage?: string } = {}): Promise<Job> {
    return this.moveAs('jobs.transition', jobId, from, to, details);
  }

  /** A transition reported (errors, events) as the call the app made: `jobs.claim`, `jobs.fail`... */
  private moveAs<F extends JobStatus>(operation: string, jobId: string, from: F, to: NextStatus<F>, details: { errorMessage?: string } = {}): Promise<Job> {
    return this.run(operation, jobId, async (run) => {
      const where = run.context;
      check.oneOf(from, JOB_STATUSES, where, 'from');
      check.oneOf(to, JOB_STATUSES, where, 'to');
      const { errorMessage } = check.options(details, where, 'details', false, ['errorMessage']);
      if (!(JOB_TRANSITIONS[from] as readonly JobStatus[]).includes(to)) throw new IllegalTransitionError(run.context, from, to);
      if (to !== 'FAILED' && errorMessage !== undefined) {
        throw new IllegalTransitionError(run.context, from, `${to} (errorMessage is given with FAILED, and only then)`);
      }
      const reason = to === 'FAILED' ? check.text(errorMessage, where, 'errorMessage', MAX_ERROR_MESSAGE) : undefined;
      const lease = from === 'RUNNING' && to !== 'CANCELLED' ? 'mine' : undefined;
      return this.move(run, { status: from, ...(lease && { lease }) }, to, reason);
    });
  }

  /** PENDING → RUNNING: this worker takes the job and its lease. Of two workers claiming one job, one wins. */
  claim(jobId: string): Promise<Job> {
    return this.moveAs('jobs.claim', jobId, 'PENDING', 'RUNNING');
  }

  /** RUNNING → COMPLETED, by the lease holder. */
  complete(jobId: string): Promise<Job> {
    return this.moveAs('jobs.complete', jobId, 'RUNNING', 'COMPLETED');
  }

  /** RUNNING → FAILED, by the lease holder, with why (1 to 500 characters, shown to people). */
  fail(jobId: string, errorMessage: string): Promise<Job> {
    return this.moveAs('jobs.fail', jobId, 'RUNNING', 'FAILED', { errorMessage });
  }

  /** PENDING or RUNNING → CANCELLED by anyone (the app, on the merchant's word); `from` is the status the caller last read. */
  cancel(jobId: string, from: 'PENDING' | 'RUNNING'): Promise<Job> {
    return this.moveAs('jobs.cancel', jobId, from, 'CANCELLED');
  }

  /**
   * Extends this worker's lease on a RUNNING job to `leaseSeconds` from now. Call it well within
   * the lease (every third of it): a lapsed lease lets another worker take the job over. Writes
   * leaseExpiresAt only, which no index holds: 1 write unit, no index write. A lease that lapsed
   * but was not taken over is still this worker's and can be renewed.
   */
  renew(jobId: string): Promise<Job> {
    return this.run('jobs.renew', jobId, (run) =>
      this.update(run, { status: 'RUNNING', lease: 'mine' }, { set: { leaseExpiresAt: this.leaseEnd() } }),
    );
  }

  /**
   * Takes over a RUNNING job whose lease lapsed (its worker crashed or hung): this worker becomes
   * the lease owner, the status stays RUNNING (the status index is not rewritten) and progress so
   * far is kept. The old worker's late progress, renewal or completion is then refused.
   */
  reclaim(jobId: string): Promise<Job> {
    return this.run('jobs.reclaim', jobId, (run) =>
      this.update(run, { status: 'RUNNING', lease: 'lapsed' }, { set: { leaseOwner: this.workerId, leaseExpiresAt: this.leaseEnd(), updatedAt: this.now().toISOString() } }),
    );
  }

  /** RUNNING → FAILED for a job whose lease lapsed, by any worker, with why. */
  failLapsed(jobId: string, errorMessage: string): Promise<Job> {
    return this.run('jobs.failLapsed', jobId, (run) =>
      this.move(run, { status: 'RUNNING', lease: 'lapsed' }, 'FAILED', check.text(errorMessage, run.context, 'errorMessage', MAX_ERROR_MESSAGE)),
    );
  }

  /**
   * Records progress of a RUNNING job this worker holds. The condition refuses a lower count than
   * the stored one (a late, reordered update), a count above totalProducts, an expired job and one
   * that is not RUNNING; only processedProducts and updatedAt are written, so the status index
   * (status, createdAt) is never rewritten. Progress does not renew the lease: {@link renew} does.
   */
  progress(jobId: string, processedProducts: number): Promise<Job> {
    return this.run('jobs.progress', jobId, (run) => {
      const processed = check.integerIn(processedProducts, run.context, 'processedProducts', 0);
      return this.update(run, { status: 'RUNNING', lease: 'mine', processed }, { set: { processedProducts: processed, updatedAt: this.now().toISOString() } });
    });
  }

  /** A shop's live jobs, newest first, a page at a time. */
  listByShop(shopDomain: string, options: PageOptions = {}): Promise<Page<JobSummary>> {
    return this.runList('jobs.listByShop', (run) => {
      const shop = canonicalShopDomain(shopDomain, run.context);
      const given = check.options(options, run.context, 'options', false, ['limit', 'cursor']);
      return this.page<JobSummary>(run, 'jobsByShop', SHOP_INDEX, shop, { ...check.pageRange(given, run.context), cursor: given.cursor });
    });
  }

  /** Live jobs in one status created within [from, to] (both optional, inclusive), oldest first, a page at a time. */
  listByStatus(status: JobStatus, options: PageOptions & { readonly from?: Date; readonly to?: Date } = {}): Promise<Page<JobRef>> {
    return this.runList('jobs.listByStatus', (run) => {
      const partition = check.oneOf(status, JOB_STATUSES, run.context, 'status');
      const given = check.options(options, run.context, 'options', false, ['limit', 'cursor', 'from', 'to']);
      return this.page<JobRef>(run, 'jobsByStatus', STATUS_INDEX, partition, { ...check.pageRange(given, run.context), cursor: given.cursor });
    });
  }

  /**
   * RUNNING jobs whose lease has lapsed, oldest first: one Query of the keys-only status index for
   * a page of RUNNING jobs, then one GetItem of each one's lease (eventually consistent: reclaim
   * and failLapsed check the lease again in their condition). A page may hold fewer lapsed jobs
   * than `limit`, or none, and still have a cursor.
   */
  listLapsed(options: PageOptions = {}): Promise<Page<LapsedJob>> {
    return this.runList('jobs.listLapsed', async (run) => {
      const given = check.options(options, run.context, 'options', false, ['limit', 'cursor']);
      const page = await this.page<JobRef>(run, 'jobsByStatus', STATUS_INDEX, 'RUNNING', { ...check.pageRange({ limit: given.limit }, run.context), cursor: given.cursor });
      const now = this.now().toISOString();
      const leases = await Promise.all(
        page.items.map(async (ref) => {
          const { Item } = await run.send(
            () =>
              this.doc.send(
                new GetCommand({
                  TableName: this.table,
                  Key: { [JOB_ID]: ref.jobId },
                  ProjectionExpression: '#status, #lease',
                  ExpressionAttributeNames: { '#status': 'status', '#lease': 'leaseExpiresAt' },
                  ...run.capacityRequest,
                }),
              ),
            undefined,
            this.context('jobs.listLapsed', ref.jobId),
          );
          const state = Item as JobState | undefined;
          const lapsed = state?.status === 'RUNNING' && (state.leaseExpiresAt === undefined || state.leaseExpiresAt <= now);
          return lapsed ? [{ ...ref, ...(state.leaseExpiresAt !== undefined && { leaseExpiresAt: state.leaseExpiresAt }) }] : [];
        }),
      );
      return { items: leases.flat(), ...(page.cursor && { cursor: page.cursor }) };
    });
  }

  /** One page of an index's partition, from the page the cursor names, TTL horizon applied. */
  private page<T>(
    run: OperationRun,
    pattern: 'jobsByShop' | 'jobsByStatus',
    index: (typeof SCHEMA.indexes)[number],
    partition: string,
    options: { readonly limit?: number; readonly from?: Date; readonly to?: Date; readonly cursor?: unknown },
  ): Promise<Page<T>> {
    return pagedQuery<T>(run, {
      doc: this.doc,
      schema: SCHEMA,
      table: this.table,
      pattern,
      partition: { name: index.partitionKey.name, value: partition },
      keyNames: [JOB_ID, index.partitionKey.name, index.sortKey.name],
      range: { from: options.from?.toISOString(), to: options.to?.toISOString() },
      ...(options.limit !== undefined && { limit: options.limit }),
      cursor: options.cursor,
      cursorKey: this.cursorKey,
      now: this.now(),
    });
  }

  /** A status change as one conditional UpdateItem: RUNNING takes this worker's lease, any other status drops it. */
  private move(run: OperationRun, expected: Expected, to: JobStatus, errorMessage?: string): Promise<Job> {
    const set: Record<string, unknown> = { status: to, updatedAt: this.now().toISOString() };
    if (to === 'RUNNING') Object.assign(set, { leaseOwner: this.workerId, leaseExpiresAt: this.leaseEnd() });
    if (errorMessage !== undefined) set.errorMessage = errorMessage;
    return this.update(run, expected, { set, ...(expected.status === 'RUNNING' && { remove: ['leaseOwner', 'leaseExpiresAt'] }) });
  }

  /**
   * One UpdateItem conditioned on `expected` and on the job not having expired, returning the new
   * item. A failed condition is explained from the item as it was: the one DynamoDB returns with
   * the failure, or, on engines that do not return it, one consistent GetItem, so the error says
   * the same on both.
   */
  private async update(run: OperationRun, expected: Expected, change: { set: Record<string, unknown>; remove?: readonly string[] }): Promise<Job> {
    const now = this.now();
    const names: Record<string, string> = { '#status': 'status', '#expiresAt': SCHEMA.ttl.attribute };
    const values: Record<string, unknown> = { ':expected': expected.status, ':nowSeconds': epochSeconds(now) };
    const conditions = ['#status = :expected', '#expiresAt > :nowSeconds'];
    if (expected.lease === 'mine') {
      Object.assign(names, { '#leaseOwner': 'leaseOwner' });
      Object.assign(values, { ':worker': this.workerId });
      conditions.push('#leaseOwner = :worker');
    } else if (expected.lease === 'lapsed') {
      Object.assign(names, { '#leaseExpiresAt': 'leaseExpiresAt' });
      Object.assign(values, { ':nowIso': now.toISOString() });
      conditions.push('(attribute_not_exists(#leaseExpiresAt) OR #leaseExpiresAt <= :nowIso)');
    }
    if (expected.processed !== undefined) {
      Object.assign(names, { '#processed': 'processedProducts', '#total': 'totalProducts' });
      Object.assign(values, { ':count': expected.processed });
      conditions.push('(attribute_not_exists(#processed) OR #processed <= :count) AND #total >= :count');
    }
    const assignments = Object.entries(change.set).map(([name, value]) => {
      names[`#${name}`] = name;
      values[`:${name}`] = value;
      return `#${name} = :${name}`;
    });
    for (const name of change.remove ?? []) names[`#${name}`] = name;
    const remove = change.remove?.length ? ` REMOVE ${change.remove.map((name) => `#${name}`).join(', ')}` : '';
    const failure: { old?: JobState; cause?: ErrorCause } = {};
    try {
      const { Attributes } = await run.send(
        () =>
          // Every claim, renewal and progress report: low-level, marshalled here (see lowLevel).
          lowLevel(this.doc).send(
            new UpdateItemCommand({
              TableName: this.table,
              Key: { [JOB_ID]: { S: run.context.key[JOB_ID] as string } },
              UpdateExpression: `SET ${assignments.join(', ')}${remove}`,
              ConditionExpression: conditions.join(' AND '),
              ExpressionAttributeNames: names,
              ExpressionAttributeValues: marshall(values),
              ReturnValues: 'ALL_NEW',
              // DynamoDB returns the item as it was when the condition failed: the error can say why without a read.
              ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
              ...run.capacityRequest,
            }),
          ),
        (error) => {
          failure.cause = errorCause(error);
          failure.old = stateOf((error as { Item?: Record<string, { S?: string; N?: string }> }).Item);
          return new ConflictError(run.context, 'its condition failed');
        },
      );
      return unmarshall(Attributes!) as Job;
    } catch (error) {
      if (!failure.cause) throw error;
    }
    const old = failure.old ?? (await this.state(run));
    throw this.explain(run.context, expected, old, now, failure.cause!);
  }

  /** The job's state, read consistently to explain a failed condition. */
  private async state(run: OperationRun): Promise<JobState | undefined> {
    const { Item } = await run.send(() =>
      this.doc.send(
        new GetCommand({
          TableName: this.table,
          Key: { [JOB_ID]: run.context.key[JOB_ID] },
          ConsistentRead: true,
          ProjectionExpression: STATE_ATTRIBUTES.map((name) => `#${name}`).join(', '),
          ExpressionAttributeNames: Object.fromEntries(STATE_ATTRIBUTES.map((name) => [`#${name}`, name])),
          ...run.capacityRequest,
        }),
      ),
    );
    return Item as JobState | undefined;
  }

  /** Why a conditional write failed, from the item as it was: statuses and facts, never a value of its content. */
  private explain(context: OperationContext, expected: Expected, old: JobState | undefined, now: Date, cause: ErrorCause): DataClientError {
    if (!old?.status) return new NotFoundError(context, 'it does not exist', cause);
    if (old.expiresAt !== undefined && old.expiresAt <= epochSeconds(now)) return new NotFoundError(context, 'it has expired and awaits deletion', cause);
    if (old.status !== expected.status) return new ConflictError(context, `it is not ${expected.status}: it is ${old.status}`, cause);
    if (expected.lease === 'mine' && old.leaseOwner !== this.workerId) return new ConflictError(context, 'its lease is held by another worker', cause);
    if (expected.lease === 'lapsed' && old.leaseExpiresAt !== undefined && old.leaseExpiresAt > now.toISOString()) {
      return new ConflictError(context, 'its lease has not lapsed: its worker still holds it', cause);
    }
    if (expected.processed !== undefined && old.totalProducts !== undefined && expected.processed > old.totalProducts) {
      return new InvalidInputError(context, 'processedProducts', 'must not exceed the job\'s totalProducts');
    }
    if (expected.processed !== undefined && old.processedProducts !== undefined && old.processedProducts > expected.processed) {
      return new ConflictError(context, 'it has already recorded more products processed', cause);
    }
    return new ConflictError(context, 'its condition failed: another writer changed the item first', cause);
  }

  private isExpired(job: Pick<Job, 'expiresAt'>): boolean {
    return job.expiresAt !== undefined && job.expiresAt <= epochSeconds(this.now());
  }

  private leaseEnd(): string {
    return new Date(this.now().getTime() + this.leaseSeconds * 1000).toISOString();
  }

  /**
   * Runs one operation on one job: its id is checked first (an id that is not one names no key in
   * the error), then names the key of every error and event.
   */
  private run<T>(operation: string, jobId: unknown, body: (run: OperationRun) => Promise<T>): Promise<T> {
    const valid = typeof jobId === 'string' && JOB_ID_PATTERN.test(jobId);
    return runOperation(this.observe, valid ? this.context(operation, jobId) : { table: this.table, operation, key: {} }, (run) => {
      if (!valid) check.matching(jobId, JOB_ID_PATTERN, run.context, 'jobId', JOB_ID_TEXT);
      return body(run);
    });
  }

  /** Runs one operation that addresses no single job (a create, a list). */
  private runList<T>(operation: string, body: (run: OperationRun) => Promise<T>): Promise<T> {
    return runOperation(this.observe, { table: this.table, operation, key: {} }, body);
  }

  private context(operation: string, jobId: string): OperationContext {
    return { table: this.table, operation, key: { [JOB_ID]: jobId } };
  }
}

/** The state attributes of an item DynamoDB returned with a failed condition (low-level form). */
function stateOf(item: Record<string, { S?: string; N?: string }> | undefined): JobState | undefined {
  if (!item) return undefined;
  const number = (name: string) => (item[name]?.N === undefined ? undefined : Number(item[name].N));
  return {
    ...(item.status?.S !== undefined && { status: item.status.S as JobStatus }),
    ...(number('expiresAt') !== undefined && { expiresAt: number('expiresAt') }),
    ...(item.leaseOwner?.S !== undefined && { leaseOwner: item.leaseOwner.S }),
    ...(item.leaseExpiresAt?.S !== undefined && { leaseExpiresAt: item.leaseExpiresAt.S }),
    ...(number('processedProducts') !== undefined && { processedProducts: number('processedProducts') }),
    ...(number('totalProducts') !== undefined && { totalProducts: number('totalProducts') }),
  };
}
