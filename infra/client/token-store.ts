// One file: grant, read, refresh under a lease, invalidate and uninstall are one conditional protocol over one item; every write names the generation and version the others check.
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { ConflictError, DataClientError, InvalidInputError, NoTokenError, NotFoundError, RefreshBusyError, RefreshFailedError, StaleGrantError, type OperationContext } from './errors';
import { runOperation, shopOperation, type OperationObserver, type OperationRun } from './observe';
import { OpenedCache } from './opened-cache';
import { Secret } from './secret';
import { canonicalShopDomain } from './shop-domain';
import type { TokenCrypto } from './token-crypto';
import {
  DOMAIN,
  INSTALLED_AT,
  INSTALL_ID,
  LEASE_ATTRIBUTES,
  LEASE_EXPIRES_AT,
  LEASE_HOLDER,
  SEALED_ATTRIBUTES,
  SHOPIFY_NON_EXPIRING_CUTOVER,
  TOKEN_SET_ATTRIBUTES,
  TOKEN_VERSION,
  UNINSTALLED_AT,
  checkSecret,
  checkTokens,
  clearFields,
  expiryOf,
  names,
  openedFrom,
  projection,
  scopeText,
  sealTokens,
  storedScope,
  type OpenedTokens,
  type SealedAttribute,
  type SealedSet,
  type ShopTokens,
  type StoredTokens,
  type TokenGeneration,
} from './token-set';
import * as check from './validate';

export {
  LEASE_ATTRIBUTES,
  SEALED_ATTRIBUTES,
  SHOPIFY_NON_EXPIRING_CUTOVER,
  TOKEN_SET_ATTRIBUTES,
  type OpenedTokens,
  type SealedAttribute,
  type ShopTokens,
  type StoredTokens,
  type TokenGeneration,
} from './token-set';

/**
 * How far apart the app's clock (a grant's time) and Shopify's (a webhook's event time) may be
 * taken to be, with the time a grant's answer takes to reach the store: a grant stored up to this
 * long after an uninstall's event time is taken to predate it (Shopify revoked it), and a
 * re-install must come later than that. A merchant needs longer to click through an install.
 */
export const GRANT_SKEW_MS = 10_000;

/** The app's call to Shopify's token endpoint: given the refresh token, the next token set. It may stop when `signal` aborts. */
export type RefreshTokens = (refreshToken: Secret, options: { readonly signal: AbortSignal }) => Promise<ShopTokens>;

/** How {@link TokenStore.fresh} decides and waits (times in milliseconds), and what it opens. */
export interface FreshOptions<A extends SealedAttribute = 'accessToken'> {
  /** Refresh when the access token expires within this (0 to 24 h); default 5 minutes (Shopify: "a few minutes before"). */
  readonly marginMs?: number;
  /**
   * How long a refresher holds the lease (1 s to 15 minutes); a worker that dies blocks the others
   * this long, and a `refresh` that has not answered by then is given up. Default 30 s.
   */
  readonly leaseMs?: number;
  /** How often a caller that finds the lease taken re-reads (1 ms to 60 s); default 250 ms. */
  readonly pollMs?: number;
  /** How long a caller waits for another's refresh before {@link RefreshBusyError} (0 to 15 minutes); default 40 s (past one lease). */
  readonly maxWaitMs?: number;
  /** The secrets to return besides the access token; default the access token only. */
  readonly open?: readonly A[];
}

const MINUTE_MS = 60_000;
const FRESH_LIMITS = {
  marginMs: { min: 0, max: 24 * 60 * MINUTE_MS, default: 5 * MINUTE_MS },
  leaseMs: { min: 1_000, max: 15 * MINUTE_MS, default: 30_000 },
  pollMs: { min: 1, max: MINUTE_MS, default: 250 },
  maxWaitMs: { min: 0, max: 15 * MINUTE_MS, default: 40_000 },
} as const;
type FreshSettings = Record<keyof typeof FRESH_LIMITS, number>;
/** Fresh's options as checked: its settings, the secrets asked for, and those it returns. */
interface CheckedFresh<A extends SealedAttribute> {
  readonly settings: FreshSettings;
  readonly open: readonly A[];
  readonly served: readonly (A | 'accessToken')[];
}
const FRESH_SETTINGS = Object.keys(FRESH_LIMITS) as (keyof FreshSettings)[];
const FRESH_OPTIONS: readonly string[] = [...FRESH_SETTINGS, 'open'];

/** What `uninstall` did: removed the tokens, or nothing because the event repeats or predates the install. */
export type UninstallOutcome = 'uninstalled' | 'already-uninstalled' | 'older-than-install';

/**
 * What a grant did: `installed` a new shop, `reinstalled` an uninstalled one, `regranted` an
 * installed shop with a new grant (a new generation), `updated` the current grant (the same
 * access token with other fields, or a profile), or left it `unchanged` (an identical store).
 */
export interface GrantOutcome extends TokenGeneration {
  readonly outcome: 'installed' | 'reinstalled' | 'regranted' | 'updated' | 'unchanged';
}

/** What `invalidate` did: removed the token(s), or nothing (none held, or the generation named is gone). */
export type InvalidateOutcome = 'invalidated' | 'unchanged';

/**
 * The conditions of the token writes, with each `#name` standing for the attribute of that name
 * (printed as-is in the schema docs).
 */
export const TOKEN_CONDITIONS = {
  /** The first grant of a shop: no item yet. */
  create: `attribute_not_exists(#${DOMAIN})`,
  /**
   * A re-install: the uninstall read is still the stored one. The client has checked that the grant
   * is later than that uninstall by more than the skew: an earlier one was revoked by it.
   */
  reinstall: `#${UNINSTALLED_AT} = :uninstalledAt`,
  /**
   * A write within the generation read (a refresh, an invalidation, the same grant stored again) or
   * a new grant over it: that install and version are still current, and the shop still installed.
   */
  replace: `#${INSTALL_ID} = :installId AND #${TOKEN_VERSION} = :expectedVersion AND attribute_not_exists(#${UNINSTALLED_AT})`,
  /**
   * Uninstall: the shop is installed, and its grant was stored no later than the skew after the
   * webhook's event. A repeated event, or one older than a re-install, changes nothing.
   */
  remove: `attribute_not_exists(#${UNINSTALLED_AT}) AND #${INSTALLED_AT} <= :grantedBy`,
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
  readonly table: string;
  /** Seals and opens the secrets. */
  readonly crypto: TokenCrypto;
  /** The clock of the lease and of expiry decisions; tests pass their own. */
  readonly now?: () => Date;
  /** Receives one event per call. */
  readonly observe?: OperationObserver;
  /** Until when a non-expiring offline token is accepted: Shopify's cut-over for public apps ({@link SHOPIFY_NON_EXPIRING_CUTOVER}) by default. */
  readonly nonExpiringTokensUntil?: Date;
}

type StoredItem = Record<string, unknown>;

/** Grants that keep losing their condition to other writers give up after this many reads. */
const GRANT_ATTEMPTS = 5;
/** Dates a grant or an event may carry: none before Shopify's apps, none later than the clock allows. */
const FIRST_EVENT = new Date('2000-01-01T00:00:00.000Z');
/** The slot of an online session's token in the opened-value cache. */
const sessionSlot = (sessionId: string) => `session ${sessionId}`;

/**
 * The one way to read and write a shop's tokens. Secrets are sealed before they leave this object
 * and opened only when asked for (the values this process opened or sealed lately are kept, so a
 * warm read costs no KMS request); every write is one conditional request that names the install
 * generation it follows, so nothing read from an earlier install is ever written back.
 */
export class TokenStore {
  private readonly doc: DynamoDBDocumentClient;
  private readonly crypto: TokenCrypto;
  private readonly clock: () => Date;
  private readonly observe: OperationObserver | undefined;
  private readonly nonExpiringUntil: Date;
  private readonly cache = new OpenedCache();
  private readonly frozenSettings = new WeakMap<object, CheckedFresh<SealedAttribute>>();
  /** Physical name of the Shops table. */
  readonly table: string;

  constructor(options: TokenStoreOptions) {
    this.doc = options.doc;
    this.table = options.table;
    this.crypto = options.crypto;
    this.clock = options.now ?? (() => new Date());
    this.observe = options.observe;
    this.nonExpiringUntil = options.nonExpiringTokensUntil ?? SHOPIFY_NON_EXPIRING_CUTOVER;
  }

  /**
   * Stores a grant Shopify just gave (OAuth, token exchange) for a shop, `at` the time it was
   * obtained (now by default), deciding from the stored item what it is: the first grant of a shop
   * (`installed`), a grant after its uninstall (`reinstalled`; one within {@link GRANT_SKEW_MS} of
   * the uninstall is {@link StaleGrantError}: Shopify revoked it), a new grant of an installed shop
   * (`regranted`: a new generation, the profile kept; one older than the stored grant by more than
   * the skew is a late callback, ConflictError), the stored grant again (`updated` when a field
   * differs, `unchanged` when none does: no write). One consistent GetItem (and a KMS Decrypt of
   * the stored access token when this process has not opened it), then one conditional write;
   * another writer in between makes it read and decide again.
   */
  grant(shop: string, tokens: ShopTokens, options: { readonly at?: Date } = {}): Promise<GrantOutcome> {
    return this.observed('tokens.grant', shop, (run) => {
      const domain = this.domain(run, shop);
      const given = check.options(options, run.context, 'options', false, ['at']);
      return this.grantIn(run, domain, tokens, given.at === undefined ? this.now(run) : this.eventTime(run, given.at, 'options.at'));
    });
  }

  /**
   * A grant with the shop's profile (`shops.install`): as {@link TokenStore.grant}, with the
   * profile's fields written in the same request.
   * @internal
   */
  async grantIn(run: OperationRun, domain: string, tokens: ShopTokens, at: Date, profile: Readonly<Record<string, unknown>> = {}): Promise<GrantOutcome> {
    const where = this.where(run, domain);
    checkTokens(where, tokens, this.rules(run, true));
    for (let attempt = 1; attempt <= GRANT_ATTEMPTS; attempt += 1) {
      const item = await this.readItem(run, domain);
      try {
        if (!item) return await this.install(run, domain, tokens, at, profile);
        const uninstalledAt = item[UNINSTALLED_AT] as string | undefined;
        if (uninstalledAt !== undefined || item[TOKEN_VERSION] === undefined) {
          if (uninstalledAt === undefined) throw new DataClientError(where, 'the shop\'s item holds no token version: it was not written by the token store');
          if (at.getTime() <= Date.parse(uninstalledAt) + GRANT_SKEW_MS) {
            throw new StaleGrantError(where, `the grant is not later than the shop's uninstall at ${uninstalledAt} by more than ${GRANT_SKEW_MS / 1000} s: Shopify revoked it; nothing was stored`);
          }
          return await this.newGeneration(run, domain, tokens, at, profile, { ':uninstalledAt': uninstalledAt }, TOKEN_CONDITIONS.reinstall, 'reinstalled');
        }
        const current = await this.generation(run, domain, item);
        const stored = item[SEALED_ATTRIBUTES[0]!] === undefined ? undefined : await this.openAttribute(run, domain, item, 'accessToken');
        if (stored !== undefined && stored === tokens.accessToken) return await this.sameGrant(run, domain, item, current, tokens, profile);
        if (at.getTime() < Date.parse(item[INSTALLED_AT] as string) - GRANT_SKEW_MS) {
          throw new ConflictError(where, `the grant is older than the installed one (${item[INSTALLED_AT] as string}): a late or repeated callback; nothing changed`);
        }
        const installedAt = new Date(Math.max(at.getTime(), Date.parse(item[INSTALLED_AT] as string)));
        return await this.newGeneration(run, domain, tokens, installedAt, profile, generationValues(current), TOKEN_CONDITIONS.replace, 'regranted');
      } catch (error) {
        // Another writer changed the item since it was read: read again and decide again.
        if (!(error instanceof ChangedSinceRead)) throw error;
      }
    }
    throw new ConflictError(where, `the shop's item changed under ${GRANT_ATTEMPTS} grants in a row; retry`);
  }

  /**
   * Reads a shop's tokens and opens the secrets named in `open` (all by default): one consistent
   * GetItem, and one KMS Decrypt per secret opened that this process has not opened lately. Each
   * secret is a {@link Secret}; one the shop does not hold is absent. NotFoundError when the shop
   * is not installed.
   */
  read<A extends SealedAttribute = SealedAttribute>(shop: string, open?: readonly A[]): Promise<StoredTokens<A>> {
    return this.observed('tokens.read', shop, async (run) => {
      const domain = this.domain(run, shop);
      const opened = this.openList(run, open ?? (SEALED_ATTRIBUTES as readonly A[]), 'open');
      const item = await this.installedItem(run, domain);
      return this.opened(run, domain, item, opened);
    });
  }

  /**
   * Replaces the tokens of the generation read (`read`: what `tokens.read` returned) after a
   * refresh done by hand; also ends any refresh lease. Of two concurrent refreshes one wins; the
   * other, and a refresh of tokens read before an uninstall or re-install, gets a ConflictError
   * and should re-read. Resolves to the new version.
   */
  replace(shop: string, read: TokenGeneration, tokens: ShopTokens): Promise<number> {
    return this.observed('tokens.replace', shop, async (run) => {
      const domain = this.domain(run, shop);
      checkGeneration(run.context, read);
      checkTokens(run.context, tokens, this.rules(run, false));
      return (await this.write(run, domain, read, tokens)).version;
    });
  }

  /**
   * A usable access token: reads the tokens (one consistent GetItem; a KMS Decrypt of the access
   * token unless this process opened it lately) and returns them unless the access token expires
   * within `marginMs` or the shop holds none. Then it takes the shop's refresh lease (one
   * conditional UpdateItem), opens the refresh token, calls `refresh` (the app's call to Shopify;
   * given up after `leaseMs`), checks that what it returns lasts past the margin, stores it under
   * the lease and returns it. A caller that finds the lease taken waits `pollMs` and re-reads, up
   * to `maxWaitMs` ({@link RefreshBusyError}). When `refresh` fails, the lease is released and a
   * {@link RefreshFailedError} carries the app's error. A non-expiring token is returned as it is
   * until the cut-over. NotFoundError when the shop is not installed; {@link NoTokenError} when it
   * holds no token that works and no refresh token to get one.
   */
  fresh<A extends SealedAttribute = 'accessToken'>(shop: string, refresh: RefreshTokens, options: FreshOptions<A> = {}): Promise<StoredTokens<A | 'accessToken', 'accessToken'>> {
    return this.observed('tokens.fresh', shop, async (run) => {
      const domain = this.domain(run, shop);
      const where = run.context;
      if (typeof refresh !== 'function') throw new InvalidInputError(where, 'refresh', 'must be a function from the refresh token to the next tokens');
      const { settings, open, served } = this.freshSettings(run, options);
      let now = this.now(run).getTime();
      const deadline = now + settings.maxWaitMs;
      for (;;) {
        const item = await this.installedItem(run, domain);
        now = this.now(run).getTime();
        const expiresAt = item[expiryOf('accessToken')] as string | undefined;
        const hasAccess = item.accessToken !== undefined;
        if (hasAccess && expiresAt === undefined) {
          if (now >= this.nonExpiringUntil.getTime()) throw new NoTokenError(where, `the stored token does not expire, and Shopify stopped accepting such tokens on ${this.nonExpiringUntil.toISOString()}: a new grant (token exchange) replaces it`);
          return this.freshResult(run, domain, item, served);
        }
        if (hasAccess && Date.parse(expiresAt!) - now > settings.marginMs) return this.freshResult(run, domain, item, served);
        if (item.refreshToken === undefined) {
          if (hasAccess && Date.parse(expiresAt!) > now) return this.freshResult(run, domain, item, served);
          throw new NoTokenError(where, hasAccess ? 'the access token has expired and there is no refresh token' : 'the shop holds no access token and no refresh token');
        }
        const leaseUntil = item[LEASE_EXPIRES_AT] as string | undefined;
        if (leaseUntil === undefined || Date.parse(leaseUntil) <= now) {
          const refreshed = await this.refreshUnderLease(run, domain, item, refresh, settings, open);
          if (refreshed) return refreshed;
          // Another worker took the lease first, or wrote first: read what it did at once.
          continue;
        }
        // Someone else refreshes: wait, then use what they stored.
        if (this.now(run).getTime() >= deadline) {
          throw new RefreshBusyError(where, `another worker has held the refresh lease for over ${settings.maxWaitMs} ms; retry later`);
        }
        await sleep(settings.pollMs);
      }
    });
  }

  /**
   * Drops the shop's access token (and with `discardRefresh` its refresh token too) while it stays
   * installed: for an access token Shopify refused (a 401), or an offline session the app deleted.
   * The shop is not marked uninstalled and redaction does not start. Given `generation` (what was
   * read when the token was served), a newer generation stored since is left alone. NotFoundError
   * when the shop is not installed.
   */
  invalidate(shop: string, options: { readonly generation?: TokenGeneration; readonly discardRefresh?: boolean } = {}): Promise<InvalidateOutcome> {
    return this.observed('tokens.invalidate', shop, async (run) => {
      const domain = this.domain(run, shop);
      const given = check.options(options, run.context, 'options', false, ['generation', 'discardRefresh']);
      if (given.generation !== undefined) checkGeneration(run.context, given.generation);
      const discardRefresh = given.discardRefresh === undefined ? false : check.boolean(given.discardRefresh, run.context, 'options.discardRefresh');
      for (let attempt = 1; attempt <= GRANT_ATTEMPTS; attempt += 1) {
        const item = await this.installedItem(run, domain);
        const current = await this.generation(run, domain, item);
        if (given.generation && (given.generation.installId !== current.installId || given.generation.version !== current.version)) return 'unchanged';
        const dropped: SealedAttribute[] = discardRefresh ? [...SEALED_ATTRIBUTES] : ['accessToken'];
        if (dropped.every((attribute) => item[attribute] === undefined)) return 'unchanged';
        const remove = [...dropped.flatMap((attribute) => [attribute, expiryOf(attribute)]), ...LEASE_ATTRIBUTES];
        try {
          await this.update(run, domain, {
            UpdateExpression: `SET #${TOKEN_VERSION} = :version REMOVE ${projection(...remove)}`,
            ConditionExpression: TOKEN_CONDITIONS.replace,
            ExpressionAttributeNames: names(TOKEN_VERSION, INSTALL_ID, UNINSTALLED_AT, ...remove),
            ExpressionAttributeValues: { ':version': current.version + 1, ...generationValues(current) },
          }, this.changed(run, domain, 'the tokens changed since they were read'));
          this.cache.forget(domain);
          return 'invalidated';
        } catch (error) {
          if (!(error instanceof ChangedSinceRead)) throw error;
        }
      }
      throw new ConflictError(run.context, `the shop's item changed under ${GRANT_ATTEMPTS} attempts in a row; retry`);
    });
  }

  /**
   * Uninstalls a shop for the `app/uninstalled` webhook: sets `uninstalledAt` to the webhook's
   * event time and removes the token set and any lease, in one UpdateItem, only when the shop is
   * installed and its grant was stored no later than {@link GRANT_SKEW_MS} after `eventAt`. A
   * repeated event, or one older than the current install (a redelivery after a re-install),
   * changes nothing and says which. An event time later than the clock allows is refused.
   * NotFoundError for an unknown shop.
   */
  remove(shop: string, eventAt: Date): Promise<UninstallOutcome> {
    return this.observed('shops.uninstall', shop, (run) => this.removeIn(run, this.domain(run, shop), eventAt));
  }

  /** @internal The uninstall within an operation of the shops client. */
  async removeIn(run: OperationRun, domain: string, eventAt: Date): Promise<UninstallOutcome> {
    const at = this.eventTime(run, eventAt, 'eventAt');
    const removed = [...TOKEN_SET_ATTRIBUTES, ...LEASE_ATTRIBUTES];
    try {
      await this.update(
        run,
        domain,
        {
          UpdateExpression: `SET #${UNINSTALLED_AT} = :eventAt REMOVE ${projection(...removed)}`,
          ConditionExpression: TOKEN_CONDITIONS.remove,
          ExpressionAttributeNames: names(UNINSTALLED_AT, INSTALLED_AT, ...removed),
          ExpressionAttributeValues: { ':eventAt': at.toISOString(), ':grantedBy': new Date(at.getTime() + GRANT_SKEW_MS).toISOString() },
        },
        'not installed before the event',
      );
      this.cache.forget(domain);
      return 'uninstalled';
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
    }
    // The condition failed: one consistent read says why (dynalite returns no old item on failure).
    const item = await this.readItem(run, domain);
    if (!item) throw new NotFoundError(this.where(run, domain), 'no such shop');
    return item[UNINSTALLED_AT] !== undefined ? 'already-uninstalled' : 'older-than-install';
  }

  /**
   * Seals an online session's access token (a user's, up to 24 hours) for the shop and that
   * session: its own encryption context, so it opens for no other session, shop or attribute.
   */
  sealSession(shop: string, sessionId: string, accessToken: string, expiresAt?: Date): Promise<Uint8Array> {
    return this.observed('tokens.sealSession', shop, async (run) => {
      const domain = this.domain(run, shop);
      const id = check.text(sessionId, run.context, 'sessionId', 1_024);
      checkSecret(run.context, 'accessToken', accessToken);
      if (expiresAt !== undefined && !check.isDateIn(expiresAt, FIRST_EVENT, check.LAST_DATE)) throw new InvalidInputError(run.context, 'expiresAt', 'must be a valid Date of the years 2000 to 9999 when given');
      const ciphertext = await this.crypto.seal(this.sessionContext(domain, id), accessToken);
      this.cache.set(domain, sessionSlot(id), ciphertext, accessToken, this.now(run).getTime(), expiresAt);
      return ciphertext;
    });
  }

  /** Opens what {@link TokenStore.sealSession} sealed for that shop and session: no KMS request when this process sealed or opened it lately. */
  openSession(shop: string, sessionId: string, ciphertext: Uint8Array, expiresAt?: Date): Promise<Secret> {
    return this.observed('tokens.openSession', shop, async (run) => {
      const domain = this.domain(run, shop);
      const id = check.text(sessionId, run.context, 'sessionId', 1_024);
      const now = this.now(run).getTime();
      const cached = this.cache.get(domain, sessionSlot(id), ciphertext, now);
      if (cached !== undefined) return new Secret(cached);
      const plaintext = await this.crypto.open(this.sessionContext(domain, id), ciphertext);
      this.cache.set(domain, sessionSlot(id), ciphertext, plaintext, now, expiresAt);
      return new Secret(plaintext);
    });
  }

  /** The first grant: one PutItem of the profile and a new generation. */
  private async install(run: OperationRun, domain: string, tokens: ShopTokens, at: Date, profile: Readonly<Record<string, unknown>>): Promise<GrantOutcome> {
    const installId = ulid();
    const sealed = await this.seal(domain, tokens, 1);
    await this.send(
      run,
      domain,
      () =>
        this.doc.send(
          new PutCommand({
            TableName: this.table,
            Item: { ...profile, [DOMAIN]: domain, ...sealed.set, [INSTALL_ID]: installId, [INSTALLED_AT]: at.toISOString() },
            ConditionExpression: TOKEN_CONDITIONS.create,
            ExpressionAttributeNames: names(DOMAIN),
            ...run.capacityRequest,
          }),
        ),
      this.changed(run, domain, 'the shop was installed by another writer meanwhile'),
    );
    this.prime(run, domain, sealed, tokens);
    return { installId, version: 1, outcome: 'installed' };
  }

  /** A new generation over the item read (a re-install, or a new grant of an installed shop): its profile kept, `profile` set. */
  private async newGeneration(
    run: OperationRun,
    domain: string,
    tokens: ShopTokens,
    at: Date,
    profile: Readonly<Record<string, unknown>>,
    values: Record<string, unknown>,
    condition: string,
    outcome: 'reinstalled' | 'regranted',
  ): Promise<GrantOutcome> {
    const installId = ulid();
    const sealed = await this.seal(domain, tokens, 1);
    const set = { ...profile, ...sealed.set, [INSTALL_ID]: installId, [INSTALLED_AT]: at.toISOString() };
    const remove = [...sealed.remove, ...LEASE_ATTRIBUTES, UNINSTALLED_AT];
    await this.update(
      run,
      domain,
      {
        UpdateExpression: `SET ${assignments(set)} REMOVE ${projection(...remove)}`,
        ConditionExpression: condition,
        ExpressionAttributeNames: names(...Object.keys(set), ...remove, INSTALL_ID, TOKEN_VERSION, UNINSTALLED_AT),
        ExpressionAttributeValues: { ...assignedValues(set), ...values },
      },
      this.changed(run, domain, 'the shop changed since it was read'),
    );
    this.prime(run, domain, sealed, tokens);
    return { installId, version: 1, outcome };
  }

  /** The stored grant stored again: nothing when nothing differs, else one write within its generation. */
  private async sameGrant(
    run: OperationRun,
    domain: string,
    item: StoredItem,
    current: TokenGeneration,
    tokens: ShopTokens,
    profile: Readonly<Record<string, unknown>>,
  ): Promise<GrantOutcome> {
    const identical = await this.holds(run, domain, item, tokens);
    const profileSame = Object.entries(profile).every(([name, value]) => JSON.stringify(item[name]) === JSON.stringify(value));
    if (identical && profileSame) return { ...current, outcome: 'unchanged' };
    if (identical) {
      await this.update(
        run,
        domain,
        {
          UpdateExpression: `SET ${assignments(profile)}`,
          ConditionExpression: TOKEN_CONDITIONS.replace,
          ExpressionAttributeNames: names(...Object.keys(profile), INSTALL_ID, TOKEN_VERSION, UNINSTALLED_AT),
          ExpressionAttributeValues: { ...assignedValues(profile), ...generationValues(current) },
        },
        this.changed(run, domain, 'the shop changed since it was read'),
      );
      return { ...current, outcome: 'updated' };
    }
    const { version } = await this.write(run, domain, current, tokens, undefined, profile);
    return { installId: current.installId, version, outcome: 'updated' };
  }

  /** True when the stored token set is `tokens` to the letter and the millisecond. */
  private async holds(run: OperationRun, domain: string, item: StoredItem, tokens: ShopTokens): Promise<boolean> {
    for (const attribute of SEALED_ATTRIBUTES) {
      const expiry = item[expiryOf(attribute)] as string | undefined;
      if (expiry !== tokens[expiryOf(attribute)]?.toISOString()) return false;
      if ((item[attribute] === undefined) !== (tokens[attribute] === undefined)) return false;
      if (tokens[attribute] !== undefined && (await this.openAttribute(run, domain, item, attribute)) !== tokens[attribute]) return false;
    }
    return storedScope(item.scopes) === scopeText(tokens);
  }

  /** Takes the lease, calls `refresh` and stores its result; undefined when another worker got there first. */
  private async refreshUnderLease<A extends SealedAttribute>(
    run: OperationRun,
    domain: string,
    read: StoredItem,
    refresh: RefreshTokens,
    settings: FreshSettings,
    open: readonly A[],
  ): Promise<StoredTokens<A | 'accessToken', 'accessToken'> | undefined> {
    const where = this.where(run, domain);
    const holder = randomBytes(12).toString('base64url');
    const now = this.now(run);
    const generation = { installId: read[INSTALL_ID] as string, version: read[TOKEN_VERSION] as number };
    let leased: StoredItem;
    try {
      ({ Attributes: leased = {} } = await this.update(
        run,
        domain,
        {
          UpdateExpression: `SET #${LEASE_HOLDER} = :holder, #${LEASE_EXPIRES_AT} = :until`,
          ConditionExpression: LIFECYCLE_CONDITIONS.lease,
          ExpressionAttributeNames: names(INSTALL_ID, TOKEN_VERSION, UNINSTALLED_AT, LEASE_HOLDER, LEASE_EXPIRES_AT),
          ExpressionAttributeValues: { ...generationValues(generation), ':holder': holder, ':until': new Date(now.getTime() + settings.leaseMs).toISOString(), ':now': now.toISOString() },
          ReturnValues: 'ALL_NEW',
        },
        'the refresh lease is taken, or the tokens changed since they were read',
      ));
    } catch (error) {
      if (error instanceof ConflictError) return undefined;
      throw error;
    }
    let next: ShopTokens;
    try {
      const refreshToken = await this.openAttribute(run, domain, leased, 'refreshToken');
      next = await withTimeout(settings.leaseMs, (signal) => refresh(new Secret(refreshToken), { signal }));
      checkTokens(where, next, this.rules(run, true));
      const expiresAt = next.accessTokenExpiresAt?.getTime();
      if (expiresAt !== undefined && expiresAt - this.now(run).getTime() <= settings.marginMs) {
        throw new RefreshFailedError(where, new Error(`the refreshed access token expires within the ${settings.marginMs} ms margin`), 'returned an access token that expires within the margin; nothing was stored');
      }
    } catch (error) {
      await this.release(run, domain, holder);
      throw error instanceof DataClientError ? error : new RefreshFailedError(where, error);
    }
    try {
      const { version, sealed } = await this.write(run, domain, generation, next, holder);
      this.prime(run, domain, sealed, next);
      return { installId: generation.installId, version, tokens: openedFrom(next, ['accessToken', ...open]) as OpenedTokens<A | 'accessToken', 'accessToken'> };
    } catch (error) {
      // Another worker's write won after this lease lapsed, or the shop was uninstalled: re-read.
      if (error instanceof ConflictError) return undefined;
      throw error;
    }
  }

  /** One conditional UpdateItem of the token set at version + 1, ending the lease; under a lease, only while it is `holder`'s. */
  private async write(
    run: OperationRun,
    domain: string,
    read: TokenGeneration,
    tokens: ShopTokens,
    holder?: string,
    profile: Readonly<Record<string, unknown>> = {},
  ): Promise<{ version: number; sealed: SealedSet }> {
    const version = read.version + 1;
    const sealed = await this.seal(domain, tokens, version);
    const set = { ...profile, ...sealed.set };
    const remove = [...sealed.remove, ...LEASE_ATTRIBUTES];
    await this.update(
      run,
      domain,
      {
        UpdateExpression: `SET ${assignments(set)} REMOVE ${projection(...remove)}`,
        ConditionExpression: holder ? LIFECYCLE_CONDITIONS.refresh : TOKEN_CONDITIONS.replace,
        ExpressionAttributeNames: names(...Object.keys(set), ...remove, INSTALL_ID, TOKEN_VERSION, UNINSTALLED_AT),
        ExpressionAttributeValues: { ...assignedValues(set), ...generationValues(read), ...(holder && { ':holder': holder }) },
      },
      `token version ${read.version} of that install is no longer current (another refresh won, or the shop was uninstalled or re-installed); re-read the tokens`,
    );
    this.prime(run, domain, sealed, tokens);
    return { version, sealed };
  }

  /** Ends this worker's lease after a failed refresh; a lease another worker holds by now stays. */
  private async release(run: OperationRun, domain: string, holder: string): Promise<void> {
    try {
      await this.update(
        run,
        domain,
        {
          UpdateExpression: `REMOVE ${projection(...LEASE_ATTRIBUTES)}`,
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

  /** The item of an installed shop; NotFoundError when the shop is not installed. */
  private async installedItem(run: OperationRun, domain: string): Promise<StoredItem> {
    const item = await this.readItem(run, domain);
    if (!item || item[UNINSTALLED_AT] !== undefined || item[TOKEN_VERSION] === undefined) throw new NotFoundError(this.where(run, domain), 'no tokens: the shop is not installed');
    // Gives tokens stored before install generations their install id, on the item too.
    if (item[INSTALL_ID] === undefined) await this.generation(run, domain, item);
    return item;
  }

  /**
   * One consistent GetItem of the shop's whole item: its token set (every secret as ciphertext,
   * opened only when asked for), generation, install state, lease and profile. No projection:
   * DynamoDB charges a read by the whole item whatever it returns, and the item is small.
   */
  private async readItem(run: OperationRun, domain: string): Promise<StoredItem | undefined> {
    const { Item } = await this.send(run, domain, () =>
      this.doc.send(
        new GetCommand({
          TableName: this.table,
          Key: { [DOMAIN]: domain },
          // A write names the generation it read: it must be the latest.
          ConsistentRead: true,
          ...run.capacityRequest,
        }),
      ),
    );
    return Item;
  }

  /**
   * The generation of an installed item. Tokens stored before install generations existed have no
   * install id, and a write must name one: the first read gives them one, conditional on nothing
   * having changed since (of two readers one writes it, the other reads it back).
   */
  private async generation(run: OperationRun, domain: string, item: StoredItem): Promise<TokenGeneration> {
    const version = item[TOKEN_VERSION] as number;
    if (item[INSTALL_ID] !== undefined) return { installId: item[INSTALL_ID] as string, version };
    const installId = ulid();
    try {
      await this.update(
        run,
        domain,
        {
          UpdateExpression: `SET #${INSTALL_ID} = :installId`,
          ConditionExpression: LIFECYCLE_CONDITIONS.adopt,
          ExpressionAttributeNames: names(INSTALL_ID, TOKEN_VERSION, UNINSTALLED_AT),
          ExpressionAttributeValues: { ':installId': installId, ':expectedVersion': version },
        },
        this.changed(run, domain, 'the tokens changed while they were given an install id'),
      );
      item[INSTALL_ID] = installId;
      return { installId, version };
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      const again = await this.readItem(run, domain);
      if (!again || again[INSTALL_ID] === undefined || again[TOKEN_VERSION] !== version) throw error;
      item[INSTALL_ID] = again[INSTALL_ID];
      return { installId: again[INSTALL_ID] as string, version };
    }
  }

  /** What fresh returns: the tokens opened, with the access token among them. */
  private async freshResult<A extends SealedAttribute>(run: OperationRun, domain: string, item: StoredItem, served: readonly (A | 'accessToken')[]): Promise<StoredTokens<A | 'accessToken', 'accessToken'>> {
    return (await this.opened(run, domain, item, served)) as StoredTokens<A | 'accessToken', 'accessToken'>;
  }

  private async opened<A extends SealedAttribute>(run: OperationRun, domain: string, item: StoredItem, open: readonly A[]): Promise<StoredTokens<A>> {
    const tokens: Record<string, unknown> = clearFields(item);
    const now = this.now(run).getTime();
    for (const attribute of open) {
      if (item[attribute] === undefined) continue;
      // A value this process has is served at once: a warm read awaits nothing but its GetItem.
      const plaintext = this.cache.get(domain, attribute, item[attribute] as Uint8Array, now) ?? (await this.openAttribute(run, domain, item, attribute));
      tokens[attribute] = new Secret(plaintext);
    }
    return { tokens: tokens as OpenedTokens<A>, version: item[TOKEN_VERSION] as number, installId: item[INSTALL_ID] as string };
  }

  /** The plain text of a sealed attribute of `item`: from this process's cache when it holds that ciphertext, else one KMS Decrypt. */
  private async openAttribute(run: OperationRun, domain: string, item: StoredItem, attribute: SealedAttribute): Promise<string> {
    const ciphertext = item[attribute] as Uint8Array;
    const now = this.now(run).getTime();
    const cached = this.cache.get(domain, attribute, ciphertext, now);
    if (cached !== undefined) return cached;
    const plaintext = await this.crypto.open({ table: this.table, shop: domain, attribute }, ciphertext);
    const expiry = item[expiryOf(attribute)] as string | undefined;
    this.cache.set(domain, attribute, ciphertext, plaintext, now, expiry === undefined ? undefined : new Date(expiry));
    return plaintext;
  }

  private seal(domain: string, tokens: ShopTokens, version: number): Promise<SealedSet> {
    return sealTokens(this.crypto, this.table, domain, tokens, version);
  }

  /** Keeps what this process just sealed, so its next read costs no Decrypt; the shop's older values go. */
  private prime(run: OperationRun, domain: string, sealed: SealedSet, tokens: ShopTokens): void {
    this.cache.forget(domain);
    const now = this.now(run).getTime();
    for (const attribute of SEALED_ATTRIBUTES) {
      const ciphertext = sealed.set[attribute] as Uint8Array | undefined;
      if (ciphertext !== undefined) this.cache.set(domain, attribute, ciphertext, tokens[attribute]!, now, tokens[expiryOf(attribute)]);
    }
  }

  /** The checked options, with `served`: the secrets fresh returns, the access token first. */
  private freshSettings<A extends SealedAttribute>(run: OperationRun, options: FreshOptions<A>): CheckedFresh<A> {
    // A frozen options object cannot change: its checked settings are kept (the session storage's, on every load).
    const known = this.frozenSettings.get(options);
    if (known) return known as CheckedFresh<A>;
    const checked = this.checkFresh(run, options);
    if (typeof options === 'object' && options !== null && Object.isFrozen(options)) this.frozenSettings.set(options, checked);
    return checked;
  }

  private checkFresh<A extends SealedAttribute>(run: OperationRun, options: FreshOptions<A>): CheckedFresh<A> {
    const given = check.options(options, run.context, 'options', false, FRESH_OPTIONS);
    const settings = {} as FreshSettings;
    for (const name of FRESH_SETTINGS) {
      // An option given as undefined takes its default, as an absent one does.
      const value: unknown = given[name];
      const limits = FRESH_LIMITS[name];
      settings[name] = value === undefined ? limits.default : check.integerIn(value, run.context, `options.${name}`, limits.min, limits.max);
    }
    const open = given.open === undefined ? [] : this.openList(run, given.open, 'options.open');
    return { settings, open, served: [...new Set<A | 'accessToken'>(['accessToken', ...open])] };
  }

  private openList<A extends SealedAttribute>(run: OperationRun, open: readonly A[], field: string): readonly A[] {
    if (!Array.isArray(open) || open.some((name) => !SEALED_ATTRIBUTES.includes(name)) || new Set(open).size !== open.length) {
      throw new InvalidInputError(run.context, field, `must list sealed attributes (${SEALED_ATTRIBUTES.join(', ')}), each once`);
    }
    return open;
  }

  /** The rules a token set is checked by now. */
  private rules(run: OperationRun, grant: boolean) {
    return { now: this.now(run), nonExpiringUntil: this.nonExpiringUntil, grant };
  }

  /** @internal A grant's or an event's time given to an operation of the shops client; now when not given. */
  eventTimeIn(run: OperationRun, value: unknown, field: string): Date {
    return value === undefined ? this.now(run) : this.eventTime(run, value, field);
  }

  /**
   * A grant's or an event's time: a valid Date from 2000 on and no later than the clock allows
   * (now plus the skew). A time far ahead would order every later event before it for good.
   */
  private eventTime(run: OperationRun, value: unknown, field: string): Date {
    const latest = new Date(this.now(run).getTime() + GRANT_SKEW_MS);
    if (!check.isDateIn(value, FIRST_EVENT, latest)) {
      throw new InvalidInputError(run.context, field, `must be a valid Date from ${FIRST_EVENT.toISOString()} to now (${GRANT_SKEW_MS / 1000} s ahead at most, for clocks apart): the time it happened`);
    }
    return value;
  }

  /** The clock, checked: a clock that returns an invalid Date would write garbage times. */
  private now(run: OperationRun): Date {
    const now: unknown = this.clock();
    if (!check.isDateIn(now, FIRST_EVENT, check.LAST_DATE)) throw new DataClientError(run.context, 'the client\'s now() did not return a valid Date of the years 2000 to 9999: pass a clock that returns the current time');
    return now;
  }

  private domain(run: OperationRun, shop: unknown): string {
    return canonicalShopDomain(shop, run.context, 'domain');
  }

  private sessionContext(shop: string, session: string) {
    return { table: this.table, shop, attribute: 'accessToken', session };
  }

  /** One conditional UpdateItem of a shop's item; a failed condition becomes `onConditionFailed`. */
  private update(run: OperationRun, domain: string, input: Omit<UpdateCommandInput, 'TableName' | 'Key'>, onConditionFailed?: Parameters<OperationRun['send']>[1]) {
    return this.send(run, domain, () => this.doc.send(new UpdateCommand({ TableName: this.table, Key: { [DOMAIN]: domain }, ...input, ...run.capacityRequest })), onConditionFailed);
  }

  private send<T>(run: OperationRun, domain: string, request: () => Promise<T>, onConditionFailed?: Parameters<OperationRun['send']>[1]): Promise<T> {
    return run.send(request, onConditionFailed, this.where(run, domain));
  }

  private observed<T>(operation: string, shop: unknown, body: (run: OperationRun) => Promise<T>): Promise<T> {
    return runOperation(this.observe, shopOperation(this.table, operation, shop), body);
  }

  /** What a failed condition means when the item changed since it was read. */
  private changed(run: OperationRun, domain: string, reason: string) {
    return () => new ChangedSinceRead(this.where(run, domain), reason);
  }

  private where(run: OperationRun, domain: string): OperationContext {
    return { table: this.table, operation: run.context.operation, key: { [DOMAIN]: domain } };
  }
}

/** A write's condition failed because the item changed since it was read: the caller reads again and decides again. */
class ChangedSinceRead extends ConflictError {}

function checkGeneration(where: OperationContext, read: TokenGeneration): void {
  const value = read as unknown;
  if (typeof value !== 'object' || value === null || typeof read.installId !== 'string' || read.installId.length === 0) {
    throw new InvalidInputError(where, 'read', 'must be what tokens.read returned ({ installId, version }): a version alone cannot tell one install from the next');
  }
  if (!Number.isSafeInteger(read.version) || read.version < 1) throw new InvalidInputError(where, 'read.version', 'must be the whole version read, 1 or more');
}

function generationValues(generation: TokenGeneration): Record<string, unknown> {
  return { ':installId': generation.installId, ':expectedVersion': generation.version };
}

/** `#name = :new_name` for each attribute set: the values' own prefix keeps them apart from the condition's (`:installId`). */
function assignments(set: Readonly<Record<string, unknown>>): string {
  return Object.keys(set).map((name) => `#${name} = :new_${name}`).join(', ');
}

function assignedValues(set: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(set).map(([name, value]) => [`:new_${name}`, value]));
}

/** Runs `body` with a signal that aborts after `ms`, and gives up on it then, whether it listens or not. */
async function withTimeout<T>(ms: number, body: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = Object.assign(new Error(`did not answer within ${ms} ms`), { name: 'TimeoutError' });
      controller.abort(error);
      reject(error);
    }, ms);
  });
  try {
    return await Promise.race([body(controller.signal), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
