import { join } from 'node:path';
import { Session } from '@shopify/shopify-api';
import { ShopInstalledError, StaleGrantError } from '../../../../infra/client';
import { startLocalTables, type LocalTables } from '../../../support/local-tables';
import { INNER_STORAGES, memoryInner, prismaInner, type InnerStorage } from '../../../support/session-inners';
import { newShop, sealedFixture, type SealedFixture } from '../../../support/sealed-sessions';

const MINUTE = 60_000;
const ROOT = join(__dirname, '..', '..', '..', '..');

/**
 * Shopify's own code that loads an offline session for a background job or webhook
 * (`unauthenticated.admin`): it refreshes a token due within 5 minutes itself, with no lock.
 * Loaded from the installed package, as the app runs it.
 */
const { ensureValidOfflineSession } = require(join(ROOT, 'node_modules/@shopify/shopify-app-react-router/dist/cjs/server/helpers/ensure-valid-offline-session.js')) as {
  ensureValidOfflineSession(params: unknown, shop: string): Promise<Session | undefined>;
};

let local: LocalTables;
let inner: InnerStorage;
let f: SealedFixture;
beforeAll(async () => {
  local = await startLocalTables();
  inner = await memoryInner();
});
afterAll(() => local.close());
beforeEach(() => {
  f = sealedFixture(local, inner);
});
afterEach(async () => {
  expect(await f.plaintextFound()).toEqual([]);
});

/** The library's parameters, with its own refresh counted: it must never be called. */
function library() {
  const ownRefreshes = jest.fn(async () => ({ session: f.shopify.offline('never.myshopify.com') }));
  const params = {
    api: { session: { getOfflineId: (shop: string) => `offline_${shop}` }, auth: { refreshToken: ownRefreshes } },
    config: { distribution: 'app', future: { expiringOfflineAccessTokens: true }, sessionStorage: f.storage },
    logger: { debug: () => undefined, info: () => undefined },
  };
  return { params, ownRefreshes };
}

/** An offline session whose access token expires in `minutes`. */
function expiringIn(shop: string, minutes: number): Session {
  const session = f.shopify.offline(shop);
  session.expires = new Date(Date.now() + minutes * MINUTE);
  return session;
}

describe('Shopify\'s library beside the lease', () => {
  test('a token due within the library\'s 5 minutes is refreshed under the lease by the load, so the library never refreshes it itself', async () => {
    const shop = newShop();
    await f.storage.storeSession(expiringIn(shop, 4));
    const { params, ownRefreshes } = library();
    const session = await ensureValidOfflineSession(params, shop);
    expect(ownRefreshes).not.toHaveBeenCalled();
    expect(f.shopify.calls).toBe(1);
    expect(session!.isActive(undefined, 5 * MINUTE)).toBe(true);
  });

  test('two admin requests at once near expiry make one call to the token endpoint, and both get the new token', async () => {
    const shop = newShop();
    await f.storage.storeSession(expiringIn(shop, 5.5));
    const { params, ownRefreshes } = library();
    const sessions = await Promise.all([ensureValidOfflineSession(params, shop), ensureValidOfflineSession(params, shop), f.storage.loadSession(`offline_${shop}`)]);
    expect(ownRefreshes).not.toHaveBeenCalled();
    expect(f.shopify.calls).toBe(1);
    expect(f.shopify.mostAtOnce).toBe(1);
    expect(new Set(sessions.map((session) => session!.accessToken)).size).toBe(1);
  });

  test('a refresh token Shopify refuses leaves the token as stored and no refresh token for the library to present', async () => {
    const shop = newShop();
    const session = expiringIn(shop, 4);
    await f.storage.storeSession(session);
    f.shopify.valid.clear();
    const { params, ownRefreshes } = library();
    const loaded = await ensureValidOfflineSession(params, shop);
    expect(ownRefreshes).not.toHaveBeenCalled();
    expect(loaded?.accessToken).toBe(session.accessToken);
    expect(loaded?.refreshToken).toBeUndefined();
  });
});

describe('grants without event times', () => {
  test('a second grant in the same millisecond is stored, and an uninstall of that millisecond is not lost', async () => {
    const at = new Date();
    f = sealedFixture(local, inner, { now: () => at });
    const shop = newShop();
    await f.storage.storeSession(f.shopify.offline(shop));
    await f.storage.storeSession(f.shopify.offline(shop));
    expect(await f.storage.uninstalled(shop, at)).toEqual({ outcome: 'uninstalled', sessionsDeleted: 1 });
  });

  test('a refresh the library stored itself is a new generation that an earlier app/uninstalled still removes', async () => {
    let now = Date.parse('2026-12-01T10:00:00.000Z');
    f = sealedFixture(local, inner, { now: () => new Date(now) });
    const shop = newShop();
    await f.storage.storeSession(f.shopify.offline(shop));
    now += 58 * MINUTE;
    // Shopify's library refreshed and stores the result; the merchant had uninstalled 2 s before.
    const refreshed = f.shopify.offline(shop);
    await f.storage.storeSession(refreshed);
    expect((await f.storage.uninstalled(shop, new Date(now - 2_000))).outcome).toBe('uninstalled');
    expect(await f.storage.loadSession(refreshed.id)).toBeUndefined();
  });

  test('a grant answered before the uninstall and stored after its webhook is refused; the shop stays uninstalled', async () => {
    let now = Date.parse('2026-12-01T11:00:00.000Z');
    f = sealedFixture(local, inner, { now: () => new Date(now) });
    const shop = newShop();
    await f.storage.storeSession(f.shopify.offline(shop));
    const inFlight = f.shopify.offline(shop);
    now += 1_000;
    await f.storage.uninstalled(shop, new Date(now));
    now += 2_000;
    await expect(f.storage.storeSession(inFlight)).rejects.toThrow(StaleGrantError);
    expect((await f.data.shops.get(shop))?.uninstalledAt).toBeDefined();
    // The merchant re-installs a minute later: a new grant.
    now += 60_000;
    await f.storage.storeSession(f.shopify.offline(shop));
    expect((await f.data.shops.get(shop))?.uninstalledAt).toBeUndefined();
  });
});

describe('a shop installed from a session alone', () => {
  test('has no profile until the app sets one; the profile changes only for the current install', async () => {
    const shop = newShop();
    await f.storage.storeSession(f.shopify.offline(shop));
    const installed = (await f.data.shops.get(shop))!;
    expect(installed).not.toHaveProperty('name');
    const updated = await f.data.shops.update(shop, { name: 'Zoë\'s Café', plan: 'pro', billingStatus: 'active', settings: { locale: 'de-CH' } }, { installId: installed.installId! });
    expect(updated).toMatchObject({ domain: shop, name: 'Zoë\'s Café', plan: 'pro', billingStatus: 'active', settings: { locale: 'de-CH' } });
    // app_subscriptions/update from before a re-install, and a change for an old install id, are refused.
    await f.storage.storeSession(f.shopify.offline(shop));
    await expect(f.data.shops.update(shop, { billingStatus: 'frozen' }, { installId: installed.installId! })).rejects.toThrow('the shop was installed again since');
    await f.storage.uninstalled(shop, new Date());
    await expect(f.data.shops.update(shop, { plan: 'free' })).rejects.toThrow('the shop is not installed; nothing was changed');
    expect((await f.data.shops.get(shop))?.plan).toBe('pro');
  });
});

describe.each(INNER_STORAGES)('the webhooks over %s', (kind) => {
  let webhookInner: InnerStorage;
  beforeAll(async () => {
    webhookInner = kind === 'memory' ? await memoryInner() : await prismaInner();
  });
  afterAll(() => webhookInner.close());

  test('app/uninstalled removes every session of the shop, more than a page of them; an event older than the install keeps them', async () => {
    let now = Date.parse('2026-12-02T09:00:00.000Z');
    f = sealedFixture(local, webhookInner, { now: () => new Date(now) });
    const [shop, other] = [newShop(), newShop()];
    await f.storage.storeSession(f.shopify.offline(shop));
    for (let user = 1; user <= 30; user += 1) await f.storage.storeSession(f.shopify.online(shop, user));
    await f.storage.storeSession(f.shopify.offline(other));
    now += MINUTE;
    expect(await f.storage.uninstalled(shop, new Date(now - 5 * MINUTE))).toEqual({ outcome: 'older-than-install', sessionsDeleted: 0 });
    expect(await f.storage.uninstalled(shop, new Date(now))).toEqual({ outcome: 'uninstalled', sessionsDeleted: 31 });
    expect(await f.storage.uninstalled(shop, new Date(now))).toEqual({ outcome: 'already-uninstalled', sessionsDeleted: 0 });
    expect(await webhookInner.storage.findSessionsByShop(shop)).toEqual([]);
    expect(await f.storage.loadSession(`offline_${other}`)).toBeInstanceOf(Session);
  });

  test('shop/redact deletes the shop\'s data and every session left, with the counts; an installed shop keeps everything', async () => {
    const shop = newShop();
    await f.storage.storeSession(f.shopify.offline(shop));
    await f.storage.storeSession(f.shopify.online(shop, 7));
    await expect(f.storage.redactShop(shop)).rejects.toThrow(ShopInstalledError);
    await f.data.shops.uninstall(shop, new Date());
    expect(await f.storage.redactShop(shop)).toEqual({ Shops: 1, Jobs: 0, ImportHistory: 0, Sessions: 2 });
    expect(await f.storage.redactShop(shop)).toEqual({ Shops: 0, Jobs: 0, ImportHistory: 0, Sessions: 0 });
  });
});
