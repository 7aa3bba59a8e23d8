// One file: install, read, refresh under a lease and uninstall are one conditional protocol over one item; every write names the generation and version the others check.
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { tableSchema } from '../schemas';
import { ConflictError, InvalidInputError, NotFoundError, RefreshBusyError, RefreshFailedError, type OperationContext } from './errors';
import { Secret } from './secret';
import { runOperation, shopOperation, type OperationObserver } from './observe';
import { send } from './send';
import { canonicalShopDomain } from './shop-domain';
import type { TokenCrypto } from './token-crypto';

const SHOPS = tableSchema('Shops');
type ShopsAttribute = (typeof SHOPS)['attributes'][number];
type ShopsAttributeName = ShopsAttribute['name'];
const DOMAIN = SHOPS.partitionKey.name;

/** The attributes the schema map seals: secrets stored only as ciphertext. */
export type SealedAttribute = Extract<ShopsAttribute, { sealed: true }>['name'];

/** The sealed attributes, read from the map: the only list of what is encrypted. */
export const SEALED_ATTRIBUTES: readonly SealedAttribute[] = SHOPS.attributes.flatMap((attribute) =>
  'sealed' in attribute && attribute.sealed ? [attribute.name] : [],
);

/** Names that must be attributes of the map: a missing one fails the type-check. */
type Declared<T extends ShopsAttributeName> = T;
/** Each sealed secret expires; its expiry is stored in the clear beside it as `<name>ExpiresAt`. */
type ExpiryAttribute = Declared<`${SealedAttribute}ExpiresAt`>;
const expiryOf = (attribute: SealedAttribute) => `${attribute}ExpiresAt` as ExpiryAttribute;

const SCOPES = 'scopes' satisfies ShopsAttributeName;
const TOKEN_VERSION = 'tokenVersion' satisfies ShopsAttributeName;
const INSTALL_ID = 'installId' satisfies ShopsAttributeName;
const INSTALLED_AT = 'installedAt' satisfies ShopsAttributeName;
const UNINSTALLED_AT = 'uninstalledAt' satisfies ShopsAttributeName;
const LEASE_HOLDER = 'refreshLeaseHolder' satisfies ShopsAttributeName;
const LEASE_EXPIRES_AT = 'refreshLeaseExpiresAt' satisfies ShopsAttributeName;

/** Every attribute of the token set: written together, removed together on uninstall. */
export const TOKEN_SET_ATTRIBUTES: readonly ShopsAttributeName[] = [
  ...SEALED_ATTRIBUTES.flatMap((attribute) => [attribute, expiryOf(attribute)]),
  SCOPES,
  TOKEN_VERSION,
];

/** The refresh lease: set by `fresh` before it calls Shopify, removed by the write that follows. */
export const LEASE_ATTRIBUTES: readonly ShopsAttributeName[] = [LEASE_HOLDER, LEASE_EXPIRES_AT];

/** A shop's tokens as Shopify issues them: each secret in plain text with its expiry, and the scopes granted. */
export type ShopTokens = Readonly<Record<SealedAttribute, string>> &
  Readonly<Record<ExpiryAttribute, Date>> & {
    /** Access scopes granted, at least one. */
    readonly scopes: readonly string[];
  };

/** Tokens as read: the secrets asked for, each a {@link Secret} that prints redacted; every expiry; the scopes. */
export type OpenedTokens<A extends SealedAttribute = SealedAttribute> = Readonly<Record<A, Secret>> &
  Readonly<Record<ExpiryAttribute, Date>> & {
    readonly scopes: readonly string[];
  };

/** Which token set a write replaces: the install it belongs to and its version. */
export interface TokenGeneration {
  /** The install the tokens were read from (a new one at every install). */
  readonly installId: string;
  /** The token version read. */
  readonly version: number;
}

/** Tokens as read from the table, with the generation a refresh must name. */
export interface StoredTokens<A extends SealedAttribute = SealedAttribute> extends TokenGeneration {
  readonly tokens: OpenedTokens<A>;
}

/** The app's call to Shopify's token endpoint: given the refresh token, the next token pair. */
export type RefreshTokens = (refreshToken: Secret) => Promise<ShopTokens>;

/** How {@link TokenStore.fresh} decides and waits; every value in milliseconds. */
export interface FreshOptions {
  /** Refresh when the access token expires within this; default 5 minutes (Shopify: "a few minutes before"). */
  readonly marginMs?: number;
  /** How long a refresher holds the lease; a worker that dies blocks the others this long. Default 30 s. */
  readonly leaseMs?: number;
  /** How often a caller that finds the lease taken re-reads; default 250 ms. */
  readonly pollMs?: number;
  /** How long a caller waits for another's refresh before {@link RefreshBusyError}; default 40 s (past one lease). */
  readonly maxWaitMs?: number;
}

const FRESH_DEFAULTS: Required<FreshOptions> = { marginMs: 5 * 60_000, leaseMs: 30_000, pollMs: 250, maxWaitMs: 40_000 };

/** What `uninstall` did: removed the tokens, or nothing because the event repeats or predates the install. */
export type UninstallOutcome = 'uninstalled' | 'already-uninstalled' | 'older-than-install';

/**
 * The conditions of the token writes, with each `#name` standing for the attribute of that name
 * (printed as-is in the schema docs).
 */
export const TOKEN_CONDITIONS = {
  /**
   * Install: a new shop, a re-install of an uninstalled one, or a grant newer than the installed
   * one (a re-install whose `app/uninstalled` is still on its way): a new generation either way.
   * Never over a grant as new or newer: a repeated or late OAuth callback changes nothing.
   */
  install: `attribute_not_exists(#${DOMAIN}) OR attribute_exists(#${UNINSTALLED_AT}) OR #${INSTALLED_AT} < :installedAt`,
  /** Refresh: the install and version read are still current, and the shop is still installed. */
  replace: `#${INSTALL_ID} = :installId AND #${TOKEN_VERSION} = :expectedVersion AND attribute_not_exists(#${UNINSTALLED_AT})`,
  /** Uninstall: the shop is installed, and installed before the webhook's event: a late or repeated event changes nothing. */
  remove: `attribute_not_exists(#${UNINSTALLED_AT}) AND #${INSTALLED_AT} < :eventAt`,
} as const;

/** The conditions of the lease writes and of redaction's delete of the Shops item. */
export const LIFECYCLE_CONDITIONS = {
  /** Take the refresh lease: the generation read is current and installed, and no lease is live. */
  lease: `${TOKEN_CONDITIONS.replace} AND (attribute_not_exists(#${LEASE_EXPIRES_AT}) OR #${LEASE_EXPIRES_AT} <= :now)`,
  /** Store a refresh under the lease: as a replace, and the lease is still this worker's. */
  refresh: `${TOKEN_CONDITIONS.replace} AND #${LEASE_HOLDER} = :holder`,
  /** Release the lease after a failed refresh: only this worker's. */
  release: `#${LEASE_HOLDER} = :holder`,
  /** Give tokens stored before install generations their install id: unchanged since read, still installed. */
  adopt: `attribute_not_exists(#${INSTALL_ID}) AND #${TOKEN_VERSION} = :expectedVersion AND attribute_not_exists(#${UNINSTALLED_AT})`,
  /** Redaction deletes the Shops item of the uninstalled generation it read, never a re-install. */
  redact: `#${UNINSTALLED_AT} = :uninstalledAt`,
} as const;

/** Where the token store writes, and how it seals. */
export interface TokenStoreOptions {
  /** Document client for the stage's endpoint. */
  readonly doc: DynamoDBDocumentClient;
  /** Physical name of the Shops table, e.g. `Shops-prod`. */
  readonly tableName: string;
  /** Seals and opens the secrets. */
  readonly crypto: TokenCrypto;
  /** The clock of the lease and of expiry decisions; tests pass their own. */
  readonly now?: () => Date;
  /** Receives one event per call. */
  readonly observe?: OperationObserver;
}

type StoredItem = Record<string, unknown>;

/**
 * The one way to read and write a shop's tokens. Secrets are sealed before they leave this object
 * and opened only when asked for; every write is one conditional request that names the install
 * generation it follows, so nothing read from an earlier install is ever written back.
 */
export class TokenStore {
  private readonly doc: DynamoDBDocumentClient;
  private readonly crypto: TokenCrypto;
  private readonly now: () => Date;
  private readonly observe: OperationObserver | undefined;
  readonly tableName: string;

  constructor(options: TokenStoreOptions) {
    this.doc = options.doc;
    this.tableName = options.tableName;
    this.crypto = options.crypto;
    this.now = options.now ?? (() => new Date());
    this.observe = options.observe;
  }

  /**
   * Installs a shop: one PutItem of `profile` (the shop's other attributes, checked by the caller,
   * with its `installedAt`) with a new install id and the sealed token set at version 1. Refused
   * with a ConflictError when the shop is installed by a grant as new or newer. Resolves to the new
   * install id.
   */
  save(shop: string, profile: Readonly<Record<string, unknown>>, tokens: ShopTokens): Promise<string> {
    return this.observed('shops.install', shop, async () => {
      const domain = canonicalShopDomain(shop, { table: this.tableName, operation: 'shops.install' }, 'domain');
      checkTokens(this.where('shops.install', domain), tokens);
      const set = await sealTokenSet(this.crypto, this.tableName, domain, tokens, 1);
      const Item: Record<string, unknown> = { ...profile, [DOMAIN]: domain, ...set };
      await send(
        this.where('shops.install', domain),
        () =>
          this.doc.send(
            new PutCommand({
              TableName: this.tableName,
              Item,
              ConditionExpression: TOKEN_CONDITIONS.install,
              ExpressionAttributeNames: names(DOMAIN, UNINSTALLED_AT, INSTALLED_AT),
              ExpressionAttributeValues: { ':installedAt': Item[INSTALLED_AT] },
            }),
          ),
        'the shop is installed already by a grant as new or newer; replace its tokens through the token store',
      );
      return set[INSTALL_ID] as string;
    });
  }

  /**
   * Reads a shop's tokens and opens the secrets named in `open` (all by default): one consistent
   * GetItem, and one KMS Decrypt per secret opened. Each secret is a {@link Secret}.
   */
  read<A extends SealedAttribute = SealedAttribute>(shop: string, open?: readonly A[]): Promise<StoredTokens<A>> {
    return this.observed('tokens.read', shop, async () => {
      const domain = canonicalShopDomain(shop, { table: this.tableName, operation: 'tokens.read' }, 'domain');
      const opened = open ?? (SEALED_ATTRIBUTES as readonly A[]);
      if (!Array.isArray(opened) || opened.some((name) => !SEALED_ATTRIBUTES.includes(name)) || new Set(opened).size !== opened.length) {
        throw new InvalidInputError(this.where('tokens.read', domain), 'open', `must list sealed attributes (${SEALED_ATTRIBUTES.join(', ')}), each once`);
      }
      const item = await this.getItem('tokens.read', domain, opened);
      return this.opened(domain, item, opened);
    });
  }

  /**
   * Replaces the tokens after a refresh (or a new grant of an installed shop), if the install and
   * version read are still the stored ones; also ends any refresh lease. Of two concurrent
   * refreshes one wins; the other, and a refresh of tokens read before an uninstall or re-install,
   * gets a ConflictError and should re-read. Resolves to the new version.
   */
  replace(shop: string, read: TokenGeneration, tokens: ShopTokens): Promise<number> {
    return this.observed('tokens.replace', shop, async () => {
      const domain = canonicalShopDomain(shop, { table: this.tableName, operation: 'tokens.replace' }, 'domain');
      checkGeneration(this.where('tokens.replace', domain), read);
      checkTokens(this.where('tokens.replace', domain), tokens);
      return this.store(domain, read, tokens);
    });
  }

  /**
   * A usable access token: reads the tokens (one GetItem, one KMS Decrypt of the access token) and
   * returns them unless the access token expires within `marginMs`. Then it takes the shop's
   * refresh lease (one conditional UpdateItem), opens the refresh token, calls `refresh` (the
   * app's call to Shopify), stores the result under the lease and returns the new access token. A
   * caller that finds the lease taken waits `pollMs` and re-reads, up to `maxWaitMs`
   * ({@link RefreshBusyError}). When `refresh` throws, the lease is released and a
   * {@link RefreshFailedError} carries the app's error. NotFoundError when the shop is not installed.
   */
  fresh(shop: string, refresh: RefreshTokens, options: FreshOptions = {}): Promise<StoredTokens<'accessToken'>> {
    return this.observed('tokens.fresh', shop, async () => {
      const domain = canonicalShopDomain(shop, { table: this.tableName, operation: 'tokens.fresh' }, 'domain');
      const where = this.where('tokens.fresh', domain);
      if (typeof refresh !== 'function') throw new InvalidInputError(where, 'refresh', 'must be a function from the refresh token to the next tokens');
      // An option given as undefined takes its default, as an absent one does.
      const given = Object.entries(options ?? {}).filter(([, value]) => value !== undefined);
      const settings = { ...FRESH_DEFAULTS, ...Object.fromEntries(given) };
      for (const [name, value] of Object.entries(settings)) {
        if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new InvalidInputError(where, `options.${name}`, 'must be a finite number of milliseconds, 0 or more');
      }
      const deadline = this.now().getTime() + settings.maxWaitMs;
      for (;;) {
        const item = await this.getItem('tokens.fresh', domain, ['accessToken'], true);
        const now = this.now().getTime();
        if (Date.parse(item[expiryOf('accessToken')] as string) - now > settings.marginMs) return this.opened(domain, item, ['accessToken']);
        const leaseUntil = item[LEASE_EXPIRES_AT] as string | undefined;
        if (leaseUntil === undefined || Date.parse(leaseUntil) <= now) {
          const refreshed = await this.refreshUnderLease(domain, item, refresh, settings.leaseMs);
          if (refreshed) return refreshed;
        }
        // Someone else refreshes (or won the lease, or stored first): wait, then use what they stored.
        if (this.now().getTime() >= deadline) {
          throw new RefreshBusyError(where, `another worker has held the refresh lease for over ${settings.maxWaitMs} ms; retry later`);
        }
        await sleep(settings.pollMs);
      }
    });
  }

  /**
   * Uninstalls a shop for the `app/uninstalled` webhook: sets `uninstalledAt` to the webhook's
   * event time and removes the token set and any lease, in one UpdateItem, only when the shop is
   * installed and was installed before `eventAt`. A repeated event, or one older than the current
   * install (a redelivery after a re-install), changes nothing and says which. NotFoundError for
   * an unknown shop.
   */
  remove(shop: string, eventAt: Date): Promise<UninstallOutcome> {
    return this.observed('shops.uninstall', shop, async () => {
      const domain = canonicalShopDomain(shop, { table: this.tableName, operation: 'shops.uninstall' }, 'domain');
      if (!(eventAt instanceof Date) || Number.isNaN(eventAt.getTime())) {
        throw new InvalidInputError(this.where('shops.uninstall', domain), 'eventAt', 'must be a valid Date: the webhook\'s event time');
      }
      const removed = [...TOKEN_SET_ATTRIBUTES, ...LEASE_ATTRIBUTES];
      try {
        await this.update(
          this.where('shops.uninstall', domain),
          domain,
          {
            UpdateExpression: `SET #${UNINSTALLED_AT} = :eventAt REMOVE ${removed.map((name) => `#${name}`).join(', ')}`,
            ConditionExpression: TOKEN_CONDITIONS.remove,
            ExpressionAttributeNames: names(UNINSTALLED_AT, INSTALLED_AT, ...removed),
            ExpressionAttributeValues: { ':eventAt': eventAt.toISOString() },
          },
          'not installed before the event',
        );
        return 'uninstalled';
      } catch (error) {
        if (!(error instanceof ConflictError)) throw error;
      }
      // The condition failed: one consistent read says why (dynalite returns no old item on failure).
      const { Item } = await send(this.where('shops.uninstall', domain), () =>
        this.doc.send(
          new GetCommand({
            TableName: this.tableName,
            Key: { [DOMAIN]: domain },
            ConsistentRead: true,
            ProjectionExpression: projection(DOMAIN, UNINSTALLED_AT),
            ExpressionAttributeNames: names(DOMAIN, UNINSTALLED_AT),
          }),
        ),
      );
      if (!Item) throw new NotFoundError(this.where('shops.uninstall', domain), 'no such shop');
      return Item[UNINSTALLED_AT] !== undefined ? 'already-uninstalled' : 'older-than-install';
    });
  }

  /** Takes the lease, calls `refresh` and stores its result; undefined when another worker got there first. */
  private async refreshUnderLease(domain: string, read: StoredItem, refresh: RefreshTokens, leaseMs: number): Promise<StoredTokens<'accessToken'> | undefined> {
    const where = this.where('tokens.fresh', domain);
    const holder = randomBytes(12).toString('base64url');
    const now = this.now();
    const generation = { installId: read[INSTALL_ID] as string, version: read[TOKEN_VERSION] as number };
    let leased: StoredItem;
    try {
      ({ Attributes: leased = {} } = await this.update(
        where,
        domain,
        {
          UpdateExpression: `SET #${LEASE_HOLDER} = :holder, #${LEASE_EXPIRES_AT} = :until`,
          ConditionExpression: LIFECYCLE_CONDITIONS.lease,
          ExpressionAttributeNames: names(INSTALL_ID, TOKEN_VERSION, UNINSTALLED_AT, LEASE_HOLDER, LEASE_EXPIRES_AT),
          ExpressionAttributeValues: {
            ':installId': generation.installId,
            ':expectedVersion': generation.version,
            ':holder': holder,
            ':until': new Date(now.getTime() + leaseMs).toISOString(),
            ':now': now.toISOString(),
          },
          ReturnValues: 'ALL_NEW',
        },
        'the refresh lease is taken, or the tokens changed since they were read',
      ));
    } catch (error) {
      if (error instanceof ConflictError) return undefined;
      throw error;
    }
    const refreshToken = await this.crypto.open(this.context(domain, 'refreshToken'), leased.refreshToken as Uint8Array);
    let next: ShopTokens;
    try {
      next = await refresh(new Secret(refreshToken));
      checkTokens(where, next);
    } catch (error) {
      await this.release(domain, holder);
      throw error instanceof InvalidInputError ? error : new RefreshFailedError(where, error);
    }
    try {
      const version = await this.store(domain, generation, next, holder);
      return { installId: generation.installId, version, tokens: openedFrom(next, ['accessToken']) };
    } catch (error) {
      // Another worker's write won after this lease lapsed, or the shop was uninstalled: re-read.
      if (error instanceof ConflictError) return undefined;
      throw error;
    }
  }

  /** One conditional UpdateItem of the token set, ending the lease; under a lease, only while it is `holder`'s. */
  private async store(domain: string, read: TokenGeneration, tokens: ShopTokens, holder?: string): Promise<number> {
    const where = this.where(holder ? 'tokens.fresh' : 'tokens.replace', domain);
    const version = read.version + 1;
    const set = await sealTokens(this.crypto, this.tableName, domain, tokens, version);
    await this.update(
      where,
      domain,
      {
        UpdateExpression: `SET ${Object.keys(set).map((name) => `#${name} = :${name}`).join(', ')} REMOVE ${LEASE_ATTRIBUTES.map((name) => `#${name}`).join(', ')}`,
        ConditionExpression: holder ? LIFECYCLE_CONDITIONS.refresh : TOKEN_CONDITIONS.replace,
        ExpressionAttributeNames: names(...Object.keys(set), INSTALL_ID, UNINSTALLED_AT, ...LEASE_ATTRIBUTES),
        ExpressionAttributeValues: {
          ...Object.fromEntries(Object.entries(set).map(([name, value]) => [`:${name}`, value])),
          ':installId': read.installId,
          ':expectedVersion': read.version,
          ...(holder && { ':holder': holder }),
        },
      },
      `token version ${read.version} of that install is no longer current (another refresh won, or the shop was uninstalled or re-installed); re-read the tokens`,
    );
    return version;
  }

  /** Ends this worker's lease after a failed refresh; a lease another worker holds by now stays. */
  private async release(domain: string, holder: string): Promise<void> {
    try {
      await this.update(
        this.where('tokens.fresh', domain),
        domain,
        {
          UpdateExpression: `REMOVE ${LEASE_ATTRIBUTES.map((name) => `#${name}`).join(', ')}`,
          ConditionExpression: LIFECYCLE_CONDITIONS.release,
          ExpressionAttributeNames: names(...LEASE_ATTRIBUTES),
          ExpressionAttributeValues: { ':holder': holder },
        },
        'the lease is no longer this worker\'s',
      );
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
    }
  }

  /** The token set's item with the sealed attributes in `sealed`; NotFoundError when the shop has no tokens. */
  private async getItem(operation: string, domain: string, sealed: readonly SealedAttribute[], withLease = false): Promise<StoredItem> {
    const where = this.where(operation, domain);
    const projected = [
      ...sealed,
      ...TOKEN_SET_ATTRIBUTES.filter((name) => !(SEALED_ATTRIBUTES as readonly string[]).includes(name)),
      INSTALL_ID,
      ...(withLease ? [LEASE_EXPIRES_AT] : []),
    ];
    const { Item } = await send(where, () =>
      this.doc.send(
        new GetCommand({
          TableName: this.tableName,
          Key: { [DOMAIN]: domain },
          // A refresh names the generation it read: it must be the latest.
          ConsistentRead: true,
          ProjectionExpression: projection(...projected),
          ExpressionAttributeNames: names(...projected),
        }),
      ),
    );
    if (!Item || Item[TOKEN_VERSION] === undefined) throw new NotFoundError(where, 'no tokens: the shop is not installed');
    if (Item[INSTALL_ID] === undefined) return this.adoptGeneration(operation, domain, sealed, withLease, Item);
    return Item;
  }

  /**
   * Tokens stored before install generations existed have no install id, and a refresh must name
   * one: the first read gives them one, conditional on nothing having changed since (of two
   * readers one writes it, the other reads it back), so a shop installed then keeps working.
   */
  private async adoptGeneration(operation: string, domain: string, sealed: readonly SealedAttribute[], withLease: boolean, item: StoredItem): Promise<StoredItem> {
    const installId = ulid();
    try {
      await this.update(
        this.where(operation, domain),
        domain,
        {
          UpdateExpression: `SET #${INSTALL_ID} = :installId`,
          ConditionExpression: LIFECYCLE_CONDITIONS.adopt,
          ExpressionAttributeNames: names(INSTALL_ID, TOKEN_VERSION, UNINSTALLED_AT),
          ExpressionAttributeValues: { ':installId': installId, ':expectedVersion': item[TOKEN_VERSION] },
        },
        'the tokens changed while they were given an install id',
      );
      return { ...item, [INSTALL_ID]: installId };
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      return this.getItem(operation, domain, sealed, withLease);
    }
  }

  private async opened<A extends SealedAttribute>(domain: string, item: StoredItem, open: readonly A[]): Promise<StoredTokens<A>> {
    const secrets = await Promise.all(open.map(async (attribute) => [attribute, await this.crypto.open(this.context(domain, attribute), item[attribute] as Uint8Array)] as const));
    const tokens = {
      ...Object.fromEntries(secrets.map(([attribute, value]) => [attribute, new Secret(value)])),
      ...Object.fromEntries(SEALED_ATTRIBUTES.map((attribute) => [expiryOf(attribute), new Date(item[expiryOf(attribute)] as string)])),
      scopes: [...(item[SCOPES] as Set<string>)].sort(),
    } as unknown as OpenedTokens<A>;
    return { tokens, version: item[TOKEN_VERSION] as number, installId: item[INSTALL_ID] as string };
  }

  /** One conditional UpdateItem of a shop's item; a failed condition becomes `onConditionFailed`. */
  private update(
    where: OperationContext,
    domain: string,
    input: Omit<UpdateCommandInput, 'TableName' | 'Key'>,
    onConditionFailed: Parameters<typeof send>[2],
  ) {
    return send(where, () => this.doc.send(new UpdateCommand({ TableName: this.tableName, Key: { [DOMAIN]: domain }, ...input })), onConditionFailed);
  }

  private context(shop: string, attribute: SealedAttribute) {
    return { table: this.tableName, shop, attribute };
  }

  private observed<T>(operation: string, shop: unknown, body: () => Promise<T>): Promise<T> {
    return runOperation(this.observe, shopOperation(this.tableName, operation, shop), body);
  }

  private where(operation: string, shop: string): OperationContext {
    return { table: this.tableName, operation, key: { [DOMAIN]: shop } };
  }
}

/** The opened form of tokens the app just obtained: no Decrypt needed. */
function openedFrom<A extends SealedAttribute>(tokens: ShopTokens, open: readonly A[]): OpenedTokens<A> {
  return {
    ...Object.fromEntries(open.map((attribute) => [attribute, new Secret(tokens[attribute])])),
    ...Object.fromEntries(SEALED_ATTRIBUTES.map((attribute) => [expiryOf(attribute), tokens[expiryOf(attribute)]])),
    scopes: [...tokens.scopes].sort(),
  } as unknown as OpenedTokens<A>;
}

/** Refuses a token set that is not what Shopify issues, naming the field, before any request. */
function checkTokens(where: OperationContext, tokens: ShopTokens): void {
  if (typeof tokens !== 'object' || tokens === null) throw new InvalidInputError(where, 'tokens', 'must be the token set Shopify issued');
  for (const attribute of SEALED_ATTRIBUTES) {
    const value: unknown = tokens[attribute];
    if (typeof value !== 'string' || value.length === 0) throw new InvalidInputError(where, `tokens.${attribute}`, 'must be a non-empty string');
    const expiry: unknown = tokens[expiryOf(attribute)];
    if (!(expiry instanceof Date) || Number.isNaN(expiry.getTime())) throw new InvalidInputError(where, `tokens.${expiryOf(attribute)}`, 'must be a valid Date');
  }
  const scopes: unknown = tokens.scopes;
  if (!Array.isArray(scopes) || scopes.length === 0 || scopes.some((scope) => typeof scope !== 'string' || scope.length === 0)) {
    throw new InvalidInputError(where, 'tokens.scopes', 'must list at least one scope (Shopify grants at least one), each a non-empty string');
  }
}

function checkGeneration(where: OperationContext, read: TokenGeneration): void {
  const value = read as unknown;
  if (typeof value !== 'object' || value === null || typeof read.installId !== 'string' || read.installId.length === 0) {
    throw new InvalidInputError(where, 'read', 'must be what tokens.read returned ({ installId, version }): a version alone cannot tell one install from the next');
  }
  if (!Number.isSafeInteger(read.version) || read.version < 1) throw new InvalidInputError(where, 'read.version', 'must be the whole version read, 1 or more');
}

/**
 * The stored form of an install's token set: a new install id, and the token set at `version`.
 * Exported for seeding a local table; the app writes tokens through {@link TokenStore}.
 */
export async function sealTokenSet(
  crypto: TokenCrypto,
  tableName: string,
  shop: string,
  tokens: ShopTokens,
  version: number,
): Promise<Record<string, unknown>> {
  return { ...(await sealTokens(crypto, tableName, shop, tokens, version)), [INSTALL_ID]: ulid() };
}

/** The token set as stored: sealed secrets, expiries in ISO-8601, scopes as a set, the version. */
async function sealTokens(crypto: TokenCrypto, tableName: string, shop: string, tokens: ShopTokens, version: number): Promise<Record<string, unknown>> {
  checkTokens({ table: tableName, operation: 'tokens.seal', key: { [DOMAIN]: shop } }, tokens);
  const sealed = await Promise.all(
    SEALED_ATTRIBUTES.map(async (attribute) => [attribute, await crypto.seal({ table: tableName, shop, attribute }, tokens[attribute])]),
  );
  return {
    ...Object.fromEntries(sealed),
    ...Object.fromEntries(SEALED_ATTRIBUTES.map((attribute) => [expiryOf(attribute), tokens[expiryOf(attribute)].toISOString()])),
    [SCOPES]: new Set(tokens.scopes),
    [TOKEN_VERSION]: version,
  };
}

function names(...attributes: readonly string[]): Record<string, string> {
  return Object.fromEntries(attributes.map((name) => [`#${name}`, name]));
}

function projection(...attributes: readonly string[]): string {
  return attributes.map((name) => `#${name}`).join(', ');
}
