import { randomBytes } from 'node:crypto';
import { GetItemCommand, UpdateItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ConflictError, DataClientError, NotFoundError } from '../infra/client/errors';
import { ShopsClient, type ShopProfile } from '../infra/client/shops';
import { TokenCrypto, SealError, rawAesKeyring } from '../infra/client/token-crypto';
import { SEALED_ATTRIBUTES, TOKEN_SET_ATTRIBUTES, TokenStore, type SealedAttribute, type ShopTokens } from '../infra/client/token-store';
import { tableSchema } from '../infra/schemas';
import { physicalTableName } from '../infra/stages';
import { createClients } from '../scripts/lib/clients';
import { startLocalEngine, type LocalEngine } from '../scripts/lib/local-engine';
import { createTables, tablesFromTemplate } from '../scripts/lib/template-tables';
import { devTemplate } from './support/dev-template';
import { findSecrets } from './support/secret-scan';

const TABLE = physicalTableName('Shops', 'dev');
const DOMAIN = tableSchema('Shops').partitionKey.name;
const HOUR_MS = 3_600_000;

let engine: LocalEngine;
let client: DynamoDBClient;
let doc: DynamoDBDocumentClient;
let crypto: TokenCrypto;
let store: TokenStore;
let shops: ShopsClient;
/** Every plain-text secret and ciphertext these tests wrote, for the leak scans. */
const written = { texts: [] as string[], bytes: [] as Uint8Array[] };

beforeAll(async () => {
  engine = await startLocalEngine({ port: 0 });
  ({ client, doc } = createClients({ region: 'us-east-1', endpoint: engine.endpoint, local: true }));
  await createTables(client, tablesFromTemplate(devTemplate()).filter((table) => table.createTable.TableName === TABLE));
  crypto = new TokenCrypto(rawAesKeyring(randomBytes(32)));
  store = new TokenStore({ doc, tableName: TABLE, crypto });
  shops = new ShopsClient(doc, store);
});

afterAll(async () => {
  client.destroy();
  await engine.close();
});

let shopCount = 0;
/** A fresh shop domain per test, so tests share one table without sharing items. */
function newShop(): string {
  shopCount += 1;
  return `shop-${shopCount}-${randomBytes(3).toString('hex')}.myshopify.com`;
}

function profile(domain: string): ShopProfile {
  return { domain, name: 'Test Shop', plan: 'pro', billingStatus: 'active', settings: { locale: 'en-US' } };
}

/** A token set with fresh random secrets, as Shopify would issue it. */
function issueTokens(now = new Date()): ShopTokens {
  const secrets = SEALED_ATTRIBUTES.map((attribute) => [attribute, `shp_${attribute}_${randomBytes(16).toString('hex')}`]);
  const tokens: ShopTokens = {
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

async function installed(): Promise<{ domain: string; tokens: ShopTokens }> {
  const domain = newShop();
  const tokens = issueTokens();
  await shops.install(profile(domain), tokens);
  return { domain, tokens };
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
    expect(item.scopes).toEqual({ SS: ['read_products', 'write_products'] });
  });

  test('the token store reads back exactly the tokens installed, at version 1', async () => {
    const { domain, tokens } = await installed();
    expect(await store.read(domain)).toEqual({ tokens, version: 1 });
  });

  test('shops.get returns the profile and token metadata but no sealed attribute, not even its ciphertext', async () => {
    const { domain, tokens } = await installed();
    const shop = await shops.get(domain);
    expect(shop).toMatchObject({ ...profile(domain), accessTokenExpiresAt: tokens.accessTokenExpiresAt.toISOString(), tokenVersion: 1 });
    for (const attribute of SEALED_ATTRIBUTES) expect(shop).not.toHaveProperty(attribute);
    expect(await shops.get(newShop())).toBeUndefined();
  });

  test('never overwrites an installed shop: a second install is a ConflictError and the first tokens stay', async () => {
    const { domain, tokens } = await installed();
    await expect(shops.install(profile(domain), issueTokens())).rejects.toThrow(
      new ConflictError(
        { table: TABLE, operation: 'shops.install', key: { domain } },
        'the shop is installed already; replace its tokens through the token store',
      ),
    );
    expect((await store.read(domain)).tokens).toEqual(tokens);
  });

  test('of two concurrent installs of a new shop exactly one is stored', async () => {
    const domain = newShop();
    const [first, second] = [issueTokens(), issueTokens()];
    const results = await Promise.allSettled([shops.install(profile(domain), first), shops.install(profile(domain), second)]);
    expect(results.map((result) => result.status).sort()).toEqual(['fulfilled', 'rejected']);
    const winner = results[0]!.status === 'fulfilled' ? first : second;
    expect((await store.read(domain)).tokens).toEqual(winner);
  });
});

describe('uninstall', () => {
  test('sets uninstalledAt and removes the whole token set in the same write', async () => {
    const { domain } = await installed();
    await shops.uninstall(domain, new Date('2026-11-25T12:00:00.000Z'));
    const item = (await rawItem(domain))!;
    expect(item.uninstalledAt).toEqual({ S: '2026-11-25T12:00:00.000Z' });
    expect(Object.keys(item).filter((name) => (TOKEN_SET_ATTRIBUTES as readonly string[]).includes(name))).toEqual([]);
    await expect(store.read(domain)).rejects.toThrow(NotFoundError);
  });

  test('a repeated uninstall keeps the first uninstalledAt (the 48-hour redaction clock starts once)', async () => {
    const { domain } = await installed();
    await shops.uninstall(domain, new Date('2026-11-25T12:00:00.000Z'));
    await shops.uninstall(domain, new Date('2026-11-26T12:00:00.000Z'));
    expect((await shops.get(domain))?.uninstalledAt).toBe('2026-11-25T12:00:00.000Z');
  });

  test('of an unknown shop is a NotFoundError and creates nothing', async () => {
    const domain = newShop();
    await expect(shops.uninstall(domain)).rejects.toThrow(NotFoundError);
    expect(await rawItem(domain)).toBeUndefined();
  });

  test('a re-install of an uninstalled shop stores the new tokens at version 1 and clears uninstalledAt', async () => {
    const { domain } = await installed();
    await shops.uninstall(domain);
    const tokens = issueTokens();
    await shops.install(profile(domain), tokens);
    expect(await store.read(domain)).toEqual({ tokens, version: 1 });
    expect(await shops.get(domain)).not.toHaveProperty('uninstalledAt');
  });
});

describe('refresh', () => {
  test('replaces the tokens at the version read and returns the next version', async () => {
    const { domain } = await installed();
    const next = issueTokens();
    expect(await store.replace(domain, 1, next)).toBe(2);
    expect(await store.read(domain)).toEqual({ tokens: next, version: 2 });
  });

  test('at a stale version, or after uninstall, is a ConflictError that leaves the stored tokens', async () => {
    const { domain } = await installed();
    const current = issueTokens();
    await store.replace(domain, 1, current);
    await expect(store.replace(domain, 1, issueTokens())).rejects.toThrow(ConflictError);
    expect((await store.read(domain)).tokens).toEqual(current);
    await shops.uninstall(domain);
    await expect(store.replace(domain, 2, issueTokens())).rejects.toThrow(
      'token version 2 is no longer current (another refresh won, or the shop was uninstalled); re-read the tokens',
    );
    expect(Object.keys((await rawItem(domain))!)).not.toContain('accessToken');
  });

  test('two workers refreshing one shop at once: exactly one wins, the other gets ConflictError and re-reads the winner (5 trials)', async () => {
    const { domain } = await installed();
    for (let trial = 1; trial <= 5; trial += 1) {
      // Both workers hold the same version: each read before either wrote.
      const [a, b] = await Promise.all([store.read(domain), store.read(domain)]);
      const [tokensA, tokensB] = [issueTokens(), issueTokens()];
      const outcomes = await Promise.allSettled([store.replace(domain, a.version, tokensA), store.replace(domain, b.version, tokensB)]);
      expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toEqual([{ status: 'fulfilled', value: trial + 1 }]);
      const lost = outcomes.find((outcome) => outcome.status === 'rejected') as PromiseRejectedResult;
      expect(lost.reason).toBeInstanceOf(ConflictError);
      const reread = await store.read(domain);
      expect(reread).toEqual({ tokens: outcomes[0]!.status === 'fulfilled' ? tokensA : tokensB, version: trial + 1 });
    }
  });
});

test('every Shops and token operation sends exactly one request', async () => {
  const sent: string[] = [];
  client.middlewareStack.add(
    (next, context) => (args) => {
      sent.push(context.commandName as string);
      return next(args);
    },
    { step: 'initialize', name: 'countRequests' },
  );
  const requestsOf = async (operation: () => Promise<unknown>) => {
    sent.length = 0;
    await operation();
    return [...sent];
  };
  try {
    const domain = newShop();
    expect(await requestsOf(() => shops.install(profile(domain), issueTokens()))).toEqual(['PutItemCommand']);
    expect(await requestsOf(() => shops.get(domain))).toEqual(['GetItemCommand']);
    expect(await requestsOf(() => store.read(domain))).toEqual(['GetItemCommand']);
    expect(await requestsOf(() => store.replace(domain, 1, issueTokens()))).toEqual(['UpdateItemCommand']);
    expect(await requestsOf(() => shops.uninstall(domain))).toEqual(['UpdateItemCommand']);
  } finally {
    client.middlewareStack.remove('countRequests');
  }
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
      `tokens.open on ${TABLE} {domain: "${b.domain}"}: the sealed accessToken was sealed for another table, shop or attribute`,
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
    const stranger = new TokenStore({ doc, tableName: TABLE, crypto: new TokenCrypto(rawAesKeyring(randomBytes(32))) });
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
      errors.push(await failure(() => store.replace(domain, 1, issueTokens())));
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
    const missingTable = new TokenStore({ doc, tableName: 'Shops-missing', crypto: new TokenCrypto(rawAesKeyring(randomBytes(32))) });
    const stranger = new TokenStore({ doc, tableName: TABLE, crypto: new TokenCrypto(rawAesKeyring(randomBytes(32))) });
    const errors = [
      await failure(() => shops.install(profile(domain), issueTokens())),
      await failure(() => store.replace(domain, 7, issueTokens())),
      await failure(() => store.read(newShop())),
      await failure(() => new ShopsClient(doc, missingTable).install(profile(newShop()), issueTokens())),
      await failure(() => stranger.read(domain)),
    ];
    expect(errors.map((error) => error.constructor.name)).toEqual([
      'ConflictError', 'ConflictError', 'NotFoundError', 'DataClientError', 'SealError',
    ]);
    for (const error of errors) expect(findSecrets(error, written)).toEqual([]);
    expect(findSecrets(logged, written)).toEqual([]);
  });
});
