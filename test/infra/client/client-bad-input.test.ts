import { ClientConfigError, DataClientError, InvalidInputError, createDataClient, type DataClient } from '../../../infra/client';
import { startLocalTables, type LocalTables } from '../../support/local-tables';

/**
 * Every public call of the jobs and import-history clients, and redaction, with inputs the types
 * and the map rule out: each must be refused before any request, with a DataClientError whose
 * message names the refused field and never quotes the value.
 */

const JOB_ID = '01KA0000000000000000000000';
const SHOP = 'bad-input.myshopify.com';
const JOB = { shopDomain: SHOP, type: 'import', mode: 'upsert', isDryRun: false, totalProducts: 100 } as const;
const RECORD = { shopDomain: SHOP, jobId: JOB_ID, finishedAt: new Date('2026-11-25T10:00:00.000Z'), productsImported: 1, status: 'COMPLETED', errorCount: 0 } as const;
const LONG = 'x'.repeat(2048);
const INVALID_DATE = new Date('not a date');

let local: LocalTables;
let data: DataClient;

beforeAll(async () => {
  local = await startLocalTables();
  data = createDataClient({ doc: local.doc, tables: local.tables });
});
afterAll(() => local.close());

type Call = (client: DataClient) => Promise<unknown>;
// Arguments are built as `never` on purpose: these are the calls a JavaScript or `any`-typed caller can make.
const cases: readonly (readonly [string, string, Call])[] = [
  // jobs.create
  ['create without a job', 'job', (c) => c.jobs.create(undefined as never)],
  ['create without a shop', 'shopDomain', (c) => c.jobs.create({ ...JOB, shopDomain: undefined } as never)],
  ['create with a custom domain', 'shopDomain', (c) => c.jobs.create({ ...JOB, shopDomain: 'acme.com' })],
  ['create with an unknown type', 'type', (c) => c.jobs.create({ ...JOB, type: 'sync' } as never)],
  ['create with an unknown mode', 'mode', (c) => c.jobs.create({ ...JOB, mode: 'merge' } as never)],
  ['create with a string isDryRun', 'isDryRun', (c) => c.jobs.create({ ...JOB, isDryRun: 'false' } as never)],
  ['create with a negative total', 'totalProducts', (c) => c.jobs.create({ ...JOB, totalProducts: -1 })],
  ['create with a NaN total', 'totalProducts', (c) => c.jobs.create({ ...JOB, totalProducts: Number.NaN })],
  ['create with an infinite total', 'totalProducts', (c) => c.jobs.create({ ...JOB, totalProducts: Number.POSITIVE_INFINITY })],
  ['create with a fractional total', 'totalProducts', (c) => c.jobs.create({ ...JOB, totalProducts: 1.5 })],
  ['create with a string total', 'totalProducts', (c) => c.jobs.create({ ...JOB, totalProducts: '100' } as never)],
  ['create with an empty idempotency key', 'idempotencyKey', (c) => c.jobs.create({ ...JOB, idempotencyKey: '' })],
  ['create with a 2 KB idempotency key', 'idempotencyKey', (c) => c.jobs.create({ ...JOB, idempotencyKey: LONG })],
  // one job by id
  ['get with an empty id', 'jobId', (c) => c.jobs.get('')],
  ['get with a 2 KB id', 'jobId', (c) => c.jobs.get(LONG)],
  ['get with a lower-case id', 'jobId', (c) => c.jobs.get(JOB_ID.toLowerCase())],
  ['get with a number', 'jobId', (c) => c.jobs.get(42 as never)],
  ['claim with an empty id', 'jobId', (c) => c.jobs.claim('')],
  ['complete with a 2 KB id', 'jobId', (c) => c.jobs.complete(LONG)],
  ['fail with an empty reason', 'errorMessage', (c) => c.jobs.fail(JOB_ID, '')],
  ['fail with a 2 KB reason', 'errorMessage', (c) => c.jobs.fail(JOB_ID, LONG)],
  ['fail with a control character', 'errorMessage', (c) => c.jobs.fail(JOB_ID, 'line\nbreak')],
  ['fail with an undefined reason', 'errorMessage', (c) => c.jobs.fail(JOB_ID, undefined as never)],
  ['cancel from an unknown status', 'from', (c) => c.jobs.cancel(JOB_ID, 'STARTED' as never)],
  ['transition to an unknown status', 'to', (c) => c.jobs.transition(JOB_ID, 'PENDING', 'DONE' as never)],
  ['transition with null details', 'details', (c) => c.jobs.transition(JOB_ID, 'PENDING', 'RUNNING', null as never)],
  ['renew with an empty id', 'jobId', (c) => c.jobs.renew('')],
  ['reclaim with a 2 KB id', 'jobId', (c) => c.jobs.reclaim(LONG)],
  ['failLapsed without a reason', 'errorMessage', (c) => c.jobs.failLapsed(JOB_ID, '')],
  ['progress with a negative count', 'processedProducts', (c) => c.jobs.progress(JOB_ID, -1)],
  ['progress with NaN', 'processedProducts', (c) => c.jobs.progress(JOB_ID, Number.NaN)],
  ['progress with Infinity', 'processedProducts', (c) => c.jobs.progress(JOB_ID, Number.POSITIVE_INFINITY)],
  ['progress with a string count', 'processedProducts', (c) => c.jobs.progress(JOB_ID, '5' as never)],
  ['progress with a 2 KB id', 'jobId', (c) => c.jobs.progress(LONG, 1)],
  // lists
  ['listByShop of a URL', 'shopDomain', (c) => c.jobs.listByShop(`https://${SHOP}`)],
  ['listByShop with limit 0', 'limit', (c) => c.jobs.listByShop(SHOP, { limit: 0 })],
  ['listByShop with limit -1', 'limit', (c) => c.jobs.listByShop(SHOP, { limit: -1 })],
  ['listByShop with limit 1,001', 'limit', (c) => c.jobs.listByShop(SHOP, { limit: 1001 })],
  ['listByShop with a fractional limit', 'limit', (c) => c.jobs.listByShop(SHOP, { limit: 2.5 })],
  ['listByShop with a 2 KB cursor', 'cursor', (c) => c.jobs.listByShop(SHOP, { cursor: LONG })],
  ['listByShop with a numeric cursor', 'cursor', (c) => c.jobs.listByShop(SHOP, { cursor: 7 as never })],
  ['listByStatus of an unknown status', 'status', (c) => c.jobs.listByStatus('DONE' as never)],
  ['listByStatus from an invalid date', 'from', (c) => c.jobs.listByStatus('PENDING', { from: INVALID_DATE })],
  ['listByStatus to a string', 'to', (c) => c.jobs.listByStatus('PENDING', { to: '2026-11-25' as never })],
  ['listByStatus over an inverted range', 'from', (c) => c.jobs.listByStatus('PENDING', { from: new Date('2026-11-25'), to: new Date('2026-11-24') })],
  ['listLapsed with limit 0', 'limit', (c) => c.jobs.listLapsed({ limit: 0 })],
  ['listByShop with a misspelt option', 'options.limt', (c) => c.jobs.listByShop(SHOP, { limt: 5 } as never)],
  ['listByStatus with a misspelt option', 'options.form', (c) => c.jobs.listByStatus('PENDING', { form: new Date() } as never)],
  ['create with a field that is not a job\'s', 'job.status', (c) => c.jobs.create({ ...JOB, status: 'RUNNING' } as never)],
  ['fail with a misspelt detail', 'details.error', (c) => c.jobs.transition(JOB_ID, 'RUNNING', 'FAILED', { error: 'x' } as never)],
  ['listLapsed with an edited cursor', 'cursor', (c) => c.jobs.listLapsed({ cursor: 'e30.AAAAAAAAAAAAAAAAAAAAAA' })],
  // import history
  ['record without a record', 'record', (c) => c.importHistory.record(undefined as never)],
  ['record without a shop', 'shopDomain', (c) => c.importHistory.record({ ...RECORD, shopDomain: '' })],
  ['record with an empty job id', 'jobId', (c) => c.importHistory.record({ ...RECORD, jobId: '' })],
  ['record with an invalid date', 'finishedAt', (c) => c.importHistory.record({ ...RECORD, finishedAt: INVALID_DATE })],
  ['record finishing before 1970', 'finishedAt', (c) => c.importHistory.record({ ...RECORD, finishedAt: new Date(-1) })],
  ['record finishing after 2286', 'finishedAt', (c) => c.importHistory.record({ ...RECORD, finishedAt: new Date(10_000_000_000_000) })],
  ['record finishing ahead of the clock (it would outlive a redaction)', 'finishedAt', (c) => c.importHistory.record({ ...RECORD, finishedAt: new Date(Date.now() + 60_000) })],
  ['record with a misspelt field', 'record.finished', (c) => c.importHistory.record({ ...RECORD, finished: new Date() } as never)],
  ['list with a misspelt option', 'options.fromDate', (c) => c.importHistory.list(SHOP, { fromDate: new Date() } as never)],
  ['record with a date string', 'finishedAt', (c) => c.importHistory.record({ ...RECORD, finishedAt: '2026-11-25' as never })],
  ['record with a negative product count', 'productsImported', (c) => c.importHistory.record({ ...RECORD, productsImported: -1 })],
  ['record with an unknown status', 'status', (c) => c.importHistory.record({ ...RECORD, status: 'DONE' as never })],
  ['record with a NaN error count', 'errorCount', (c) => c.importHistory.record({ ...RECORD, errorCount: Number.NaN })],
  ['list of a custom domain', 'shopDomain', (c) => c.importHistory.list('acme.com')],
  ['list with limit 0', 'limit', (c) => c.importHistory.list(SHOP, { limit: 0 })],
  ['list over an inverted range', 'from', (c) => c.importHistory.list(SHOP, { from: new Date('2026-11-25'), to: new Date('2026-11-01') })],
  ['list from an invalid date', 'from', (c) => c.importHistory.list(SHOP, { from: INVALID_DATE })],
  ['list with an edited cursor', 'cursor', (c) => c.importHistory.list(SHOP, { cursor: 'e30.AAAAAAAAAAAAAAAAAAAAAA' })],
  // redaction
  ['redactShop of a custom domain', 'shopDomain', (c) => c.redactShop('acme.com')],
  ['redactShop of an empty string', 'shopDomain', (c) => c.redactShop('')],
  ['redactShop of a domain with a Kelvin sign (it lower-cases to another shop\'s)', 'shopDomain', (c) => c.redactShop('\u212Aacme.myshopify.com')],
];

test.each(cases)('%s is refused before any request, naming %s', async (_case, field, call) => {
  local.sent.length = 0;
  const error = await call(data).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(DataClientError);
  expect(error).toBeInstanceOf(InvalidInputError);
  expect((error as InvalidInputError).field).toBe(field);
  expect((error as Error).message).toMatch(new RegExp(`: ${field.replace('.', '\\.')} (must|is refused|is not one of)`));
  expect((error as Error).message).not.toContain(LONG.slice(0, 100));
  expect(local.sent).toEqual([]);
});

test('every public method of the jobs and import-history clients has a bad-input case', () => {
  const named = (prototype: object) =>
    Object.getOwnPropertyNames(prototype).filter((name) => name !== 'constructor' && typeof (prototype as Record<string, unknown>)[name] === 'function');
  const jobs = named(Object.getPrototypeOf(data.jobs) as object).filter((name) => !['page', 'move', 'moveAs', 'update', 'state', 'explain', 'isExpired', 'leaseEnd', 'run', 'runList', 'context'].includes(name));
  const history = named(Object.getPrototypeOf(data.importHistory) as object).filter((name) => name !== 'context');
  const covered = cases.map(([name]) => name.split(' ')[0]);
  expect(jobs.filter((name) => !covered.includes(name))).toEqual([]);
  expect(history.filter((name) => !covered.includes(name))).toEqual([]);
});

test.each([
  ['a worker id with spaces', 'workerId', { workerId: 'worker one' }],
  ['a lease under 5 seconds', 'leaseSeconds', { leaseSeconds: 1 }],
  ['a lease of NaN seconds', 'leaseSeconds', { leaseSeconds: Number.NaN }],
  ['a numeric cursor key', 'cursorKey', { cursorKey: 42 }],
  ['a doc that is not a document client', 'doc', { doc: {} }],
  ['a clock that is not a function', 'now', { now: new Date() }],
  ['an observer that is not a function', 'observe', { observe: 'console.log' }],
  ['a redaction retry of NaN attempts', 'redactionRetry.attempts', { redactionRetry: { attempts: Number.NaN, baseDelayMs: 50 } }],
  ['a redaction retry with a misspelt field', 'redactionRetry.baseDelay', { redactionRetry: { attempts: 3, baseDelay: 50 } }],
  ['a token crypto that is not one', 'tokenCrypto', { tokenCrypto: { seal: () => undefined } }],
  ['a misspelt option', '"leaseSecond"', { leaseSecond: 30 }],
])('a client with %s is refused when it is made, in one line naming %s', (_case, field, options) => {
  const made = () => createDataClient({ doc: local.doc, tables: local.tables, ...(options as object) });
  expect(made).toThrow(ClientConfigError);
  expect(made).toThrow(new RegExp(`createDataClient('s ${field.replace('.', '\\.')} (must|is not)| has no option ${field})`));
});

test('createDataClient without options is one configuration error, not a TypeError', () => {
  expect(() => createDataClient(undefined as never)).toThrow(new ClientConfigError('createDataClient takes an options object: { tables, ... } (see docs/client.md, "Creating the client").'));
});

test.each([
  ['no table names', undefined],
  ['an empty Jobs table name', { Shops: 'Shops-dev', Jobs: ' ', ImportHistory: 'ImportHistory-dev' }],
])('a client with %s is refused when it is made, naming the table', (_case, tables) => {
  expect(() => createDataClient({ doc: local.doc, tables: tables as never })).toThrow(/^The (Shops|Jobs) table's name is missing/);
});
