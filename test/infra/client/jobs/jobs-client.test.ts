// One file: the job client's calls (create, get, status changes, progress, lists) share one table and the forced ULIDs.
import { ConditionalCheckFailedException, DynamoDBClient, ProvisionedThroughputExceededException, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { InvalidCursorError } from '../../../../infra/client/core/cursor';
import { ConflictError, DataClientError, IllegalTransitionError, InvalidInputError, NotFoundError, ThrottledError } from '../../../../infra/client/core/errors';
import { JOB_STATUSES, JOB_TRANSITIONS, JobsClient, type JobStatus, type NewJob } from '../../../../infra/client/jobs';
import { tableSchema } from '../../../../infra/data/schemas';
import { startLocalTables, type LocalTables } from '../../../support/local-tables';

/** Ids the job client's ULID generator hands out next, before real ones: a way to force a clash. */
const nextIds: string[] = [];
// The client reads `ulid` from the package's exports at each call: a spy there needs no module mock.
const ulidExports = require('ulid') as typeof import('ulid');
const realUlid = ulidExports.ulid;
jest.spyOn(ulidExports, 'ulid').mockImplementation((...args) => nextIds.shift() ?? realUlid(...args));

const SHOP = 'jobs-client.myshopify.com';
const OTHER_SHOP = 'other-jobs.myshopify.com';
const NOW = new Date('2026-11-25T12:00:00.123Z');
/** The Jobs TTL retention; the literal 90 days is asserted where expiresAt is written. */
const RETENTION_MS = tableSchema('Jobs').ttl.retentionDays * 86_400_000;
const NEW_JOB: NewJob = { shopDomain: SHOP, type: 'import', mode: 'upsert', isDryRun: false, totalProducts: 500 };

let local: LocalTables;
let clock: Date;
let jobs: JobsClient;

beforeAll(async () => {
  local = await startLocalTables();
  jobs = new JobsClient({ doc: local.doc, table: local.tables.Jobs, now: () => clock });
});

afterAll(() => local.close());

beforeEach(() => {
  clock = NOW;
  local.sent.length = 0;
});

/** A new job created at `at`, with the request count reset. */
async function createAt(at: Date, job: NewJob = NEW_JOB) {
  clock = at;
  const created = await jobs.create(job);
  clock = NOW;
  local.sent.length = 0;
  return created;
}

describe('create', () => {
  test('writes a PENDING job with a ULID, createdAt in ISO with milliseconds and expiresAt 90 days on, in one PutItem', async () => {
    const job = await jobs.create(NEW_JOB);
    expect(local.sent).toEqual(['PutItemCommand']);
    expect(job.jobId).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(job).toMatchObject({ status: 'PENDING', createdAt: '2026-11-25T12:00:00.123Z', processedProducts: 0, expiresAt: 1_795_608_000 + 90 * 86_400 });
    expect(await jobs.get(job.jobId)).toEqual(job);
  });

  test('is conditional on the id not existing: a repeated id is a ConflictError and the first job is kept', async () => {
    const job = await jobs.create(NEW_JOB);
    nextIds.push(job.jobId);
    await expect(jobs.create({ ...NEW_JOB, totalProducts: 1 })).rejects.toThrow(ConflictError);
    expect(await jobs.get(job.jobId)).toEqual(job);
  });
});

describe('get', () => {
  test('returns undefined for a missing job, in one GetItem', async () => {
    expect(await jobs.get('01KA0000000000000000000000')).toBeUndefined();
    expect(local.sent).toEqual(['GetItemCommand']);
  });

  test('treats a job whose expiresAt is now or past as absent, and one a second younger as present', async () => {
    const expired = await createAt(new Date(NOW.getTime() - RETENTION_MS));
    const live = await createAt(new Date(NOW.getTime() - RETENTION_MS + 1000));
    expect(await jobs.get(expired.jobId)).toBeUndefined();
    expect(await jobs.get(live.jobId)).toMatchObject({ jobId: live.jobId });
  });
});

describe('status changes', () => {
  test('PENDING → RUNNING → COMPLETED, each one UpdateItem returning the new item', async () => {
    const { jobId } = await createAt(NOW);
    clock = new Date('2026-11-25T12:05:00.000Z');
    expect(await jobs.claim(jobId)).toMatchObject({ status: 'RUNNING', updatedAt: '2026-11-25T12:05:00.000Z', createdAt: NOW.toISOString() });
    expect(await jobs.complete(jobId)).toMatchObject({ status: 'COMPLETED' });
    expect(local.sent).toEqual(['UpdateItemCommand', 'UpdateItemCommand']);
  });

  test('RUNNING → FAILED stores why; PENDING and RUNNING → CANCELLED', async () => {
    const failing = await createAt(NOW);
    await jobs.claim(failing.jobId);
    expect(await jobs.fail(failing.jobId, 'Shopify rejected the CSV header')).toMatchObject({ status: 'FAILED', errorMessage: 'Shopify rejected the CSV header' });
    const pending = await createAt(NOW);
    expect(await jobs.cancel(pending.jobId, 'PENDING')).toMatchObject({ status: 'CANCELLED' });
    const running = await createAt(NOW);
    await jobs.claim(running.jobId);
    expect(await jobs.cancel(running.jobId, 'RUNNING')).toMatchObject({ status: 'CANCELLED' });
  });

  const illegal = JOB_STATUSES.flatMap((from) =>
    JOB_STATUSES.filter((to) => !(JOB_TRANSITIONS[from] as readonly JobStatus[]).includes(to)).map((to) => [from, to] as const),
  );
  test.each(illegal)('%s → %s is an IllegalTransitionError, and nothing is sent', async (from, to) => {
    const attempt = jobs.transition('01KA000000000000000000000Y', from, to as never);
    await expect(attempt).rejects.toThrow(IllegalTransitionError);
    await expect(attempt).rejects.toThrow(`jobs.transition on Jobs-dev {jobId: "01KA000000000000000000000Y"}: cannot move from ${from} to ${to}`);
    expect(local.sent).toEqual([]);
  });

  test('a move whose expected status is no longer current is a ConflictError naming table, key and operation', async () => {
    const { jobId } = await createAt(NOW);
    await jobs.claim(jobId);
    await expect(jobs.claim(jobId)).rejects.toThrow(new ConflictError({ table: 'Jobs-dev', operation: 'jobs.claim', key: { jobId } }, 'it is not PENDING: it is RUNNING'));
    expect((await jobs.get(jobId))?.status).toBe('RUNNING');
  });

  test('of two workers claiming one PENDING job, exactly one wins (10 trials)', async () => {
    const other = new JobsClient({ doc: local.doc, table: local.tables.Jobs, now: () => NOW });
    for (let trial = 0; trial < 10; trial += 1) {
      const { jobId } = await jobs.create(NEW_JOB);
      const outcomes = await Promise.allSettled([jobs.claim(jobId), other.claim(jobId)]);
      expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
      const lost = outcomes.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected')!;
      expect(lost.reason).toBeInstanceOf(ConflictError);
    }
  });
});

describe('progress', () => {
  test('updates processedProducts of a RUNNING job in one UpdateItem, leaving status and createdAt as they were', async () => {
    const { jobId } = await createAt(NOW);
    await jobs.claim(jobId);
    local.sent.length = 0;
    clock = new Date('2026-11-25T12:06:00.000Z');
    const updated = await jobs.progress(jobId, 120);
    expect(local.sent).toEqual(['UpdateItemCommand']);
    expect(updated).toMatchObject({ processedProducts: 120, status: 'RUNNING', createdAt: NOW.toISOString(), updatedAt: '2026-11-25T12:06:00.000Z' });
    const { UpdateExpression, ExpressionAttributeNames } = local.inputs[0] as { UpdateExpression: string; ExpressionAttributeNames: Record<string, string> };
    const written = [...UpdateExpression.matchAll(/(#\w+) =/g)].map(([, name]) => ExpressionAttributeNames[name!]);
    expect(written.sort()).toEqual(['processedProducts', 'updatedAt']);
  });

  test('never lowers processedProducts: a late, smaller count is a ConflictError and the stored count stays', async () => {
    const { jobId } = await createAt(NOW);
    await jobs.claim(jobId);
    await jobs.progress(jobId, 300);
    await expect(jobs.progress(jobId, 299)).rejects.toThrow(ConflictError);
    expect((await jobs.get(jobId))?.processedProducts).toBe(300);
    expect(await jobs.progress(jobId, 300)).toMatchObject({ processedProducts: 300 });
  });

  test('is refused unless the job is RUNNING', async () => {
    const { jobId } = await createAt(NOW);
    await expect(jobs.progress(jobId, 1)).rejects.toThrow(ConflictError);
  });
});

describe('lists', () => {
  const LIST_SHOP = 'list-jobs.myshopify.com';
  const created: string[] = [];
  beforeAll(async () => {
    // 7 live jobs a minute apart, one a day past the retention, and one of another shop.
    for (let n = 0; n < 7; n += 1) created.push((await createAt(new Date(NOW.getTime() - n * 60_000), { ...NEW_JOB, shopDomain: LIST_SHOP })).createdAt);
    await createAt(new Date(NOW.getTime() - RETENTION_MS - 86_400_000), { ...NEW_JOB, shopDomain: LIST_SHOP });
    await createAt(NOW, { ...NEW_JOB, shopDomain: OTHER_SHOP });
  });

  test('a shop\'s live jobs come newest first, page by page with an opaque cursor, one Query per page', async () => {
    const pages: string[][] = [];
    let cursor: string | undefined;
    do {
      const page = await jobs.listByShop(LIST_SHOP, { limit: 3, ...(cursor && { cursor }) });
      pages.push(page.items.map((item) => item.createdAt));
      expect(page.items.every((item) => item.shopDomain === LIST_SHOP && item.status === 'PENDING')).toBe(true);
      cursor = page.cursor;
    } while (cursor);
    expect(pages.flat()).toEqual(created);
    expect(pages.slice(0, 3).map((page) => page.length)).toEqual([3, 3, 1]);
    expect(local.sent.every((command) => command === 'QueryCommand')).toBe(true);
    expect(local.sent).toHaveLength(pages.length);
  });

  test('jobs by status in a window come oldest first, the window\'s edges inclusive', async () => {
    const from = new Date(created[4]!);
    const to = new Date(created[1]!);
    const found: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await jobs.listByStatus('PENDING', { from, to, limit: 2, ...(cursor && { cursor }) });
      found.push(...page.items.map((item) => item.createdAt));
      cursor = page.cursor;
    } while (cursor);
    expect(found.filter((at) => created.includes(at))).toEqual(created.slice(1, 5).reverse());
    expect(found.every((at) => at >= from.toISOString() && at <= to.toISOString())).toBe(true);
  });

  test('a corrupt cursor, or one of another shop, is refused in one line before any request', async () => {
    const page = await jobs.listByShop(LIST_SHOP, { limit: 1 });
    local.sent.length = 0;
    await expect(jobs.listByShop(LIST_SHOP, { cursor: 'not-a-cursor' })).rejects.toThrow(InvalidCursorError);
    await expect(jobs.listByShop(OTHER_SHOP, { cursor: page.cursor! })).rejects.toThrow(
      `jobs.listByShop on Jobs-dev {shopDomain: "${OTHER_SHOP}"}: cursor is refused: it was not handed out by this read (edited, or from another shop, status, range or list); pass back the cursor of the previous page unchanged`,
    );
    await expect(jobs.listByStatus('PENDING', { cursor: page.cursor! })).rejects.toThrow(InvalidCursorError);
    expect(local.sent).toEqual([]);
  });
});

describe('leases: a job survives a crashed worker', () => {
  const LEASE_SECONDS = 30;
  const worker = (workerId: string) => new JobsClient({ doc: local.doc, table: local.tables.Jobs, now: () => clock, workerId, leaseSeconds: LEASE_SECONDS });
  const at = (seconds: number) => new Date(NOW.getTime() + seconds * 1000);
  let a: JobsClient;
  let b: JobsClient;
  beforeAll(() => {
    a = worker('worker-a');
    b = worker('worker-b');
  });
  const lapsedIds = async (client: JobsClient) => {
    const ids: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await client.listLapsed({ limit: 50, ...(cursor && { cursor }) });
      ids.push(...page.items.map((item) => item.jobId));
      cursor = page.cursor;
    } while (cursor);
    return ids;
  };

  test('a claim takes the worker\'s lease; a renewal writes leaseExpiresAt alone, in one UpdateItem', async () => {
    const { jobId } = await createAt(NOW);
    expect(await a.claim(jobId)).toMatchObject({ status: 'RUNNING', leaseOwner: 'worker-a', leaseExpiresAt: at(LEASE_SECONDS).toISOString() });
    clock = at(10);
    local.sent.length = 0;
    expect(await a.renew(jobId)).toMatchObject({ leaseOwner: 'worker-a', leaseExpiresAt: at(10 + LEASE_SECONDS).toISOString() });
    expect(local.sent).toEqual(['UpdateItemCommand']);
    const { UpdateExpression, ExpressionAttributeNames } = local.inputs[0] as { UpdateExpression: string; ExpressionAttributeNames: Record<string, string> };
    expect([...UpdateExpression.matchAll(/(#\w+) =/g)].map(([, name]) => ExpressionAttributeNames[name!])).toEqual(['leaseExpiresAt']);
  });

  test('a worker claims and stops renewing; after the lease another worker finds the job by a Query and takes it over; the first worker\'s late progress and completion are refused', async () => {
    const { jobId } = await createAt(NOW);
    await a.claim(jobId);
    await a.progress(jobId, 120);
    // Worker A dies here. Within its lease the job is not lapsed and cannot be taken.
    clock = at(LEASE_SECONDS - 1);
    expect(await lapsedIds(b)).not.toContain(jobId);
    await expect(b.reclaim(jobId)).rejects.toThrow('its lease has not lapsed: its worker still holds it');
    clock = at(LEASE_SECONDS + 1);
    local.sent.length = 0;
    expect(await lapsedIds(b)).toContain(jobId);
    expect(new Set(local.sent)).toEqual(new Set(['QueryCommand', 'GetItemCommand']));
    local.sent.length = 0;
    const taken = await b.reclaim(jobId);
    expect(taken).toMatchObject({ status: 'RUNNING', leaseOwner: 'worker-b', processedProducts: 120, leaseExpiresAt: at(2 * LEASE_SECONDS + 1).toISOString() });
    // The takeover keeps the status: the status index entry is not rewritten.
    const { UpdateExpression, ExpressionAttributeNames } = local.inputs[0] as { UpdateExpression: string; ExpressionAttributeNames: Record<string, string> };
    expect([...UpdateExpression.matchAll(/(#\w+) =/g)].map(([, name]) => ExpressionAttributeNames[name!]).sort()).toEqual(['leaseExpiresAt', 'leaseOwner', 'updatedAt']);
    // Worker A comes back: every write it tries is refused, and the job is as B left it.
    for (const late of [() => a.progress(jobId, 130), () => a.complete(jobId), () => a.renew(jobId), () => a.fail(jobId, 'late')]) {
      await expect(late()).rejects.toThrow(new RegExp(`\\{jobId: "${jobId}"\\}: its lease is held by another worker$`));
    }
    expect(await a.get(jobId)).toMatchObject({ status: 'RUNNING', leaseOwner: 'worker-b', processedProducts: 120 });
    expect(await b.progress(jobId, 200)).toMatchObject({ processedProducts: 200 });
    expect(await b.complete(jobId)).toMatchObject({ status: 'COMPLETED' });
    expect(await lapsedIds(b)).not.toContain(jobId);
  });

  test('a worker that renews in time keeps its job', async () => {
    const { jobId } = await createAt(NOW);
    await a.claim(jobId);
    clock = at(LEASE_SECONDS - 5);
    await a.renew(jobId);
    clock = at(LEASE_SECONDS + 1);
    await expect(b.reclaim(jobId)).rejects.toThrow(ConflictError);
    expect(await a.complete(jobId)).toMatchObject({ status: 'COMPLETED' });
  });

  test('a lapsed job can be failed with a reason by any worker; leaving RUNNING drops the lease', async () => {
    const { jobId } = await createAt(NOW);
    await a.claim(jobId);
    await expect(b.failLapsed(jobId, 'worker stopped')).rejects.toThrow(ConflictError);
    clock = at(LEASE_SECONDS);
    const failed = await b.failLapsed(jobId, 'worker stopped renewing its lease');
    expect(failed).toMatchObject({ status: 'FAILED', errorMessage: 'worker stopped renewing its lease' });
    expect(failed).not.toHaveProperty('leaseOwner');
    expect(failed).not.toHaveProperty('leaseExpiresAt');
  });

  test('the app cancels a RUNNING job without the lease; the worker\'s next progress learns it', async () => {
    const { jobId } = await createAt(NOW);
    await a.claim(jobId);
    expect(await b.cancel(jobId, 'RUNNING')).toMatchObject({ status: 'CANCELLED' });
    await expect(a.progress(jobId, 1)).rejects.toThrow('it is not RUNNING: it is CANCELLED');
  });
});

describe('expired and missing jobs', () => {
  test('a job past its retention cannot be claimed, moved or updated: NotFoundError, and the item is unchanged', async () => {
    const expired = await createAt(new Date(NOW.getTime() - RETENTION_MS));
    for (const attempt of [() => jobs.claim(expired.jobId), () => jobs.cancel(expired.jobId, 'PENDING'), () => jobs.progress(expired.jobId, 1)]) {
      const error = (await attempt().catch((caught: unknown) => caught)) as Error;
      expect(error).toBeInstanceOf(NotFoundError);
      expect(error.message).toMatch(new RegExp(`on Jobs-dev \\{jobId: "${expired.jobId}"\\}: it has expired and awaits deletion$`));
    }
    const { Item } = await local.doc.send(new GetCommand({ TableName: local.tables.Jobs, Key: { jobId: expired.jobId } }));
    expect(Item).toEqual(expired);
  });

  test('a missing job is a NotFoundError on every write', async () => {
    await expect(jobs.claim('01KA0000000000000000000000')).rejects.toThrow(
      new NotFoundError({ table: 'Jobs-dev', operation: 'jobs.claim', key: { jobId: '01KA0000000000000000000000' } }, 'it does not exist'),
    );
    await expect(jobs.renew('01KA0000000000000000000000')).rejects.toThrow(NotFoundError);
  });

  test('progress beyond totalProducts is refused, naming the field, and leaves the count', async () => {
    const { jobId } = await createAt(NOW, { ...NEW_JOB, totalProducts: 100 });
    await jobs.claim(jobId);
    const error = (await jobs.progress(jobId, 500).catch((caught: unknown) => caught)) as InvalidInputError;
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.message).toBe(`jobs.progress on Jobs-dev {jobId: "${jobId}"}: processedProducts must not exceed the job's totalProducts`);
    expect((await jobs.get(jobId))?.processedProducts).toBe(0);
  });
});

describe('create with an idempotency key', () => {
  test('a retried request returns the job the first one created, and stores one job', async () => {
    const shopDomain = 'idempotent-create.myshopify.com';
    const first = await jobs.create({ ...NEW_JOB, shopDomain, idempotencyKey: 'webhook-4711' });
    clock = new Date(NOW.getTime() + 60_000);
    const retries = await Promise.all(Array.from({ length: 5 }, () => jobs.create({ ...NEW_JOB, shopDomain: shopDomain.toUpperCase(), idempotencyKey: 'webhook-4711' })));
    expect(retries).toEqual(Array.from({ length: 5 }, () => first));
    expect((await jobs.listByShop(shopDomain)).items).toHaveLength(1);
  });

  test('the same key in another shop is another job; the same key for a different job is a ConflictError', async () => {
    const one = await jobs.create({ ...NEW_JOB, shopDomain: 'key-one.myshopify.com', idempotencyKey: 'form-1' });
    const two = await jobs.create({ ...NEW_JOB, shopDomain: 'key-two.myshopify.com', idempotencyKey: 'form-1' });
    expect(two.jobId).not.toBe(one.jobId);
    await expect(jobs.create({ ...NEW_JOB, shopDomain: 'key-one.myshopify.com', idempotencyKey: 'form-1', totalProducts: 7 })).rejects.toThrow(
      new ConflictError({ table: 'Jobs-dev', operation: 'jobs.create', key: { jobId: one.jobId } }, 'its idempotency key was used for a different job of the shop'),
    );
  });

  test('a job is stored under its canonical shop domain, so listing and redaction find it', async () => {
    const job = await jobs.create({ ...NEW_JOB, shopDomain: 'Mixed-Case.MyShopify.com' });
    expect(job.shopDomain).toBe('mixed-case.myshopify.com');
    expect((await jobs.listByShop('MIXED-CASE.myshopify.com')).items.map((item) => item.jobId)).toEqual([job.jobId]);
  });
});

describe('cursors are tamper-evident', () => {
  const SHOP_WITH_PAGES = 'cursor-pages.myshopify.com';
  beforeAll(async () => {
    for (let n = 0; n < 3; n += 1) await createAt(new Date(NOW.getTime() - n * 1000), { ...NEW_JOB, shopDomain: SHOP_WITH_PAGES });
  });
  const edit = (cursor: string, change: (key: Record<string, unknown>) => void) => {
    const [payload, signature] = cursor.split('.');
    const key = JSON.parse(Buffer.from(payload!, 'base64url').toString('utf8')) as Record<string, unknown>;
    change(key);
    return `${Buffer.from(JSON.stringify(key)).toString('base64url')}.${signature}`;
  };

  test('a cursor with an edited createdAt, or of another status, range or list, is refused before any request', async () => {
    const { cursor } = await jobs.listByShop(SHOP_WITH_PAGES, { limit: 1 });
    const { cursor: statusCursor } = await jobs.listByStatus('PENDING', { limit: 1 });
    local.sent.length = 0;
    const edited = edit(cursor!, (key) => {
      key.createdAt = '2026-11-25T12:00:00.124Z';
    });
    for (const attempt of [
      () => jobs.listByShop(SHOP_WITH_PAGES, { cursor: edited }),
      () => jobs.listByStatus('RUNNING', { cursor: statusCursor! }),
      () => jobs.listByStatus('PENDING', { cursor: statusCursor!, from: new Date(0) }),
      () => jobs.listLapsed({ cursor: statusCursor! }),
    ]) {
      await expect(attempt()).rejects.toThrow(/: cursor is refused: it was not handed out by this read/);
    }
    expect(local.sent).toEqual([]);
    expect((await jobs.listByShop(SHOP_WITH_PAGES, { limit: 1, cursor: cursor! })).items).toHaveLength(1);
  });

  test('a client with its own cursor key refuses the cursors of the default key', async () => {
    const keyed = new JobsClient({ doc: local.doc, table: local.tables.Jobs, now: () => clock, cursorKey: 'a key of the app' });
    const { cursor } = await jobs.listByShop(SHOP_WITH_PAGES, { limit: 1 });
    await expect(keyed.listByShop(SHOP_WITH_PAGES, { cursor: cursor! })).rejects.toThrow(/cursor is refused/);
    const own = await keyed.listByShop(SHOP_WITH_PAGES, { limit: 1 });
    expect((await keyed.listByShop(SHOP_WITH_PAGES, { cursor: own.cursor! })).items.length).toBeGreaterThan(0);
  });

  test('a range that ends before the oldest live job is an empty page, without a request', async () => {
    local.sent.length = 0;
    expect(await jobs.listByStatus('PENDING', { from: new Date('2025-01-01'), to: new Date('2025-02-01') })).toEqual({ items: [] });
    expect(local.sent).toEqual([]);
  });
});

describe('SDK errors become typed errors', () => {
  const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
  const mock = mockClient(doc);
  const client = new JobsClient({ doc, table: 'Jobs-prod', now: () => NOW });
  afterEach(() => mock.reset());
  afterAll(() => mock.restore());

  test('throttling after the SDK\'s retries is a ThrottledError with the attempts, table, key and operation', async () => {
    mock.on(GetCommand).rejects(new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: { attempts: 3 } }));
    await expect(client.get('01KTHR0TTTED00000000000000')).rejects.toThrow(
      new ThrottledError({ table: 'Jobs-prod', operation: 'jobs.get', key: { jobId: '01KTHR0TTTED00000000000000' } }, 3),
    );
  });

  test('a failed condition that returns the old item names its status, and only that', async () => {
    const failure = new ConditionalCheckFailedException({ message: 'failed', $metadata: {} });
    Object.assign(failure, { Item: { status: { S: 'COMPLETED' }, errorMessage: { S: 'secret detail' } } });
    mock.on(UpdateItemCommand).rejects(failure);
    const error = (await client.claim('01KG0NE0000000000000000000').catch((caught: unknown) => caught)) as Error;
    expect(error).toBeInstanceOf(ConflictError);
    expect(error.message).toBe('jobs.claim on Jobs-prod {jobId: "01KG0NE0000000000000000000"}: it is not PENDING: it is COMPLETED');
    expect(JSON.stringify({ ...error })).not.toContain('secret');
  });

  test('any other failure is a DataClientError keeping the cause\'s name, AWS code and request id, never its message', async () => {
    const failure = Object.assign(new Error('One or more parameter values were invalid: secret-value'), {
      name: 'ValidationException',
      $metadata: { requestId: 'REQ123', attempts: 1 },
    });
    mock.on(GetCommand).rejects(failure);
    const error = (await client.get('01KA0000000000000000000000').catch((caught: unknown) => caught)) as DataClientError;
    expect(error).toBeInstanceOf(DataClientError);
    expect(error.message).toBe('jobs.get on Jobs-prod {jobId: "01KA0000000000000000000000"}: DynamoDB failed with ValidationException, request id REQ123');
    expect(error.failure).toEqual({ name: 'ValidationException', code: 'ValidationException', requestId: 'REQ123' });
    expect(JSON.stringify({ ...error, message: error.message })).not.toContain('secret');
  });

  test('a TypeError or a network error below the client leaves it as a DataClientError naming table, operation and key', async () => {
    mock.on(UpdateItemCommand).rejects(new TypeError('Cannot read properties of undefined'));
    await expect(client.claim('01KA0000000000000000000000')).rejects.toThrow(
      new DataClientError({ table: 'Jobs-prod', operation: 'jobs.claim', key: { jobId: '01KA0000000000000000000000' } }, 'DynamoDB failed with TypeError'),
    );
    mock.on(GetCommand).rejects(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }));
    const error = (await client.get('01KA0000000000000000000000').catch((caught: unknown) => caught)) as DataClientError;
    expect(error.message).toBe('jobs.get on Jobs-prod {jobId: "01KA0000000000000000000000"}: DynamoDB failed with Error (ECONNREFUSED)');
  });
});
