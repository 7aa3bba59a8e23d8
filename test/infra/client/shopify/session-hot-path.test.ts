import { randomBytes } from 'node:crypto';
import { Session } from '@shopify/shopify-api';
import { InvalidInputError } from '../../../../infra/client';
import { startLocalTables, type LocalTables } from '../../../support/local-tables';
import { memoryInner, type InnerStorage } from '../../../support/session-inners';
import { FakeTokenEndpoint, newShop, sealedFixture } from '../../../support/sealed-sessions';

const MINUTE = 60_000;

let local: LocalTables;
let inner: InnerStorage;
beforeAll(async () => {
  local = await startLocalTables();
  inner = await memoryInner();
});
afterAll(() => local.close());

/** Two processes of the app on one table and one key, each with its own cache, on one clock. */
function twoProcesses(start: string) {
  let now = Date.parse(start);
  const clock = () => new Date(now);
  const wrappingKey = randomBytes(32);
  const shopify = new FakeTokenEndpoint(() => now);
  const a = sealedFixture(local, inner, { now: clock, wrappingKey, shopify });
  const b = sealedFixture(local, inner, { now: clock, wrappingKey, shopify });
  return { a, b, shopify, advance: (ms: number) => (now += ms), now: () => now };
}

test('1,000 loads of a warm offline session over 8 hours, refreshed hourly by another process, cost at most 20 KMS Decrypts', async () => {
  const { a, b, advance, now } = twoProcesses('2026-12-03T08:00:00.000Z');
  const shop = newShop();
  const session = a.shopify.offline(shop);
  await b.storage.storeSession(session);
  for (let load = 0; load < 1_000; load += 1) {
    advance(29_000);
    // The other process serves its own requests too, and refreshes when the token is due.
    if (load % 50 === 0) await b.storage.loadSession(session.id);
    const loaded = await a.storage.loadSession(session.id);
    // Session.isActive on the test's clock: a token past the library's 5-minute margin.
    expect(loaded!.expires!.getTime() - 5 * MINUTE).toBeGreaterThan(now());
  }
  expect(a.shopify.calls).toBeGreaterThanOrEqual(7);
  expect(a.crypto.opens).toBeLessThanOrEqual(20);
});

test('every load reads the shop\'s item: an uninstall in another process is seen at once, no opened value is served after it', async () => {
  const { a, b } = twoProcesses('2026-12-03T18:00:00.000Z');
  const shop = newShop();
  const session = a.shopify.offline(shop);
  await a.storage.storeSession(session);
  expect((await a.storage.loadSession(session.id))?.accessToken).toBe(session.accessToken);
  local.sent.length = 0;
  await a.storage.loadSession(session.id);
  expect(local.sent).toEqual(['GetItemCommand']);
  await b.data.shops.uninstall(shop, new Date('2026-12-03T18:00:00.000Z'));
  expect(await a.storage.loadSession(session.id)).toBeUndefined();
});

test('this process\'s own writes empty its opened values: after a 401 the dropped token is not served again', async () => {
  const { a } = twoProcesses('2026-12-03T20:00:00.000Z');
  const shop = newShop();
  const session = a.shopify.offline(shop, { expiring: false });
  await a.storage.storeSession(session);
  const loaded = (await a.storage.loadSession(session.id))!;
  loaded.accessToken = undefined;
  await a.storage.storeSession(loaded);
  expect((await a.storage.loadSession(session.id))?.accessToken).toBeUndefined();
});

test('a non-expiring token is stored until the cut-over, then refused on store and served as no token on load', async () => {
  let now = Date.parse('2026-12-31T23:59:00.000Z');
  const f = sealedFixture(local, inner, { now: () => new Date(now) });
  const shop = newShop();
  const session = f.shopify.offline(shop, { expiring: false });
  await f.storage.storeSession(session);
  expect((await f.storage.loadSession(session.id))?.accessToken).toBe(session.accessToken);
  now = Date.parse('2027-01-01T00:00:00.000Z');
  const loaded = await f.storage.loadSession(session.id);
  expect(loaded).toBeInstanceOf(Session);
  expect(loaded?.accessToken).toBeUndefined();
  await expect(f.storage.storeSession(f.shopify.offline(shop, { expiring: false }))).rejects.toThrow(
    'tokens.accessTokenExpiresAt is required since 2027-01-01T00:00:00.000Z, when Shopify stopped accepting non-expiring offline tokens',
  );
  // The cut-over is the app's to set.
  const later = sealedFixture(local, inner, { now: () => new Date(now), nonExpiringTokensUntil: new Date('2027-04-01T00:00:00.000Z') });
  await later.storage.storeSession(later.shopify.offline(newShop(), { expiring: false }));
  expect(await f.plaintextFound()).toEqual([]);
});

test('a storage made without its inner storage, data client or refresh function is refused naming which', () => {
  const f = sealedFixture(local, inner);
  const { sealedSessionStorage } = jest.requireActual<typeof import('../../../../infra/client/shopify')>('../../../../infra/client/shopify');
  expect(() => sealedSessionStorage({ inner: {} as never, data: f.data, refresh: f.shopify.refresh })).toThrow(InvalidInputError);
  expect(() => sealedSessionStorage({ inner: inner.storage, data: {} as never, refresh: f.shopify.refresh })).toThrow('data must be the data client with shops');
  expect(() => sealedSessionStorage({ inner: inner.storage, data: f.data, refresh: undefined as never })).toThrow('refresh must be a function');
});
