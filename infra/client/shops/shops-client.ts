import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ConflictError, NotFoundError, type OperationContext } from '../core/errors';
import { runOperation, shopOperation, type OperationObserver, type OperationRun } from '../core/observe';
import { canonicalShopDomain } from '../core/shop-domain';
import * as check from '../core/validate';
import { PROFILE_CONDITIONS, PROFILE_FIELDS, READABLE_ATTRIBUTES, checkProfile, shopOf, type ProfileUpdateOptions, type Shop, type ShopProfile, type ShopProfileChanges } from './profile';
import { GRANT_SKEW_MS } from './tokens/conditions';
import { grant } from './tokens/grant';
import type { TokenStore } from './tokens/token-store';
import { DOMAIN, INSTALLED_AT, INSTALL_ID, UNINSTALLED_AT, names, projection, type ShopTokens } from './tokens/token-set';
import type { UninstallOutcome } from './tokens/types';
import { uninstall } from './tokens/uninstall';

/** What the shops client needs. */
export interface ShopsClientOptions {
  readonly doc: DynamoDBDocumentClient;
  /** The token store over the same Shops table: every token write goes through it. */
  readonly tokens: TokenStore;
  /** Receives one event per call. */
  readonly observe?: OperationObserver;
}

/**
 * Shops: get, install, update and uninstall. Tokens are written through the token store and read
 * only from it, so a shop read here carries no secret, not even as ciphertext.
 */
export class ShopsClient {
  private readonly doc: DynamoDBDocumentClient;
  private readonly tokens: TokenStore;
  private readonly observe: OperationObserver | undefined;

  constructor(options: ShopsClientOptions) {
    this.doc = options.doc;
    this.tokens = options.tokens;
    this.observe = options.observe;
  }

  /** The shop, or undefined when it never installed (an uninstalled shop has `uninstalledAt`). */
  get(domain: string): Promise<Shop | undefined> {
    return this.observed('shops.get', domain, async (run) => {
      const shop = canonicalShopDomain(domain, run.context, 'domain');
      const { Item } = await run.send(
        () =>
          this.doc.send(
            new GetCommand({
              TableName: this.tokens.table,
              Key: { [DOMAIN]: shop },
              ProjectionExpression: projection(...READABLE_ATTRIBUTES),
              ExpressionAttributeNames: names(...READABLE_ATTRIBUTES),
              ...run.capacityRequest,
            }),
          ),
        undefined,
        this.where(run, shop),
      );
      return Item && shopOf(Item);
    });
  }

  /**
   * Installs a shop after OAuth with its profile, `at` the time of the grant (now by default):
   * the token store's grant (see {@link TokenStore.grant}) with the profile written in the same
   * request. The same grant stored again (a repeated callback) changes nothing but a profile
   * field that differs; a grant older than the stored one is a ConflictError; a grant from before
   * the shop's uninstall is a StaleGrantError. A profile field that is not one of
   * {@link ShopProfile}'s is refused before any request. Resolves to the install id.
   */
  install(profile: ShopProfile, tokens: ShopTokens, at?: Date): Promise<string> {
    return this.observed('shops.install', (profile as ShopProfile | undefined)?.domain, async (run) => {
      const given = check.options(profile, run.context, 'profile', true);
      const domain = canonicalShopDomain(given.domain, run.context, 'profile.domain');
      const { domain: _, ...fields } = given;
      const checked = checkProfile(this.where(run, domain), fields, true);
      const ctx = this.tokens.context;
      return (await grant(ctx, run, domain, tokens, ctx.eventTimeOrNow(run, at, 'at'), checked)).installId;
    });
  }

  /**
   * Changes a shop's profile (plan, billing status, settings, name) after install: one
   * conditional UpdateItem, refused for a shop that is not installed (NotFoundError) or, given
   * `installId` or `eventAt`, installed again since (ConflictError). Resolves to the shop as stored.
   */
  update(domain: string, changes: ShopProfileChanges, options: ProfileUpdateOptions = {}): Promise<Shop> {
    return this.observed('shops.update', domain, async (run) => {
      const shop = canonicalShopDomain(domain, run.context, 'domain');
      const where = this.where(run, shop);
      const set = checkProfile(where, check.options(changes, run.context, 'changes', true), false);
      if (Object.keys(set).length === 0) check.refuse(where, 'changes', `must change at least one of ${PROFILE_FIELDS.join(', ')}`);
      const given = check.options(options, run.context, 'options', false, ['installId', 'eventAt']);
      const installId = given.installId === undefined ? undefined : check.matching(given.installId, /^[0-9A-HJKMNP-TV-Z]{26}$/, run.context, 'options.installId', 'the install id shops.get returned (a ULID)');
      const eventAt = given.eventAt === undefined ? undefined : this.tokens.context.eventTime(run, given.eventAt, 'options.eventAt');
      const conditions = [PROFILE_CONDITIONS.installed, ...(installId ? [PROFILE_CONDITIONS.ofInstall] : []), ...(eventAt ? [PROFILE_CONDITIONS.ofEvent] : [])];
      try {
        const { Attributes } = await run.send(
          () =>
            this.doc.send(
              new UpdateCommand({
                TableName: this.tokens.table,
                Key: { [DOMAIN]: shop },
                UpdateExpression: `SET ${Object.keys(set).map((name) => `#${name} = :${name}`).join(', ')}`,
                ConditionExpression: conditions.join(' AND '),
                ExpressionAttributeNames: names(...Object.keys(set), DOMAIN, UNINSTALLED_AT, ...(installId ? [INSTALL_ID] : []), ...(eventAt ? [INSTALLED_AT] : [])),
                ExpressionAttributeValues: {
                  ...Object.fromEntries(Object.entries(set).map(([name, value]) => [`:${name}`, value])),
                  ...(installId && { ':installId': installId }),
                  ...(eventAt && { ':grantedBy': new Date(eventAt.getTime() + GRANT_SKEW_MS).toISOString() }),
                },
                ReturnValues: 'ALL_NEW',
                ...run.capacityRequest,
              }),
            ),
          'the condition failed',
          where,
        );
        return shopOf(Attributes!);
      } catch (error) {
        if (!(error instanceof ConflictError)) throw error;
      }
      // The condition failed: one consistent read says why (dynalite returns no old item on failure).
      const { Item } = await run.send(
        () => this.doc.send(new GetCommand({ TableName: this.tokens.table, Key: { [DOMAIN]: shop }, ConsistentRead: true, ProjectionExpression: projection(DOMAIN, UNINSTALLED_AT), ExpressionAttributeNames: names(DOMAIN, UNINSTALLED_AT), ...run.capacityRequest })),
        undefined,
        where,
      );
      if (!Item || Item[UNINSTALLED_AT] !== undefined) throw new NotFoundError(where, 'the shop is not installed; nothing was changed');
      throw new ConflictError(where, 'the shop was installed again since that install or event; re-read it with shops.get; nothing was changed');
    });
  }

  /**
   * The `app/uninstalled` webhook: marks the shop uninstalled at the webhook's event time
   * (`X-Shopify-Triggered-At`) and removes its tokens in the same write (see
   * {@link TokenStore.remove}). A redelivered event, or one from before a re-install, changes
   * nothing and resolves to what it found. NotFoundError for an unknown shop.
   */
  uninstall(domain: string, eventAt: Date): Promise<UninstallOutcome> {
    return this.observed('shops.uninstall', domain, (run) => uninstall(this.tokens.context, run, canonicalShopDomain(domain, run.context, 'domain'), this.tokens.context.eventTime(run, eventAt, 'eventAt')));
  }

  private observed<T>(operation: string, domain: unknown, body: (run: OperationRun) => Promise<T>): Promise<T> {
    return runOperation(this.observe, shopOperation(this.tokens.table, operation, domain), body);
  }

  private where(run: OperationRun, domain: string): OperationContext {
    return { table: this.tokens.table, operation: run.context.operation, key: { [DOMAIN]: domain } };
  }
}

