import { randomBytes } from 'node:crypto';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { Session } from '@shopify/shopify-api';
import { createDataClient, rawAesKeyring, TokenCrypto, type DataClientWithShops, type SealContext } from '../../infra/client';
import { sealedSessionStorage, type SealedSessionStorage } from '../../infra/client/shopify';
import type { InnerStorage } from './session-inners';
import type { LocalTables } from './local-tables';

const MINUTE = 60_000;

/** A token endpoint of Shopify's for one test: it issues tokens, rotates refresh tokens and counts the calls it gets. */
export class FakeTokenEndpoint {
  private readonly clock: () => number;
  /** Every token issued, plain text: what no raw read may find. */
  readonly issued: string[] = [];
  /** Refresh calls, and the most in progress at once. */
  calls = 0;
  mostAtOnce = 0;
  private inProgress = 0;
  /** Refresh tokens it still accepts. */
  readonly valid = new Set<string>();

  constructor(clock: () => number) {
    this.clock = clock;
  }

  /** A new offline session for `shop`, as OAuth or a token exchange gives it. */
  offline(shop: string, options: { expiring?: boolean; refreshExpiry?: boolean; scope?: string } = {}): Session {
    const { expiring = true, refreshExpiry = true, scope = 'write_products,read_products' } = options;
    const now = this.clock();
    const accessToken = this.token('shpat');
    const refreshToken = expiring ? this.token('shprt') : undefined;
    if (refreshToken) this.valid.add(refreshToken);
    return new Session({
      id: `offline_${shop}`,
      shop,
      state: '',
      isOnline: false,
      scope,
      accessToken,
      ...(expiring && { expires: new Date(now + 60 * MINUTE) }),
      ...(refreshToken && { refreshToken }),
      ...(refreshToken && refreshExpiry && { refreshTokenExpires: new Date(now + 90 * 24 * 60 * MINUTE) }),
    });
  }

  /** An online session of a user, with the full user info Shopify's token exchange returns. */
  online(shop: string, userId: number): Session {
    return new Session({
      id: `${shop}_${userId}`,
      shop,
      state: 'state-1',
      isOnline: true,
      scope: 'read_products',
      accessToken: this.token('shpua'),
      expires: new Date(this.clock() + 24 * 60 * MINUTE),
      onlineAccessInfo: {
        expires_in: 86_400,
        associated_user_scope: 'read_products',
        associated_user: { id: userId, first_name: 'Zoë', last_name: 'Łukasiewicz', email: `user${userId}@example.com`, email_verified: true, account_owner: userId === 1, locale: 'de-CH', collaborator: false },
      } as Session['onlineAccessInfo'],
    });
  }

  /** Shopify's refresh-token grant: the previous token is accepted until its successor is used. */
  refresh = async ({ shop, refreshToken }: { shop: string; refreshToken: string }): Promise<{ session: Session }> => {
    this.calls += 1;
    this.inProgress += 1;
    this.mostAtOnce = Math.max(this.mostAtOnce, this.inProgress);
    await new Promise((resolve) => setTimeout(resolve, 5));
    this.inProgress -= 1;
    if (!this.valid.has(refreshToken)) throw Object.assign(new Error('invalid_grant'), { name: 'HttpResponseError' });
    const session = this.offline(shop);
    session.state = '';
    return { session };
  };

  private token(prefix: string): string {
    const token = `${prefix}_${randomBytes(16).toString('hex')}`;
    this.issued.push(token);
    return token;
  }
}

/** A token crypto that counts the values it opens: KMS Decrypt requests, in AWS. */
export class CountingCrypto extends TokenCrypto {
  opens = 0;
  override async open(context: SealContext, ciphertext: Uint8Array): Promise<string> {
    this.opens += 1;
    return super.open(context, ciphertext);
  }
}

export interface SealedFixture {
  readonly data: DataClientWithShops;
  readonly storage: SealedSessionStorage;
  readonly shopify: FakeTokenEndpoint;
  readonly crypto: CountingCrypto;
  /** Every place a token issued so far is found in plain text: the inner storage's rows and every table. */
  plaintextFound(): Promise<string[]>;
}

/** The sealed storage over `inner` on the local tables, with its own key, a fake token endpoint and the given clock. */
export function sealedFixture(
  local: LocalTables,
  inner: InnerStorage,
  options: { now?: () => Date; nonExpiringTokensUntil?: Date; wrappingKey?: Uint8Array; shopify?: FakeTokenEndpoint } = {},
): SealedFixture {
  const now = options.now ?? (() => new Date());
  const crypto = new CountingCrypto(rawAesKeyring(options.wrappingKey ?? randomBytes(32)));
  const data = createDataClient({ tables: local.tables, doc: local.doc, tokenCrypto: crypto, now, ...(options.nonExpiringTokensUntil && { nonExpiringTokensUntil: options.nonExpiringTokensUntil }) });
  const shopify = options.shopify ?? new FakeTokenEndpoint(() => now().getTime());
  const storage = sealedSessionStorage({ inner: inner.storage, data, refresh: shopify.refresh });
  const plaintextFound = async () => {
    const places: string[] = [];
    const rows = await inner.rows();
    const tables = await Promise.all(Object.values(local.tables).map(async (TableName) => ({ TableName, Items: (await local.client.send(new ScanCommand({ TableName }))).Items ?? [] })));
    for (const token of shopify.issued) {
      rows.forEach((row, i) => JSON.stringify(row, replacer).includes(token) && places.push(`${inner.kind} row ${i}`));
      for (const { TableName, Items } of tables) Items.forEach((item, i) => rawText(item).includes(token) && places.push(`${TableName} item ${i}`));
    }
    return places;
  };
  return { data, storage, shopify, crypto, plaintextFound };
}

/** JSON with binary values as the text their bytes read as, so a token stored in clear in bytes is found too. */
function rawText(value: unknown): string {
  return JSON.stringify(value, replacer);
}

function replacer(_: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString('latin1');
  if (value && typeof value === 'object' && 'type' in value && (value as { type: unknown }).type === 'Buffer') return Buffer.from((value as unknown as { data: number[] }).data).toString('latin1');
  return value;
}

let shops = 0;
/** A new shop domain per test, so tests share the tables without sharing items. */
export function newShop(): string {
  shops += 1;
  return `sessions-${shops}-${randomBytes(3).toString('hex')}.myshopify.com`;
}
