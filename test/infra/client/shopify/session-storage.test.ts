// One file: every scenario of Shopify's storage contract runs over both inner storages with the same fixture and the same scan.
import { Session } from '@shopify/shopify-api';
import { InvalidInputError, NoTokenError, SealError, ShopInstalledError } from '../../../../infra/client';
import { SEALED_TOKEN_PREFIX } from '../../../../infra/client/shopify';
import { startLocalTables, type LocalTables } from '../../../support/local-tables';
import { INNER_STORAGES, type InnerStorage } from '../../../support/session-inners';
import { newShop, sealedFixture, type SealedFixture } from '../../../support/sealed-sessions';

let local: LocalTables;
beforeAll(async () => {
  local = await startLocalTables();
});
afterAll(() => local.close());

describe.each(INNER_STORAGES)('the sealed session storage over %s', (_, makeInner) => {
  let inner: InnerStorage;
  let f: SealedFixture;
  beforeAll(async () => {
    inner = await makeInner();
  });
  afterAll(() => inner.close());
  beforeEach(() => {
    f = sealedFixture(local, inner);
  });
  afterEach(async () => {
    expect(await f.plaintextFound()).toEqual([]);
  });

  /** Stores `session`, loads it back and expects Shopify's own equality. */
  async function roundTrip(session: Session): Promise<Session> {
    await f.storage.storeSession(session);
    const loaded = await f.storage.loadSession(session.id);
    expect(loaded).toBeInstanceOf(Session);
    expect(session.equals(loaded)).toBe(true);
    return loaded!;
  }

  test('an expiring offline session comes back equal, its tokens only in the Shops table, sealed', async () => {
    const shop = newShop();
    const session = f.shopify.offline(shop);
    await roundTrip(session);
    const row = (await inner.rows()).find((stored) => stored.id === session.id)!;
    expect(row.accessToken || undefined).toBeUndefined();
    expect(row.refreshToken ?? undefined).toBeUndefined();
    const stored = await f.data.tokens.read(shop);
    expect(stored.tokens.accessToken?.reveal()).toBe(session.accessToken);
    expect(stored.tokens.refreshToken?.reveal()).toBe(session.refreshToken);
    expect(stored.tokens.scope).toBe('write_products,read_products');
    expect(await f.data.shops.get(shop)).toMatchObject({ domain: shop, scopes: ['write_products', 'read_products'] });
  });

  test.each([
    ['a non-expiring token (expires undefined)', { expiring: false }, {}],
    ['a non-expiring token (expires null)', { expiring: false }, { expires: null }],
    ['a refresh token without its expiry', { refreshExpiry: false }, {}],
    ['a scope longer than 255 characters', { scope: Array.from({ length: 40 }, (_, i) => `write_scope_number_${i}`).join(',') }, {}],
    ['an empty scope', { scope: '' }, {}],
  ] as const)('%s comes back equal', async (_, kind, fields) => {
    const session = f.shopify.offline(newShop(), kind);
    Object.assign(session, fields);
    await roundTrip(session);
  });

  test('an online session with full user info comes back equal, its token sealed for that session in the inner storage', async () => {
    const shop = newShop();
    const [owner, staff] = [f.shopify.online(shop, 1), f.shopify.online(shop, 2)];
    await roundTrip(owner);
    await roundTrip(staff);
    const rows = await inner.rows();
    for (const session of [owner, staff]) {
      const token = rows.find((row) => row.id === session.id)!.accessToken as string;
      expect(token.startsWith(SEALED_TOKEN_PREFIX)).toBe(true);
    }
    // A sealed token copied to another session does not open there.
    const copied = new Session({ ...(await inner.storage.loadSession(staff.id))!, accessToken: rows.find((row) => row.id === owner.id)!.accessToken as string });
    await inner.storage.storeSession(copied);
    await expect(f.storage.loadSession(staff.id)).rejects.toThrow(SealError);
    await inner.storage.deleteSession(staff.id);
  });

  test('unknown ids load as undefined and delete as done', async () => {
    expect(await f.storage.loadSession(`offline_${newShop()}`)).toBeUndefined();
    expect(await f.storage.loadSession(`${newShop()}_42`)).toBeUndefined();
    expect(await f.storage.deleteSession(`offline_${newShop()}`)).toBe(true);
    expect(await f.storage.deleteSessions([`${newShop()}_1`])).toBe(true);
  });

  test('a session with fields Shopify may add later keeps them as the inner storage does', async () => {
    const session = f.shopify.offline(newShop());
    Object.assign(session, { futureField: 'kept?' });
    const loaded = await roundTrip(session);
    if (inner.kind === 'memory') expect((loaded as unknown as { futureField: string }).futureField).toBe('kept?');
  });

  test('a shop\'s sessions are found among several shops\', each opened and equal', async () => {
    const shops = [newShop(), newShop(), newShop()];
    const sessions = shops.map((shop) => [f.shopify.offline(shop), f.shopify.online(shop, 1), f.shopify.online(shop, 2)]);
    for (const session of sessions.flat()) await f.storage.storeSession(session);
    const found = await f.storage.findSessionsByShop(shops[1]!);
    expect(found.map((session) => session.id).sort()).toEqual(sessions[1]!.map((session) => session.id).sort());
    for (const session of sessions[1]!) expect(session.equals(found.find((candidate) => candidate.id === session.id))).toBe(true);
  });

  test('deleting many sessions deletes them; deleting the offline one drops the tokens but leaves the shop installed', async () => {
    const shop = newShop();
    const sessions = [f.shopify.offline(shop), f.shopify.online(shop, 1), f.shopify.online(shop, 2)];
    for (const session of sessions) await f.storage.storeSession(session);
    await f.storage.deleteSessions(sessions.map((session) => session.id));
    for (const session of sessions) expect(await f.storage.loadSession(session.id)).toBeUndefined();
    expect((await f.data.shops.get(shop))?.uninstalledAt).toBeUndefined();
    await expect(f.data.tokens.fresh(shop, async () => ({}))).rejects.toThrow(NoTokenError);
    await expect(f.data.redactShop(shop)).rejects.toThrow(ShopInstalledError);
  });

  test('a session stored without its access token (after a 401) leaves the shop installed and the next load refreshes', async () => {
    const shop = newShop();
    const loaded = await roundTrip(f.shopify.offline(shop));
    loaded.accessToken = undefined;
    await f.storage.storeSession(loaded);
    expect((await f.data.shops.get(shop))?.uninstalledAt).toBeUndefined();
    expect((await f.data.tokens.read(shop)).tokens.accessToken).toBeUndefined();
    const next = await f.storage.loadSession(loaded.id);
    expect(f.shopify.calls).toBe(1);
    expect(next?.isActive(undefined, 5 * 60_000)).toBe(true);
  });

  test('a 401 of a token served before a newer grant drops nothing of the newer grant', async () => {
    const shop = newShop();
    const served = await roundTrip(f.shopify.offline(shop));
    // Another request exchanged a new token meanwhile; then the first one's call gets a 401.
    const newer = f.shopify.offline(shop);
    await f.storage.storeSession(newer);
    served.accessToken = undefined;
    await f.storage.storeSession(served);
    expect((await f.storage.loadSession(newer.id))?.accessToken).toBe(newer.accessToken);
  });

  test('a non-expiring token without a refresh token, invalidated, loads as a session without a token', async () => {
    const loaded = await roundTrip(f.shopify.offline(newShop(), { expiring: false }));
    loaded.accessToken = undefined;
    await f.storage.storeSession(loaded);
    const next = await f.storage.loadSession(loaded.id);
    expect(next?.accessToken).toBeUndefined();
    expect(next?.isActive(undefined)).toBe(false);
  });

  test('an identical store sends one read and no write; a new grant is a new generation', async () => {
    const shop = newShop();
    const session = f.shopify.offline(shop);
    await f.storage.storeSession(session);
    const first = await f.data.tokens.read(shop, []);
    local.sent.length = 0;
    await f.storage.storeSession(session);
    expect(local.sent).toEqual(['GetItemCommand']);
    await f.storage.storeSession(f.shopify.offline(shop));
    expect((await f.data.tokens.read(shop, [])).installId).not.toBe(first.installId);
  });

  test('an offline session whose id is not offline_<shop>, or whose shop is not a myshopify.com domain, is refused', async () => {
    const session = f.shopify.offline(newShop());
    await expect(f.storage.storeSession(new Session({ ...session, id: 'offline_other.myshopify.com' }))).rejects.toThrow(InvalidInputError);
    await expect(f.storage.storeSession(new Session({ ...session, shop: 'shop.example.com', id: 'offline_shop.example.com' }))).rejects.toThrow(
      'session.shop must be a shop\'s "<handle>.myshopify.com" domain',
    );
  });
});

describe('the sealed session storage refuses what Shopify\'s library never stores, in one error naming the field', () => {
  let local2: LocalTables;
  let inner: InnerStorage;
  let f: SealedFixture;
  beforeAll(async () => {
    local2 = await startLocalTables();
    inner = await INNER_STORAGES[0]![1]();
    f = sealedFixture(local2, inner);
  });
  afterAll(() => local2.close());

  test.each([
    ['no session', () => undefined, 'session'],
    ['a session without an id', (s: Session) => Object.assign(s, { id: '' }), 'session'],
    ['an expiry that is not a valid Date', (s: Session) => Object.assign(s, { expires: new Date('soon') }), 'session.expires'],
    ['a refresh token\'s expiry given as text', (s: Session) => Object.assign(s, { refreshTokenExpires: '2027-01-01' }), 'session.refreshTokenExpires'],
    ['an access token of 1 MB', (s: Session) => Object.assign(s, { accessToken: 'x'.repeat(1_000_000) }), 'tokens.accessToken'],
    ['an access token that is a number', (s: Session) => Object.assign(s, { accessToken: 42 }), 'session.accessToken'],
    ['a shop with a non-ASCII letter that lower-cases to ASCII', (s: Session) => Object.assign(s, { shop: '\u212Aacme.myshopify.com', id: 'offline_\u212Aacme.myshopify.com' }), 'session.shop'],
    ['a scope of 20,000 characters', (s: Session) => Object.assign(s, { scope: 'x'.repeat(20_000) }), 'tokens.scopes'],
  ] as const)('%s', async (_case, edit, field) => {
    const session = edit(f.shopify.offline(newShop()) as Session);
    const error = await f.storage.storeSession(session as Session).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as InvalidInputError).field).toBe(field);
    expect(await f.plaintextFound()).toEqual([]);
  });

  test('deleteSessions of something that is not a list is refused; of an empty list, done', async () => {
    await expect(f.storage.deleteSessions(null as never)).rejects.toMatchObject({ name: 'InvalidInputError', field: 'ids' });
    expect(await f.storage.deleteSessions([])).toBe(true);
  });
});
