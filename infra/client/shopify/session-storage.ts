// One file: the five calls of Shopify's SessionStorage and the webhook helpers share one rule: an offline session's tokens live only in the Shops table, an online session's only sealed.
import type { Session } from '@shopify/shopify-api';
import type { SessionStorage } from '@shopify/shopify-app-session-storage';
import { DataClientError, NoTokenError, NotFoundError, RefreshFailedError, StaleGrantError, type OperationContext } from '../core/errors';
import type { DataClientWithShops } from '../index';
import type { RedactionCounts } from '../redact';
import { canonicalShopDomain } from '../core/shop-domain';
import { Secret, type RefreshTokens, type TokenGeneration, type UninstallOutcome } from '../shops';
import { SEALED_TOKEN_PREFIX, copySession, holdsPlaintext, offlineSession, offlineSessionId, shopOfOfflineId, tokensOf, withoutTokens } from './sessions';
import * as check from '../core/validate';

/**
 * Shopify's library refreshes an offline token itself when it loads one due within 5 minutes
 * (`ensureOfflineTokenIsNotExpired`), and exchanges a new one when a session is not active within
 * that. A load serves a token good for longer than this, so neither ever runs beside the lease.
 */
export const LIBRARY_REFRESH_MARGIN_MS = 5 * 60_000;

/** How much longer than the library's margin a served token lasts: the request's own time, and clocks a little apart. */
const SERVED_MARGIN_MS = LIBRARY_REFRESH_MARGIN_MS + 60_000;

/** The app's refresh through Shopify's library: `({ shop, refreshToken }) => shopify.api.auth.refreshToken({ shop, refreshToken })`. */
export type RefreshSession = (args: { readonly shop: string; readonly refreshToken: string; readonly signal: AbortSignal }) => Promise<{ readonly session: Session } | Session>;

/** What {@link sealedSessionStorage} wraps and with what. */
export interface SealedSessionStorageOptions {
  /**
   * The app's own session storage (Shopify's Prisma, SQLite, memory, ...): it keeps every field of
   * a session but its tokens. Offline sessions keep no token there; online ones keep it sealed.
   */
  readonly inner: SessionStorage;
  /** The data client with shops (`createDataClient({ ..., tokenCrypto })`): the Shops table holds every offline token, sealed. */
  readonly data: DataClientWithShops;
  /**
   * The call to Shopify's token endpoint with a refresh token, run under the shop's refresh lease:
   * `({ shop, refreshToken }) => shopify.api.auth.refreshToken({ shop, refreshToken })`.
   */
  readonly refresh: RefreshSession;
  /** How long a caller waits for another worker's refresh, in milliseconds (as `tokens.fresh`'s `maxWaitMs`); default 40 s. */
  readonly maxWaitMs?: number;
}

/** What the `app/uninstalled` helper did: the uninstall's outcome, and the sessions it deleted. */
export interface UninstalledResult {
  /** What `shops.uninstall` found; `unknown-shop` when the shop has no item (redacted already, or never installed). */
  readonly outcome: UninstallOutcome | 'unknown-shop';
  /** Sessions of the shop deleted from the app's storage: all of them, unless the event predates the current install. */
  readonly sessionsDeleted: number;
}

/** Items deleted per table by redaction, and the shop's sessions deleted from the app's storage. */
export type SessionRedactionCounts = RedactionCounts & { readonly Sessions: number };

/**
 * A Shopify `SessionStorage` that keeps no token in plain text at rest (see {@link sealedSessionStorage}),
 * with the helpers the app's `app/uninstalled` and `shop/redact` webhooks call.
 */
export interface SealedSessionStorage extends SessionStorage {
  /**
   * The `app/uninstalled` webhook: `shops.uninstall(shop, eventAt)` (the event time decides, as
   * there), then every session of the shop is deleted from the app's storage, unless the event
   * predates the current install (a redelivery after a re-install), whose sessions stay.
   */
  uninstalled(shop: string, eventAt: Date): Promise<UninstalledResult>;
  /**
   * The `shop/redact` webhook: `redactShop(shop)` (ShopInstalledError, and nothing deleted, when
   * the shop is installed), then every session of the shop is deleted from the app's storage:
   * online sessions carry a user's name and email.
   */
  redactShop(shop: string): Promise<SessionRedactionCounts>;
  /**
   * Moves a session that still holds a token in plain text (every row from before this storage)
   * into sealed form: an offline session's tokens into the Shops table and the row blanked, an
   * online session's token sealed in place. Idempotent; `loadSession` does it on first load too.
   * Resolves to true when the row held plain text.
   */
  seal(id: string): Promise<boolean>;
  /** True when the app's storage holds the session with a token in plain text. */
  holdsPlaintext(id: string): Promise<boolean>;
}

/** Shopify's storage is read at most this many sessions a call (Prisma's findSessionsByShop takes 25). */
const MAX_DELETE_ROUNDS = 10_000;

/**
 * Wraps the app's session storage so that no token is kept in plain text at rest:
 *
 * - an offline session's tokens are stored only in the Shops table, sealed, through the token
 *   store's grant (a new grant is a new generation, the same grant again changes nothing); the
 *   app's storage keeps the session's other fields. A session stored without an access token
 *   (Shopify's library does so after a 401) drops the shop's access token but leaves it installed;
 * - `loadSession` of an offline session reads the Shops item every time (an uninstall elsewhere is
 *   seen at once) and serves a token good for more than the library's 5-minute margin, refreshing
 *   it first under the shop's lease, so the library never refreshes on its own;
 * - an online session's access token is sealed for that shop and session and kept sealed in the
 *   app's storage;
 * - a row that still holds a plain-text token is sealed on its first load.
 */
export function sealedSessionStorage(options: SealedSessionStorageOptions): SealedSessionStorage {
  return new SealedStorage(options);
}

class SealedStorage implements SealedSessionStorage {
  private readonly inner: SessionStorage;
  private readonly data: DataClientWithShops;
  private readonly refresh: RefreshSession;
  /** What `loadSession` asks `tokens.fresh` for: a token past the library's margin, and the refresh token the session carries. */
  private readonly freshOptions: Readonly<{ marginMs: number; open: ['refreshToken']; maxWaitMs?: number }>;
  /** The generation each offline session this storage served or stored was read at: a 401 then invalidates only that one. */
  private readonly served = new WeakMap<Session, TokenGeneration>();

  constructor(options: SealedSessionStorageOptions) {
    const where = { table: 'sessions', operation: 'sealedSessionStorage', key: {} };
    if (typeof options !== 'object' || options === null) check.refuse(where, 'options', 'must be { inner, data, refresh }');
    const methods = ['storeSession', 'loadSession', 'deleteSession', 'deleteSessions', 'findSessionsByShop'] as const;
    if (methods.some((method) => typeof (options.inner as Partial<SessionStorage> | undefined)?.[method] !== 'function')) {
      check.refuse(where, 'inner', `must be a Shopify SessionStorage (${methods.join(', ')})`);
    }
    if (typeof options.data?.tokens?.fresh !== 'function' || typeof options.data?.shops?.uninstall !== 'function') {
      check.refuse(where, 'data', 'must be the data client with shops: createDataClient({ tables, tokenCrypto })');
    }
    if (typeof options.refresh !== 'function') check.refuse(where, 'refresh', 'must be a function: ({ shop, refreshToken }) => shopify.api.auth.refreshToken({ shop, refreshToken })');
    this.inner = options.inner;
    this.data = options.data;
    this.refresh = options.refresh;
    // Frozen: the token store checks a frozen options object once.
    this.freshOptions = Object.freeze({ marginMs: SERVED_MARGIN_MS, open: ['refreshToken'] as ['refreshToken'], ...(options.maxWaitMs !== undefined && { maxWaitMs: options.maxWaitMs }) });
  }

  async storeSession(session: Session): Promise<boolean> {
    const where = this.where('storeSession');
    const shop = this.shopOf(session, 'storeSession');
    if (session.isOnline) {
      const token = typeof session.accessToken === 'string' && session.accessToken !== '' ? session.accessToken : undefined;
      const sealed = token === undefined ? undefined : await this.sealOnline(shop, session, token);
      return this.inner.storeSession(copySession(session, { accessToken: sealed }));
    }
    if (session.id !== offlineSessionId(session.shop)) check.refuse(where, 'session.id', 'of an offline session must be "offline_<shop>", as Shopify\'s library makes it');
    const tokens = tokensOf(session, where);
    if (tokens.accessToken !== undefined) {
      const granted = await this.data.tokens.grant(shop, tokens);
      this.served.set(session, granted);
    } else {
      // Stored without an access token: Shopify refused it (a 401). The shop stays installed.
      const generation = this.served.get(session);
      await this.data.tokens.invalidate(shop, generation ? { generation } : {}).catch(ignoreNotInstalled);
    }
    return this.inner.storeSession(withoutTokens(session));
  }

  async loadSession(id: string): Promise<Session | undefined> {
    const stored = await this.inner.loadSession(id);
    return stored && this.opened(stored);
  }

  async deleteSession(id: string): Promise<boolean> {
    await this.discardOffline([id]);
    return this.inner.deleteSession(id);
  }

  async deleteSessions(ids: string[]): Promise<boolean> {
    if (!Array.isArray(ids)) check.refuse({ ...this.where('deleteSessions') }, 'ids', 'must be a list of session ids');
    await this.discardOffline(ids);
    return this.inner.deleteSessions(ids);
  }

  async findSessionsByShop(shop: string): Promise<Session[]> {
    const sessions = await Promise.all((await this.inner.findSessionsByShop(shop)).map((stored) => this.opened(stored)));
    return sessions.filter((session): session is Session => session !== undefined);
  }

  async uninstalled(shop: string, eventAt: Date): Promise<UninstalledResult> {
    const outcome = await this.data.shops.uninstall(shop, eventAt).catch((error: unknown) => {
      if (error instanceof NotFoundError) return 'unknown-shop' as const;
      throw error;
    });
    if (outcome === 'older-than-install') return { outcome, sessionsDeleted: 0 };
    return { outcome, sessionsDeleted: await this.deleteAll(canonicalShopDomain(shop, this.where('uninstalled'))) };
  }

  async redactShop(shop: string): Promise<SessionRedactionCounts> {
    const counts = await this.data.redactShop(shop);
    return { ...counts, Sessions: await this.deleteAll(canonicalShopDomain(shop, this.where('redactShop'))) };
  }

  async seal(id: string): Promise<boolean> {
    const stored = await this.inner.loadSession(id);
    if (!stored || !holdsPlaintext(stored)) return false;
    await this.sealStored(stored);
    return true;
  }

  async holdsPlaintext(id: string): Promise<boolean> {
    const stored = await this.inner.loadSession(id);
    return stored !== undefined && holdsPlaintext(stored);
  }

  /** A stored session as the library gets it: tokens from the Shops table (offline) or opened (online). */
  private async opened(stored: Session): Promise<Session | undefined> {
    const shop = this.shopOf(stored, 'loadSession');
    if (holdsPlaintext(stored)) stored = await this.sealStored(stored);
    if (stored.isOnline) return this.openOnline(shop, stored);
    try {
      const { tokens, installId, version } = await this.data.tokens.fresh(shop, this.refreshOf(shop), this.freshOptions);
      const session = offlineSession(stored, tokens);
      this.served.set(session, { installId, version });
      return session;
    } catch (error) {
      // Not installed: no session. Installed without a usable token: a session without one, which
      // the library answers with a token exchange (a new grant, stored through storeSession).
      if (error instanceof NotFoundError) return undefined;
      if (error instanceof NoTokenError) return offlineSession(stored, undefined);
      // Shopify refused the refresh: the token as stored, without the refresh token, so the
      // library exchanges a new grant rather than present the refresh token itself.
      if (error instanceof RefreshFailedError) return offlineSession(stored, (await this.data.tokens.read(shop, ['accessToken']).catch(() => undefined))?.tokens);
      throw error;
    }
  }

  /** Seals what a row from before this storage holds in plain text; returns the row as it is now stored. */
  private async sealStored(stored: Session): Promise<Session> {
    const where = this.where('seal');
    const shop = this.shopOf(stored, 'seal');
    if (stored.isOnline) {
      const sealed = copySession(stored, { accessToken: await this.sealOnline(shop, stored, stored.accessToken!) });
      await this.inner.storeSession(sealed);
      return sealed;
    }
    const tokens = tokensOf(stored, where);
    // The row's grant is what Shopify's library used so far: stored as a grant (the same one again
    // changes nothing), unless the shop was uninstalled since, which revoked it.
    if (tokens.accessToken !== undefined && (await this.data.shops.get(shop))?.uninstalledAt === undefined) {
      await this.data.tokens.grant(shop, tokens).catch(ignoreStale);
    }
    const blank = withoutTokens(stored);
    await this.inner.storeSession(blank);
    return blank;
  }

  private async openOnline(shop: string, stored: Session): Promise<Session> {
    const token = stored.accessToken;
    if (typeof token !== 'string' || !token.startsWith(SEALED_TOKEN_PREFIX)) return copySession(stored);
    const ciphertext = Buffer.from(token.slice(SEALED_TOKEN_PREFIX.length), 'base64');
    const opened = await this.data.tokens.openSession(shop, stored.id, ciphertext, stored.expires ?? undefined);
    return copySession(stored, { accessToken: opened.reveal() });
  }

  private async sealOnline(shop: string, session: Session, token: string): Promise<string> {
    const ciphertext = await this.data.tokens.sealSession(shop, session.id, token, session.expires ?? undefined);
    return `${SEALED_TOKEN_PREFIX}${Buffer.from(ciphertext).toString('base64')}`;
  }

  /** The refresh the token store runs under the lease: Shopify's, through the app's function. */
  private refreshOf(shop: string): RefreshTokens {
    return async (refreshToken: Secret, { signal }) => {
      const answer = await this.refresh({ shop, refreshToken: refreshToken.reveal(), signal });
      const session = 'session' in answer && typeof answer.session === 'object' ? answer.session : (answer as Session);
      return tokensOf(session, this.where('refresh'));
    };
  }

  /** Deleting an offline session drops the shop's tokens (it stays installed): nothing else would remove them. */
  private async discardOffline(ids: readonly string[]): Promise<void> {
    const where = this.where('deleteSession');
    for (const id of ids) {
      if (typeof id !== 'string') check.refuse(where, 'id', 'must be a session id');
      const shop = shopOfOfflineId(id);
      if (shop === undefined) continue;
      const domain = canonicalShopDomain(shop, where, 'id');
      await this.data.tokens.invalidate(domain, { discardRefresh: true }).catch(ignoreNotInstalled);
    }
  }

  /** Deletes every session of `shop` from the app's storage, however many it hands out per call. */
  private async deleteAll(shop: string): Promise<number> {
    let deleted = 0;
    for (let round = 0; round < MAX_DELETE_ROUNDS; round += 1) {
      const ids = (await this.inner.findSessionsByShop(shop)).map((session) => session.id);
      if (ids.length === 0) return deleted;
      await this.inner.deleteSessions(ids);
      deleted += ids.length;
    }
    throw new DataClientError({ ...this.where('deleteSessions'), key: { domain: shop } }, `the app's session storage still lists sessions of the shop after ${MAX_DELETE_ROUNDS} rounds of deletes`);
  }

  private shopOf(session: Session, operation: string): string {
    if (typeof session !== 'object' || session === null || typeof session.id !== 'string' || session.id.length === 0) {
      check.refuse(this.where(operation), 'session', 'must be a Session of @shopify/shopify-api with an id');
    }
    return canonicalShopDomain(session.shop, this.where(operation), 'session.shop');
  }

  private where(operation: string): Omit<OperationContext, 'key'> & { key: Record<string, never> } {
    return { table: this.data.tables.Shops, operation: `sessionStorage.${operation}`, key: {} };
  }
}

function ignoreNotInstalled(error: unknown): undefined {
  if (error instanceof NotFoundError) return undefined;
  throw error;
}

function ignoreStale(error: unknown): undefined {
  if (error instanceof StaleGrantError) return undefined;
  throw error;
}
