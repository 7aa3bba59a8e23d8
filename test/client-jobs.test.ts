import { ConditionalCheckFailedException, DynamoDBClient, ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { InvalidCursorError } from '../infra/client/cursor';
import { ConflictError, IllegalTransitionError, ThrottledError } from '../infra/client/errors';
import { JOB_STATUSES, JOB_TRANSITIONS, JobsClient, type JobStatus, type NewJob } from '../infra/client/jobs';
import { tableSchema } from '../infra/schemas';
import { startLocalTables, type LocalTables } from './support/local-tables';

/** Ids the job client's ULID generator hands out next, before real ones: a way to force a clash. */
const mockNextIds: string[] = [];
jest.mock('ulid', () => {
  const actual = jest.requireActual<typeof import('ulid')>('ulid');
  return { ...actual, ulid: (...args: Parameters<typeof actual.ulid>) => mockNextIds.shift() ?? actual.ulid(...args) };
});

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
    mockNextIds.push(job.jobId);
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
    await expect(jobs.claim(jobId)).rejects.toThrow(new ConflictError({ table: 'Jobs-dev', operation: 'jobs.transition', key: { jobId } }, 'it is not PENDING: it is RUNNING'));
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
    mock.on(UpdateCommand).rejects(failure);
    const error = (await client.claim('01KG0NE0000000000000000000').catch((caught: unknown) => caught)) as Error;
    expect(error).toBeInstanceOf(ConflictError);
    expect(error.message).toBe('jobs.transition on Jobs-prod {jobId: "01KG0NE0000000000000000000"}: it is not PENDING: it is COMPLETED');
    expect(JSON.stringify({ ...error })).not.toContain('secret');
  });
});
