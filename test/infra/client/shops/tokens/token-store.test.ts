// One file: install, uninstall, refresh and the leak scans share the secrets these tests wrote and one table.
import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { GetItemCommand, UpdateItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ConflictError, DataClientError, InvalidInputError, NotFoundError, RefreshBusyError, RefreshFailedError, StaleGrantError } from '../../../../../infra/client/core/errors';
import { REDACTED, Secret } from '../../../../../infra/client/shops/tokens/secret';
import { SEALED_ATTRIBUTES, SealError, ShopsClient, TOKEN_SET_ATTRIBUTES, TokenCrypto, TokenStore, rawAesKeyring, type SealedAttribute, type ShopProfile, type ShopTokens } from '../../../../../infra/client/shops';
import { tableSchema } from '../../../../../infra/data/schemas';
import { findSecrets } from '../../../../support/secret-scan';
import { startLocalTables, type LocalTables } from '../../../../support/local-tables';

const DOMAIN = tableSchema('Shops').partitionKey.name;
const HOUR_MS = 3_600_000;

let local: LocalTables;
let TABLE: string;
let client: DynamoDBClient;
let doc: DynamoDBDocumentClient;
let crypto: TokenCrypto;
let store: TokenStore;
let shops: ShopsClient;
/** The shared store's clock: the real time unless a test sets it (grants and events are never later than the clock). */
let clockMs: number | undefined;
afterEach(() => {
  clockMs = undefined;
});
/** Sets the clock of the shared store to `iso`. */
const setClock = (iso: string) => {
  clockMs = Date.parse(iso);
};
/** Every plain-text secret and ciphertext these tests wrote, for the leak scans. */
const written = { texts: [] as string[], bytes: [] as Uint8Array[] };

beforeAll(async () => {
  local = await startLocalTables();
  ({ client, doc } = local);
  TABLE = local.tables.Shops;
  crypto = new TokenCrypto(rawAesKeyring(randomBytes(32)));
  store = new TokenStore({ doc, table: TABLE, crypto, now: () => new Date(clockMs ?? Date.now()) });
  shops = new ShopsClient({ doc, tokens: store });
});

afterAll(() => local.close());

/** The secrets of opened tokens in plain text, for comparing with what was installed. */
function revealed(tokens: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(tokens).map(([name, value]) => [name, value instanceof Secret ? value.reveal() : value]));
}

/** Tokens as read back: what was stored, with the scope text beside the list. */
function asRead(tokens: IssuedTokens): Record<string, unknown> {
  return { ...tokens, scope: tokens.scopes.join(',') };
}

/** The requests `operation` sends, by SDK command name. */
async function requestsOf(operation: () => Promise<unknown>): Promise<string[]> {
  local.sent.length = 0;
  await operation().catch(() => undefined);
  return [...local.sent];
}

let shopCount = 0;
/** A fresh shop domain per test, so tests share one table without sharing items. */
function newShop(): string {
  shopCount += 1;
  return `shop-${shopCount}-${randomBytes(3).toString('hex')}.myshopify.com`;
}

function profile(domain: string): ShopProfile {
  return { domain, name: 'Test Shop', plan: 'pro', billingStatus: 'active', settings: { locale: 'en-US' } };
}

/** An expiring token pair as Shopify issues it: every field there. */
type IssuedTokens = ShopTokens & Readonly<Record<SealedAttribute, string>> & { readonly accessTokenExpiresAt: Date; readonly refreshTokenExpiresAt: Date; readonly scopes: readonly string[] };

/** A token set with fresh random secrets, as Shopify would issue it. */
function issueTokens(now = new Date()): IssuedTokens {
  const secrets = SEALED_ATTRIBUTES.map((attribute) => [attribute, `shp_${attribute}_${randomBytes(16).toString('hex')}`]);
  const tokens: IssuedTokens = {
    ...(Object.fromEntries(secrets) as Record<SealedAttribute, string>),
    accessTokenExpiresAt: new Date(now.getTime() + HOUR_MS),
    refreshTokenExpiresAt: new Date(now.getTime() + 90 * 24 * HOUR_MS),
    scopes: ['read_products', 'write_products'],
  };
  written.texts.push(...SEALED_ATTRIBUTES.map((attribute) => tokens[attribute]));
  return tokens;
}

async function rawItem(domain: string) {
  const { Item } = await client.send(new GetItemCommand({ TableName: TABLE, Key: { [DOMAIN]: { S: domain } }, ConsistentRead: true }));
  for (const attribute of SEALED_ATTRIBUTES) if (Item?.[attribute]?.B) written.bytes.push(Item[attribute].B);
  return Item;
}

async function installed(): Promise<{ domain: string; tokens: IssuedTokens }> {
  const domain = newShop();
  const tokens = issueTokens();
  await shops.install(profile(domain), tokens);
  return { domain, tokens };
}

/** An `app/uninstalled` event time at or after every install these tests make: now (an event is never later than the clock). */
const later = () => new Date(clockMs ?? Date.now());

/**
 * Runs `body` with only `setTimeout` and `clearTimeout` faked: a refresh that outlives its lease
 * (a second at least) is given up when the test moves that clock, not a real second later. The
 * requests, the polling and the store's own clock keep real time.
 */
async function withFakeTimeouts(body: () => Promise<void>): Promise<void> {
  jest.useFakeTimers({ doNotFake: ['Date', 'hrtime', 'nextTick', 'performance', 'queueMicrotask', 'setImmediate', 'clearImmediate', 'setInterval', 'clearInterval'] });
  try {
    await body();
  } finally {
    jest.useRealTimers();
  }
}

/** Resolves once `condition` holds, looked at after each turn of the event loop. */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setImmediate(resolve));
}

describe('install', () => {
  test('stores every sealed attribute of the map as binary ciphertext that holds no plaintext secret', async () => {
    const { domain, tokens } = await installed();
    const item = (await rawItem(domain))!;
    for (const attribute of SEALED_ATTRIBUTES) {
      expect(Object.keys(item[attribute]!)).toEqual(['B']);
      expect(Buffer.from(item[attribute]!.B!).includes(tokens[attribute])).toBe(false);
    }
    const everything = JSON.stringify(item, (_, value) => (value instanceof Uint8Array ? Buffer.from(value).toString('latin1') : value));
    for (const attribute of SEALED_ATTRIBUTES) expect(everything).not.toContain(tokens[attribute]);
    expect(item.tokenVersion).toEqual({ N: '1' });
    expect(item.scopes).toEqual({ S: 'read_products,write_products' });
  });

  test('the token store reads back exactly the tokens installed, at version 1 of a new install id', async () => {
    const domain = newShop();
    const tokens = issueTokens();
    const installId = await shops.install(profile(domain), tokens);
    expect(installId).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    const read = await store.read(domain);
    expect({ ...read, tokens: revealed(read.tokens) }).toEqual({ tokens: asRead(tokens), version: 1, installId });
  });

  test('shops.get returns the profile and token metadata but no sealed attribute, not even its ciphertext', async () => {
    const { domain, tokens } = await installed();
    const shop = await shops.get(domain);
    expect(shop).toMatchObject({ ...profile(domain), accessTokenExpiresAt: tokens.accessTokenExpiresAt.toISOString(), tokenVersion: 1 });
    for (const attribute of SEALED_ATTRIBUTES) expect(shop).not.toHaveProperty(attribute);
    expect(await shops.get(newShop())).toBeUndefined();
  });

  test('the same grant again (a repeated OAuth callback) changes nothing; a grant older than the stored one by more than the skew is a ConflictError', async () => {
    const domain = newShop();
    setClock('2099-02-01T10:00:30.000Z');
    const tokens = issueTokens();
    const installId = await shops.install(profile(domain), tokens, new Date('2099-02-01T10:00:00.000Z'));
    expect(await requestsOf(() => shops.install(profile(domain), tokens, new Date('2099-02-01T10:00:00.000Z')))).toEqual(['GetItemCommand']);
    expect(await shops.install(profile(domain), tokens)).toBe(installId);
    await expect(shops.install(profile(domain), issueTokens(), new Date('2099-02-01T09:59:49.999Z'))).rejects.toThrow(
      new ConflictError({ table: TABLE, operation: 'shops.install', key: { domain } }, 'the grant is older than the installed one (2099-02-01T10:00:00.000Z): a late or repeated callback; nothing changed'),
    );
    expect(revealed((await store.read(domain)).tokens)).toEqual(asRead(tokens));
    expect((await store.read(domain)).installId).toBe(installId);
  });

  test('a newer grant of an installed shop (re-installed before its app/uninstalled arrived) is a new install the late event cannot undo', async () => {
    const domain = newShop();
    setClock('2099-03-01T10:10:00.000Z');
    const first = await shops.install(profile(domain), issueTokens(), new Date('2099-03-01T10:00:00.000Z'));
    const tokens = issueTokens();
    const second = await shops.install(profile(domain), tokens, new Date('2099-03-01T10:10:00.000Z'));
    expect(second).not.toBe(first);
    expect(await shops.uninstall(domain, new Date('2099-03-01T10:05:00.000Z'))).toBe('older-than-install');
    expect(revealed((await store.read(domain)).tokens)).toEqual(asRead(tokens));
  });

  test('two grants of a new shop in the same millisecond both succeed, the one written last is stored: no ConflictError', async () => {
    const domain = newShop();
    const [first, second] = [issueTokens(), issueTokens()];
    setClock('2099-04-01T10:00:00.000Z');
    const results = await Promise.allSettled([shops.install(profile(domain), first), shops.install(profile(domain), second)]);
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'fulfilled']);
    const stored = revealed((await store.read(domain)).tokens);
    expect([asRead(first), asRead(second)]).toContainEqual(stored);
    // An uninstall in that same millisecond is not lost.
    expect(await shops.uninstall(domain, new Date('2099-04-01T10:00:00.000Z'))).toBe('uninstalled');
  });

  test('a re-install with a profile read from shops.get does not compile and is refused before any request', async () => {
    const { domain } = await installed();
    await shops.uninstall(domain, later());
    const stored = (await shops.get(domain))!;
    // @ts-expect-error a stored shop carries installedAt, uninstalledAt and token fields: not a profile.
    const reinstall = () => shops.install({ ...stored }, issueTokens());
    expect(await requestsOf(reinstall)).toEqual([]);
    await expect(reinstall()).rejects.toThrow(InvalidInputError);
    await expect(reinstall()).rejects.toMatchObject({ field: 'profile.installedAt' });
    expect((await shops.get(domain))?.uninstalledAt).toBeDefined();
  });

  test('refuses a malformed profile or token set, naming the field, before any request', async () => {
    const domain = newShop();
    const cases: [() => Promise<unknown>, string][] = [
      [() => shops.install({ ...profile(domain), name: '' }, issueTokens()), 'profile.name'],
      [() => shops.install({ ...profile(domain), settings: [] as never }, issueTokens()), 'profile.settings'],
      [() => shops.install({ ...profile(domain), domain: 'shop.example.com' }, issueTokens()), 'profile.domain'],
      [() => shops.install(profile(domain), { ...issueTokens(), scopes: ['read_products', ''] }), 'tokens.scopes'],
      [() => shops.install(profile(domain), { ...issueTokens(), accessToken: '[redacted]' }), 'tokens.accessToken'],
      [() => shops.install(profile(domain), { ...issueTokens(), refreshToken: undefined, refreshTokenExpiresAt: new Date() }), 'tokens.refreshTokenExpiresAt'],
      [() => shops.install({ ...profile(domain), billingStatus: 'ACTIVE' as never }, issueTokens()), 'profile.billingStatus'],
      [() => shops.install({ ...profile(domain), plan: 'Basic' }, issueTokens()), 'profile.plan'],
      [() => shops.install({ ...profile(domain), settings: { when: new Date() } }, issueTokens()), 'profile.settings.when'],
      [() => shops.install({ ...profile(domain), settings: { a: { b: Number.NaN } } }, issueTokens()), 'profile.settings.a.b'],
      [() => shops.install({ ...profile(domain), settings: { gone: undefined } }, issueTokens()), 'profile.settings.gone'],
      [() => shops.install({ ...profile(domain), settings: { big: 'x'.repeat(70_000) } }, issueTokens()), 'profile.settings'],
      [() => shops.install({ ...profile(domain), name: 'x'.repeat(1_000_000) }, issueTokens()), 'profile.name'],
      [() => shops.install(profile(domain), issueTokens(), new Date('2100-01-01T00:00:00.000Z')), 'at'],
      [() => shops.install(profile(domain), issueTokens(), new Date('+010000-01-01T00:00:00.000Z')), 'at'],
      [() => shops.install(profile(domain), { ...issueTokens(), accessToken: '' }), 'tokens.accessToken'],
      [() => shops.install(profile(domain), { ...issueTokens(), refreshTokenExpiresAt: new Date('soon') }), 'tokens.refreshTokenExpiresAt'],
      [() => shops.install(profile(domain), issueTokens(), new Date(Number.NaN)), 'at'],
    ];
    for (const [call, field] of cases) {
      expect(await requestsOf(call)).toEqual([]);
      await expect(call()).rejects.toMatchObject({ name: 'InvalidInputError', field });
    }
    expect(await rawItem(domain)).toBeUndefined();
  });
});

describe('uninstall', () => {
  test('sets uninstalledAt to the event time and removes the whole token set in the same write', async () => {
    setClock('2099-11-25T12:00:00.000Z');
    const { domain } = await installed();
    expect(await shops.uninstall(domain, new Date('2099-11-25T12:00:00.000Z'))).toBe('uninstalled');
    const item = (await rawItem(domain))!;
    expect(item.uninstalledAt).toEqual({ S: '2099-11-25T12:00:00.000Z' });
    expect(Object.keys(item).filter((name) => (TOKEN_SET_ATTRIBUTES as readonly string[]).includes(name))).toEqual([]);
    await expect(store.read(domain)).rejects.toThrow(NotFoundError);
  });

  test('a repeated uninstall keeps the first uninstalledAt (the 48-hour redaction clock starts once)', async () => {
    setClock('2099-11-25T12:00:00.000Z');
    const { domain } = await installed();
    await shops.uninstall(domain, new Date('2099-11-25T12:00:00.000Z'));
    setClock('2099-11-26T12:00:00.000Z');
    expect(await shops.uninstall(domain, new Date('2099-11-26T12:00:00.000Z'))).toBe('already-uninstalled');
    expect((await shops.get(domain))?.uninstalledAt).toBe('2099-11-25T12:00:00.000Z');
  });

  test('of an unknown shop is a NotFoundError and creates nothing', async () => {
    const domain = newShop();
    await expect(shops.uninstall(domain, later())).rejects.toThrow(NotFoundError);
    expect(await rawItem(domain)).toBeUndefined();
  });

  test('a re-install of an uninstalled shop stores the new tokens at version 1 of a new install and clears uninstalledAt', async () => {
    setClock('2099-06-01T10:00:00.000Z');
    const { domain } = await installed();
    const first = (await store.read(domain)).installId;
    await shops.uninstall(domain, later());
    setClock('2099-06-01T10:03:00.000Z');
    const tokens = issueTokens();
    const second = await shops.install(profile(domain), tokens, later());
    expect(second).not.toBe(first);
    const read = await store.read(domain);
    expect({ ...read, tokens: revealed(read.tokens) }).toEqual({ tokens: asRead(tokens), version: 1, installId: second });
    expect(await shops.get(domain)).not.toHaveProperty('uninstalledAt');
  });

  test('a grant within the skew of the uninstall (obtained before it, stored after) is a StaleGrantError and the shop stays uninstalled', async () => {
    setClock('2099-06-02T10:00:00.000Z');
    const { domain } = await installed();
    await shops.uninstall(domain, later());
    setClock('2099-06-02T10:00:09.000Z');
    await expect(shops.install(profile(domain), issueTokens())).rejects.toThrow(StaleGrantError);
    expect((await shops.get(domain))?.uninstalledAt).toBe('2099-06-02T10:00:00.000Z');
    await expect(store.read(domain)).rejects.toThrow(NotFoundError);
  });

  test('an uninstall whose event is within the skew before the grant was stored applies: the grant predates it', async () => {
    setClock('2099-06-03T10:00:05.000Z');
    const { domain } = await installed();
    expect(await shops.uninstall(domain, new Date('2099-06-03T10:00:00.000Z'))).toBe('uninstalled');
  });

  test('an event time later than the clock allows, or past year 9999, is refused before any request', async () => {
    const { domain } = await installed();
    for (const eventAt of [new Date(Date.now() + 60_000), new Date('2100-01-01T00:00:00.000Z'), new Date('+010000-01-01T00:00:00.000Z')]) {
      const call = () => shops.uninstall(domain, eventAt);
      expect(await requestsOf(call)).toEqual([]);
      await expect(call()).rejects.toMatchObject({ name: 'InvalidInputError', field: 'eventAt' });
    }
  });

  test('a late app/uninstalled of the first install, redelivered after a re-install, leaves the re-install\'s tokens', async () => {
    setClock('2099-01-01T10:07:00.000Z');
    const domain = newShop();
    await shops.install(profile(domain), issueTokens(), new Date('2099-01-01T10:00:00.000Z'));
    const event = new Date('2099-01-01T10:05:00.000Z');
    await shops.uninstall(domain, event);
    const tokens = issueTokens();
    await shops.install(profile(domain), tokens, new Date('2099-01-01T10:07:00.000Z'));
    expect(await shops.uninstall(domain, event)).toBe('older-than-install');
    expect(revealed((await store.read(domain)).tokens)).toEqual(asRead(tokens));
  });

  test('an event time that is not a Date is refused before any request', async () => {
    const { domain } = await installed();
    const call = () => shops.uninstall(domain, 'now' as never);
    expect(await requestsOf(call)).toEqual([]);
    await expect(call()).rejects.toMatchObject({ name: 'InvalidInputError', field: 'eventAt' });
  });
});

describe('refresh', () => {
  test('replaces the tokens at the generation read and returns the next version', async () => {
    const { domain } = await installed();
    const next = issueTokens();
    const read = await store.read(domain);
    expect(await store.replace(domain, read, next)).toBe(2);
    expect(revealed((await store.read(domain)).tokens)).toEqual(asRead(next));
    expect((await store.read(domain)).version).toBe(2);
  });

  test('a token given as the redacted text of a Secret is refused: String(secret) is not the token', async () => {
    const { domain } = await installed();
    const read = await store.read(domain);
    const call = () => store.replace(domain, read, { ...issueTokens(), accessToken: String(read.tokens.accessToken) });
    expect(await requestsOf(call)).toEqual([]);
    await expect(call()).rejects.toMatchObject({ name: 'InvalidInputError', field: 'tokens.accessToken' });
  });

  test('at a stale version, or after uninstall, is a ConflictError that leaves the stored tokens', async () => {
    const { domain } = await installed();
    const first = await store.read(domain);
    const current = issueTokens();
    await store.replace(domain, first, current);
    await expect(store.replace(domain, first, issueTokens())).rejects.toThrow(ConflictError);
    expect(revealed((await store.read(domain)).tokens)).toEqual(asRead(current));
    const second = await store.read(domain);
    await shops.uninstall(domain, later());
    await expect(store.replace(domain, second, issueTokens())).rejects.toThrow(
      'token version 2 of that install is no longer current (another refresh won, or the shop was uninstalled or re-installed); re-read the tokens',
    );
    expect(Object.keys((await rawItem(domain))!)).not.toContain('accessToken');
  });

  test('a refresh of tokens read before an uninstall and re-install never overwrites the new install\'s tokens', async () => {
    setClock('2099-07-01T10:00:00.000Z');
    const { domain } = await installed();
    const stale = await store.read(domain);
    await shops.uninstall(domain, later());
    setClock('2099-07-01T10:03:00.000Z');
    const tokens = issueTokens();
    await shops.install(profile(domain), tokens, later());
    expect((await store.read(domain)).version).toBe(stale.version);
    await expect(store.replace(domain, stale, issueTokens())).rejects.toThrow(ConflictError);
    expect(revealed((await store.read(domain)).tokens)).toEqual(asRead(tokens));
  });

  test('a version alone (the old call) is refused before any request: it cannot tell one install from the next', async () => {
    const { domain } = await installed();
    const call = () => store.replace(domain, 1 as never, issueTokens());
    expect(await requestsOf(call)).toEqual([]);
    await expect(call()).rejects.toMatchObject({ name: 'InvalidInputError', field: 'read' });
  });

  test('two workers refreshing one shop at once: exactly one wins, the other gets ConflictError and re-reads the winner (5 trials)', async () => {
    const { domain } = await installed();
    for (let trial = 1; trial <= 5; trial += 1) {
      // Both workers hold the same version: each read before either wrote.
      const [a, b] = await Promise.all([store.read(domain), store.read(domain)]);
      const [tokensA, tokensB] = [issueTokens(), issueTokens()];
      const outcomes = await Promise.allSettled([store.replace(domain, a, tokensA), store.replace(domain, b, tokensB)]);
      expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toEqual([{ status: 'fulfilled', value: trial + 1 }]);
      const lost = outcomes.find((outcome) => outcome.status === 'rejected') as PromiseRejectedResult;
      expect(lost.reason).toBeInstanceOf(ConflictError);
      const reread = await store.read(domain);
      expect(reread.version).toBe(trial + 1);
      expect(revealed(reread.tokens)).toEqual(asRead(outcomes[0]!.status === 'fulfilled' ? tokensA : tokensB));
    }
  });
});

describe('tokens stored before install generations', () => {
  test('get an install id on their first read, once, however many read at once; then refresh as any other', async () => {
    const { domain } = await installed();
    await client.send(new UpdateItemCommand({ TableName: TABLE, Key: { [DOMAIN]: { S: domain } }, UpdateExpression: 'REMOVE installId' }));
    const reads = await Promise.all([store.read(domain), store.read(domain), store.read(domain)]);
    const stored = (await rawItem(domain))?.installId?.S;
    expect(stored).toMatch(/^[0-9A-Z]{26}$/);
    expect(reads.map((read) => read.installId)).toEqual([stored, stored, stored]);
    expect(await store.replace(domain, reads[0]!, issueTokens())).toBe(2);
  });
});

describe('fresh', () => {
  /** A shop whose access token expires in `minutes`. */
  async function expiringIn(minutes: number) {
    const domain = newShop();
    const tokens = { ...issueTokens(), accessTokenExpiresAt: new Date(Date.now() + minutes * 60_000) };
    await shops.install(profile(domain), tokens);
    return { domain, tokens };
  }

  test('returns the stored access token, opening only it, while it is not about to expire; once opened, no Decrypt until it changes', async () => {
    const { domain, tokens } = await expiringIn(60);
    const open = jest.spyOn(crypto, 'open');
    const refresh = jest.fn(async (_refreshToken: Secret) => issueTokens());
    // Another process: this one sealed the tokens and needs no Decrypt at all.
    const other = new TokenStore({ doc, table: TABLE, crypto });
    try {
      const sent = await requestsOf(async () => {
        const fresh = await other.fresh(domain, refresh);
        expect(fresh.tokens.accessToken?.reveal()).toBe(tokens.accessToken);
        expect(fresh.tokens).not.toHaveProperty('refreshToken');
      });
      expect(sent).toEqual(['GetItemCommand']);
      expect(open.mock.calls.map(([context]) => context.attribute)).toEqual(['accessToken']);
      expect(refresh).not.toHaveBeenCalled();
      for (let i = 0; i < 5; i += 1) await other.fresh(domain, refresh);
      await store.fresh(domain, refresh);
      expect(open).toHaveBeenCalledTimes(1);
    } finally {
      open.mockRestore();
    }
  });

  test('refreshes a token about to expire under a lease: the app gets the refresh token, the result is stored and returned', async () => {
    const { domain, tokens } = await expiringIn(2);
    const next = issueTokens();
    const refresh = jest.fn(async (refreshToken: Secret) => {
      expect(refreshToken.reveal()).toBe(tokens.refreshToken);
      expect((await rawItem(domain))!.refreshLeaseHolder).toBeDefined();
      return next;
    });
    const fresh = await store.fresh(domain, refresh);
    expect(refresh).toHaveBeenCalledTimes(1);
    expect(fresh.tokens.accessToken?.reveal()).toBe(next.accessToken);
    expect(fresh.version).toBe(2);
    expect(revealed((await store.read(domain)).tokens)).toEqual(asRead(next));
    expect(Object.keys((await rawItem(domain))!)).not.toContain('refreshLeaseHolder');
  });

  test('of five workers that find the token expiring at once, one calls Shopify; the others wait and use its tokens', async () => {
    const { domain } = await expiringIn(1);
    const next = issueTokens();
    const refresh = jest.fn(async () => {
      await new Promise((resolve) => setTimeout(resolve, 50));
      return next;
    });
    const results = await Promise.all(Array.from({ length: 5 }, () => store.fresh(domain, refresh, { pollMs: 10 })));
    expect(refresh).toHaveBeenCalledTimes(1);
    expect(results.map((result) => result.tokens.accessToken?.reveal())).toEqual(Array(5).fill(next.accessToken));
  });

  test('a failing refresh releases the lease and is a RefreshFailedError; the stored tokens stay and the next caller refreshes', async () => {
    const { domain, tokens } = await expiringIn(1);
    const appError = new Error('invalid_grant');
    await expect(store.fresh(domain, async () => Promise.reject(appError))).rejects.toThrow(RefreshFailedError);
    await expect(store.fresh(domain, async () => Promise.reject(appError))).rejects.toMatchObject({ cause: appError });
    expect(revealed((await store.read(domain)).tokens)).toEqual(asRead(tokens));
    const next = issueTokens();
    expect((await store.fresh(domain, async () => next)).tokens.accessToken?.reveal()).toBe(next.accessToken);
  });

  test('a caller that finds another\'s live lease waits, then gives up with RefreshBusyError; a lapsed lease is taken over', () =>
    withFakeTimeouts(async () => {
      const { domain } = await expiringIn(1);
      let clock = Date.now();
      const timed = new TokenStore({ doc, table: TABLE, crypto, now: () => new Date(clock) });
      let called = false;
      const never = new Promise<ShopTokens>(() => undefined);
      // A worker whose refresh hangs: it holds the lease until it gives up, a second later.
      const hung = timed.fresh(domain, () => ((called = true), never), { leaseMs: 1_000 });
      await until(() => called);
      await expect(timed.fresh(domain, async () => issueTokens(), { pollMs: 5, maxWaitMs: 0 })).rejects.toThrow(RefreshBusyError);
      clock += 2_000;
      const next = issueTokens();
      expect((await timed.fresh(domain, async () => next, { pollMs: 5, maxWaitMs: 0 })).tokens.accessToken?.reveal()).toBe(next.accessToken);
      await jest.advanceTimersByTimeAsync(1_000);
      await expect(hung).rejects.toThrow(RefreshFailedError);
      expect(revealed((await store.read(domain)).tokens)).toEqual(asRead(next));
    }));

  test('of an uninstalled shop is a NotFoundError without a call to Shopify', async () => {
    const { domain } = await expiringIn(1);
    await shops.uninstall(domain, later());
    const refresh = jest.fn(async () => issueTokens());
    await expect(store.fresh(domain, refresh)).rejects.toThrow(NotFoundError);
    expect(refresh).not.toHaveBeenCalled();
  });

  test('a refresh that returns a token already expired, or expiring within the margin, is refused and nothing is stored', async () => {
    const { domain, tokens } = await expiringIn(1);
    for (const minutes of [-5, 0, 4]) {
      const stale = { ...issueTokens(), accessTokenExpiresAt: new Date(Date.now() + minutes * 60_000) };
      await expect(store.fresh(domain, async () => stale)).rejects.toThrow(RefreshFailedError);
    }
    expect(revealed((await store.read(domain)).tokens)).toEqual(asRead(tokens));
    expect(Object.keys((await rawItem(domain))!)).not.toContain('refreshLeaseHolder');
  });

  test('a refresh that never settles is given up after the lease, its signal aborted, and the lease released', () =>
    withFakeTimeouts(async () => {
      const { domain } = await expiringIn(1);
      let signal: AbortSignal | undefined;
      const hung = (_token: Secret, options: { signal: AbortSignal }) => {
        signal = options.signal;
        return new Promise<ShopTokens>(() => undefined);
      };
      const given = store.fresh(domain, hung, { leaseMs: 1_000 });
      await until(() => signal !== undefined);
      await jest.advanceTimersByTimeAsync(1_000);
      await expect(given).rejects.toThrow('the refresh function failed with TimeoutError; the stored tokens are unchanged');
      expect(signal?.aborted).toBe(true);
      expect(Object.keys((await rawItem(domain))!)).not.toContain('refreshLeaseHolder');
    }));

  test('refuses a refresh that is not a function, an option out of bounds, or a misspelt one, before any request', async () => {
    const { domain } = await expiringIn(60);
    for (const [call, field] of [
      [() => store.fresh(domain, 'refresh' as never), 'refresh'],
      [() => store.fresh(domain, async () => issueTokens(), { marginMs: -1 }), 'options.marginMs'],
      [() => store.fresh(domain, async () => issueTokens(), { pollMs: Number.NaN, leaseMs: undefined }), 'options.pollMs'],
      // Above 2^31 - 1 ms Node fires a timer after 1 ms: the poll would hammer the table.
      [() => store.fresh(domain, async () => issueTokens(), { pollMs: 1e10 }), 'options.pollMs'],
      [() => store.fresh(domain, async () => issueTokens(), { leaseMs: 1e300 }), 'options.leaseMs'],
      [() => store.fresh(domain, async () => issueTokens(), { maxWaitMs: Number.POSITIVE_INFINITY }), 'options.maxWaitMs'],
      [() => store.fresh(domain, async () => issueTokens(), { marginMS: 60_000 } as never), 'options.marginMS'],
    ] as const) {
      expect(await requestsOf(call)).toEqual([]);
      await expect(call()).rejects.toMatchObject({ name: 'InvalidInputError', field });
    }
  });
});

describe('secrets do not print', () => {
  test('JSON.stringify, util.inspect, template strings and error messages of what read and fresh return show no token', async () => {
    const { domain, tokens } = await installed();
    const read = await store.read(domain);
    const fresh = await store.fresh(domain, async () => issueTokens());
    for (const value of [read, fresh]) {
      const renderings = [JSON.stringify(value), inspect(value, { depth: 10, showHidden: true }), `${value.tokens.accessToken}`, String(value.tokens.accessToken), new Error(`failed with ${value.tokens.accessToken}`).message];
      for (const text of renderings) {
        expect(text).not.toContain(tokens.accessToken);
        expect(text).not.toContain(tokens.refreshToken);
      }
      expect(JSON.stringify(value.tokens.accessToken)).toBe(JSON.stringify(REDACTED));
      expect(findSecrets(value, { texts: [tokens.accessToken, tokens.refreshToken], bytes: [] })).toEqual([]);
    }
    expect(read.tokens.refreshToken!.reveal()).toBe(tokens.refreshToken);
  });

  test('read opens only the secrets asked for', async () => {
    const { domain } = await installed();
    const open = jest.spyOn(crypto, 'open');
    try {
      const read = await new TokenStore({ doc, table: TABLE, crypto }).read(domain, ['accessToken']);
      expect(open.mock.calls.map(([context]) => context.attribute)).toEqual(['accessToken']);
      expect(read.tokens).not.toHaveProperty('refreshToken');
      await expect(store.read(domain, ['installId' as never])).rejects.toMatchObject({ name: 'InvalidInputError', field: 'open' });
    } finally {
      open.mockRestore();
    }
  });
});

describe('a shop domain in another case', () => {
  test('reads, refreshes and uninstalls the shop stored lower case; anything not *.myshopify.com is refused before any request', async () => {
    const { domain, tokens } = await installed();
    const upper = domain.toUpperCase();
    expect((await store.read(upper)).tokens.accessToken?.reveal()).toBe(tokens.accessToken);
    expect((await shops.get(upper))?.domain).toBe(domain);
    await store.replace(upper, await store.read(upper), issueTokens());
    expect(await shops.uninstall(upper, later())).toBe('uninstalled');
    for (const call of [() => store.read('shop.example.com'), () => shops.get(' x.myshopify.com'), () => store.fresh('', async () => issueTokens())]) {
      expect(await requestsOf(call)).toEqual([]);
      await expect(call()).rejects.toMatchObject({ name: 'InvalidInputError', field: 'domain' });
    }
  });
});

test('every Shops and token operation sends exactly one request, a grant one read and one write', async () => {
  const domain = newShop();
  expect(await requestsOf(() => shops.install(profile(domain), issueTokens()))).toEqual(['GetItemCommand', 'PutItemCommand']);
  expect(await requestsOf(() => shops.get(domain))).toEqual(['GetItemCommand']);
  expect(await requestsOf(() => store.read(domain))).toEqual(['GetItemCommand']);
  const read = await store.read(domain);
  expect(await requestsOf(() => store.replace(domain, read, issueTokens()))).toEqual(['UpdateItemCommand']);
  expect(await requestsOf(() => shops.uninstall(domain, later()))).toEqual(['UpdateItemCommand']);
});

describe('a sealed value opens only where it was sealed', () => {
  async function copyAttribute(from: { domain: string; attribute: string }, to: { domain: string; attribute: string }) {
    const source = (await rawItem(from.domain))![from.attribute]!;
    await client.send(
      new UpdateItemCommand({
        TableName: TABLE,
        Key: { [DOMAIN]: { S: to.domain } },
        UpdateExpression: 'SET #attribute = :value',
        ExpressionAttributeNames: { '#attribute': to.attribute },
        ExpressionAttributeValues: { ':value': source },
      }),
    );
  }

  test('a ciphertext copied to another shop does not open there', async () => {
    const [a, b] = [await installed(), await installed()];
    await copyAttribute({ domain: a.domain, attribute: 'accessToken' }, { domain: b.domain, attribute: 'accessToken' });
    await expect(store.read(b.domain)).rejects.toThrow(
      `tokens.open on ${TABLE} {domain: "${b.domain}"}: the sealed accessToken was sealed for another table, shop, attribute or session`,
    );
  });

  test('a ciphertext copied to another attribute of the same shop does not open there', async () => {
    const { domain } = await installed();
    await copyAttribute({ domain, attribute: 'refreshToken' }, { domain, attribute: 'accessToken' });
    await expect(store.read(domain)).rejects.toThrow(SealError);
  });

  test('a ciphertext opened as another table\'s does not open', async () => {
    const { domain } = await installed();
    const { accessToken } = (await doc.send(new GetCommand({ TableName: TABLE, Key: { [DOMAIN]: domain } }))).Item!;
    await expect(crypto.open({ table: 'Shops-prod', shop: domain, attribute: 'accessToken' }, accessToken)).rejects.toThrow(SealError);
    expect(await crypto.open({ table: TABLE, shop: domain, attribute: 'accessToken' }, accessToken)).toMatch(/^shp_accessToken_/);
  });

  test('a ciphertext whose stored encryption context was edited does not open', async () => {
    const { domain } = await installed();
    const item = (await rawItem(domain))!;
    const bytes = Buffer.from(item.accessToken!.B!);
    // Rewrite the shop named in the message header to another of the same length.
    const at = bytes.indexOf(domain);
    expect(at).toBeGreaterThan(0);
    bytes.write('x', at);
    await client.send(
      new UpdateItemCommand({
        TableName: TABLE,
        Key: { [DOMAIN]: { S: domain } },
        UpdateExpression: 'SET accessToken = :value',
        ExpressionAttributeValues: { ':value': { B: bytes } },
      }),
    );
    await expect(store.read(domain)).rejects.toThrow(
      `tokens.open on ${TABLE} {domain: "${domain}"}: cannot open the sealed accessToken (wrong key, no permission to use it, or altered)`,
    );
  });

  test('a ciphertext does not open under another wrapping key', async () => {
    const { domain } = await installed();
    const stranger = new TokenStore({ doc, table: TABLE, crypto: new TokenCrypto(rawAesKeyring(randomBytes(32))) });
    await expect(stranger.read(domain)).rejects.toThrow(SealError);
  });
});

describe('no secret in any error or log line', () => {
  const logged: string[] = [];
  beforeEach(() => {
    for (const level of ['log', 'info', 'warn', 'error', 'debug'] as const) {
      jest.spyOn(console, level).mockImplementation((...args: unknown[]) => void logged.push(args.map(String).join(' ')));
    }
  });
  afterEach(() => jest.restoreAllMocks());

  /** Runs `failing` and returns what it threw, which must be a data-client error. */
  async function failure(failing: () => Promise<unknown>): Promise<DataClientError> {
    const error = await failing().then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(DataClientError);
    return error as DataClientError;
  }

  test('an SDK error that carries the request (with ciphertext) is rethrown without it', async () => {
    const { domain } = await installed();
    await rawItem(domain);
    // The failure the SDK raises when the service rejects a request: it may hold the input.
    const leaky = () => async (args: { input: unknown }) => {
      // The ciphertexts in the request are secrets the error must not carry either.
      const collect = (value: unknown): void => {
        if (value instanceof Uint8Array) written.bytes.push(value);
        else if (typeof value === 'object' && value !== null) Object.values(value).forEach(collect);
      };
      collect(args.input);
      // As on the wire: binary values in base64.
      const wire = JSON.stringify(args.input, (_, value) => (value instanceof Uint8Array ? Buffer.from(value).toString('base64') : value));
      throw Object.assign(new Error(`rejected ${wire}`), {
        name: 'InternalServerError',
        input: args.input,
        $metadata: { requestId: 'req-1', attempts: 1 },
      });
    };
    client.middlewareStack.add(leaky as never, { step: 'initialize', name: 'leaky' });
    const errors: unknown[] = [];
    try {
      errors.push(await failure(() => shops.install(profile(newShop()), issueTokens())));
      errors.push(await failure(() => store.replace(domain, { installId: '01KAAAAAAAAAAAAAAAAAAAAAAA', version: 1 }, issueTokens())));
      errors.push(await failure(() => store.read(domain)));
    } finally {
      client.middlewareStack.remove('leaky');
    }
    for (const error of errors) {
      expect(findSecrets(error, written)).toEqual([]);
      expect((error as Error).message).toMatch(/: DynamoDB failed with InternalServerError, request id req-1$/);
      expect((error as Error).cause).toBeUndefined();
    }
    expect(findSecrets(logged, written)).toEqual([]);
  });

  test('conflicts, missing items, a missing table and unopenable ciphertext carry no secret', async () => {
    const { domain } = await installed();
    await rawItem(domain);
    const missingTable = new TokenStore({ doc, table: 'Shops-missing', crypto: new TokenCrypto(rawAesKeyring(randomBytes(32))) });
    const stranger = new TokenStore({ doc, table: TABLE, crypto: new TokenCrypto(rawAesKeyring(randomBytes(32))) });
    const errors = [
      await failure(() => shops.install(profile(domain), issueTokens(), new Date('2001-01-01T00:00:00.000Z'))),
      await failure(() => store.replace(domain, { installId: '01KAAAAAAAAAAAAAAAAAAAAAAA', version: 7 }, issueTokens())),
      await failure(() => store.read(newShop())),
      await failure(() => new ShopsClient({ doc, tokens: missingTable }).install(profile(newShop()), issueTokens())),
      await failure(() => stranger.read(domain)),
    ];
    expect(errors.map((error) => error.constructor.name)).toEqual([
      'ConflictError', 'ConflictError', 'NotFoundError', 'DataClientError', 'SealError',
    ]);
    for (const error of errors) expect(findSecrets(error, written)).toEqual([]);
    expect(findSecrets(logged, written)).toEqual([]);
  });
});
