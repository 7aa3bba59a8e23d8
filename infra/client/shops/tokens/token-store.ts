import * as check from '../../core/validate';
import { StoreContext } from './context';
import { fresh } from './fresh';
import { grant } from './grant';
import { invalidate } from './invalidate';
import { openSession, sealSession } from './online';
import type { Secret } from './secret';
import { SEALED_ATTRIBUTES, checkTokens, type SealedAttribute, type ShopTokens, type StoredTokens, type TokenGeneration } from './token-set';
import type { FreshOptions, GrantOutcome, InvalidateOutcome, RefreshTokens, TokenStoreOptions, UninstallOutcome } from './types';
import { uninstall } from './uninstall';
import { checkGeneration, writeTokens } from './writes';

/**
 * The one way to read and write a shop's tokens. Secrets are sealed before they leave this object
 * and opened only when asked for (the values this process opened or sealed lately are kept, so a
 * warm read costs no KMS request); every write is one conditional request that names the install
 * generation it follows, so nothing read from an earlier install is ever written back. Each
 * operation is a file of this folder; this class checks the caller's input and names them.
 */
export class TokenStore {
  /** @internal What the operations share; the shops client runs its grants and uninstalls with it. */
  readonly context: StoreContext;
  /** Physical name of the Shops table. */
  readonly table: string;

  constructor(options: TokenStoreOptions) {
    this.context = new StoreContext(options);
    this.table = options.table;
  }

  /**
   * Stores a grant Shopify just gave (OAuth, token exchange) for a shop, `at` the time it was
   * obtained (now by default), deciding from the stored item what it is: the first grant of a shop
   * (`installed`), a grant after its uninstall (`reinstalled`; one within `GRANT_SKEW_MS` of
   * the uninstall is `StaleGrantError`: Shopify revoked it), a new grant of an installed shop
   * (`regranted`: a new generation, the profile kept; one older than the stored grant by more than
   * the skew is a late callback, ConflictError), the stored grant again (`updated` when a field
   * differs, `unchanged` when none does: no write). One consistent GetItem (and a KMS Decrypt of
   * the stored access token when this process has not opened it), then one conditional write;
   * another writer in between makes it read and decide again.
   */
  grant(shop: string, tokens: ShopTokens, options: { readonly at?: Date } = {}): Promise<GrantOutcome> {
    const ctx = this.context;
    return ctx.observed('tokens.grant', shop, (run) => {
      const domain = ctx.domain(run, shop);
      const given = check.options(options, run.context, 'options', false, ['at']);
      return grant(ctx, run, domain, tokens, ctx.eventTimeOrNow(run, given.at, 'options.at'));
    });
  }

  /**
   * Reads a shop's tokens and opens the secrets named in `open` (all by default): one consistent
   * GetItem, and one KMS Decrypt per secret opened that this process has not opened lately. Each
   * secret is a {@link Secret}; one the shop does not hold is absent. NotFoundError when the shop
   * is not installed.
   */
  read<A extends SealedAttribute = SealedAttribute>(shop: string, open?: readonly A[]): Promise<StoredTokens<A>> {
    const ctx = this.context;
    return ctx.observed('tokens.read', shop, async (run) => {
      const domain = ctx.domain(run, shop);
      const opened = ctx.openList(run, open ?? (SEALED_ATTRIBUTES as readonly A[]), 'open');
      return ctx.opened(run, domain, await ctx.installedItem(run, domain), opened);
    });
  }

  /**
   * Replaces the tokens of the generation read (`read`: what `tokens.read` returned) after a
   * refresh done by hand; also ends any refresh lease. Of two concurrent refreshes one wins; the
   * other, and a refresh of tokens read before an uninstall or re-install, gets a ConflictError
   * and should re-read. Resolves to the new version.
   */
  replace(shop: string, read: TokenGeneration, tokens: ShopTokens): Promise<number> {
    const ctx = this.context;
    return ctx.observed('tokens.replace', shop, async (run) => {
      const domain = ctx.domain(run, shop);
      checkGeneration(run.context, read);
      checkTokens(run.context, tokens, ctx.rules(run, false));
      return (await writeTokens(ctx, run, domain, read, tokens)).version;
    });
  }

  /**
   * A usable access token: reads the tokens (one consistent GetItem; a KMS Decrypt of the access
   * token unless this process opened it lately) and returns them unless the access token expires
   * within `marginMs` or the shop holds none. Then it takes the shop's refresh lease (one
   * conditional UpdateItem), opens the refresh token, calls `refresh` (the app's call to Shopify;
   * given up after `leaseMs`), checks that what it returns lasts past the margin, stores it under
   * the lease and returns it. A caller that finds the lease taken waits `pollMs` and re-reads, up
   * to `maxWaitMs` (`RefreshBusyError`). When `refresh` fails, the lease is released and a
   * `RefreshFailedError` carries the app's error. A non-expiring token is returned as it is
   * until the cut-over. NotFoundError when the shop is not installed; `NoTokenError` when it
   * holds no token that works and no refresh token to get one.
   */
  fresh<A extends SealedAttribute = 'accessToken'>(shop: string, refresh: RefreshTokens, options: FreshOptions<A> = {}): Promise<StoredTokens<A | 'accessToken', 'accessToken'>> {
    const ctx = this.context;
    return ctx.observed('tokens.fresh', shop, (run) => fresh(ctx, run, ctx.domain(run, shop), refresh, options));
  }

  /**
   * Drops the shop's access token (and with `discardRefresh` its refresh token too) while it stays
   * installed: for an access token Shopify refused (a 401), or an offline session the app deleted.
   * The shop is not marked uninstalled and redaction does not start. Given `generation` (what was
   * read when the token was served), a newer generation stored since is left alone. NotFoundError
   * when the shop is not installed.
   */
  invalidate(shop: string, options: { readonly generation?: TokenGeneration; readonly discardRefresh?: boolean } = {}): Promise<InvalidateOutcome> {
    const ctx = this.context;
    return ctx.observed('tokens.invalidate', shop, (run) => {
      const domain = ctx.domain(run, shop);
      const given = check.options(options, run.context, 'options', false, ['generation', 'discardRefresh']);
      if (given.generation !== undefined) checkGeneration(run.context, given.generation);
      const discardRefresh = given.discardRefresh === undefined ? false : check.boolean(given.discardRefresh, run.context, 'options.discardRefresh');
      return invalidate(ctx, run, domain, given.generation, discardRefresh);
    });
  }

  /**
   * Uninstalls a shop for the `app/uninstalled` webhook: sets `uninstalledAt` to the webhook's
   * event time and removes the token set and any lease, in one UpdateItem, only when the shop is
   * installed and its grant was stored no later than `GRANT_SKEW_MS` after `eventAt`. A
   * repeated event, or one older than the current install (a redelivery after a re-install),
   * changes nothing and says which. An event time later than the clock allows is refused.
   * NotFoundError for an unknown shop.
   */
  remove(shop: string, eventAt: Date): Promise<UninstallOutcome> {
    const ctx = this.context;
    return ctx.observed('shops.uninstall', shop, (run) => uninstall(ctx, run, ctx.domain(run, shop), ctx.eventTime(run, eventAt, 'eventAt')));
  }

  /**
   * Seals an online session's access token (a user's, up to 24 hours) for the shop and that
   * session: its own encryption context, so it opens for no other session, shop or attribute.
   */
  sealSession(shop: string, sessionId: string, accessToken: string, expiresAt?: Date): Promise<Uint8Array> {
    const ctx = this.context;
    return ctx.observed('tokens.sealSession', shop, (run) => sealSession(ctx, run, ctx.domain(run, shop), sessionId, accessToken, expiresAt));
  }

  /** Opens what {@link TokenStore.sealSession} sealed for that shop and session: no KMS request when this process sealed or opened it lately. */
  openSession(shop: string, sessionId: string, ciphertext: Uint8Array, expiresAt?: Date): Promise<Secret> {
    const ctx = this.context;
    return ctx.observed('tokens.openSession', shop, (run) => openSession(ctx, run, ctx.domain(run, shop), sessionId, ciphertext, expiresAt));
  }
}
