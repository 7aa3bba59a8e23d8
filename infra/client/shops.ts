import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { tableSchema } from '../data/schemas';
import { ConflictError, InvalidInputError, NotFoundError, type OperationContext } from './errors';
import { runOperation, shopOperation, type OperationObserver, type OperationRun } from './observe';
import { canonicalShopDomain } from './shop-domain';
import { GRANT_SKEW_MS, type GrantOutcome, type TokenStore, type UninstallOutcome } from './token-store';
import { INSTALLED_AT, INSTALL_ID, LEASE_ATTRIBUTES, SEALED_ATTRIBUTES, UNINSTALLED_AT, names, projection, scopeList, storedScope, type ShopTokens } from './token-set';
import * as check from './validate';

const SHOPS = tableSchema('Shops');
const DOMAIN = SHOPS.partitionKey.name;

/** Every attribute `get` returns: the map's attributes except the sealed ones and the refresh lease. */
const READABLE_ATTRIBUTES: readonly string[] = SHOPS.attributes
  .map((attribute) => attribute.name)
  .filter((name) => !([...SEALED_ATTRIBUTES, ...LEASE_ATTRIBUTES] as readonly string[]).includes(name));

/** Shopify's billing states, as the map lists them. */
export const BILLING_STATUSES = ['active', 'pending', 'frozen', 'cancelled'] as const;

/** A shop's billing state. */
export type BillingStatus = (typeof BILLING_STATUSES)[number];

/** An app plan id: lower case, as the map's examples ("free", "pro"), so "Pro" and "pro" are never two plans. */
const PLAN = /^[a-z0-9][a-z0-9_-]{0,63}$/;
const PLAN_TEXT = 'a plan id of 1 to 64 lower-case letters, digits, "-" and "_" (e.g. "free", "pro")';
/** A display name: a shop name is at most 255 characters in Shopify. */
const MAX_NAME = 255;
/** Settings are preferences, not data: far below DynamoDB's 400 KB item, with room for the token set. */
const MAX_SETTINGS_BYTES = 64 * 1024;

/** The fields of a profile: what the app knows about a shop, set at install or later. */
export interface ShopProfileFields {
  /** The shop's display name (1 to 255 characters). */
  readonly name: string;
  /** The app plan id, lower case, e.g. "free", "pro". */
  readonly plan: string;
  /** Shopify billing state: "active", "pending", "frozen" or "cancelled". */
  readonly billingStatus: BillingStatus;
  /**
   * Per-shop import/export preferences: JSON values only (text, finite numbers, booleans, null,
   * lists, objects), at most 64 KB. `undefined`, Dates, NaN and class instances are refused.
   */
  readonly settings?: Readonly<Record<string, unknown>>;
}

/**
 * A shop as `get` returns it: its profile, its install and token metadata, never a secret. The
 * profile fields are absent for a shop installed from a session alone until the app sets them.
 */
export interface Shop extends Partial<ShopProfileFields> {
  /** The shop's myshopify.com domain, lower case. */
  readonly domain: string;
  /** When the current grant was stored (the install, or the last new grant), ISO-8601 UTC. */
  readonly installedAt: string;
  /** The current install's id (a ULID), new at every grant. */
  readonly installId?: string;
  /** When the app was uninstalled (the webhook's event time), ISO-8601 UTC; absent while installed. */
  readonly uninstalledAt?: string;
  /** When the access token expires, ISO-8601 UTC; absent for a non-expiring token, without a token, and after uninstall. */
  readonly accessTokenExpiresAt?: string;
  /** When the refresh token expires, ISO-8601 UTC; absent when Shopify gave none, and after uninstall. */
  readonly refreshTokenExpiresAt?: string;
  /** Scopes granted, in the order Shopify sent them; absent after uninstall. */
  readonly scopes?: readonly string[];
  /** Token writes so far in this install; absent after uninstall. */
  readonly tokenVersion?: number;
}

/** Fields a shop has that a profile must not carry: grants write them itself. */
type LifecycleField = Exclude<keyof Shop, keyof ShopProfileFields | 'domain'>;

/**
 * What `install` takes: the domain and a whole profile, without lifecycle or token fields, so a
 * shop read with `get` and spread into it does not compile (and is refused at run time too).
 */
export type ShopProfile = { readonly domain: string } & ShopProfileFields & { readonly [K in LifecycleField]?: never };

/** What `update` changes: any profile field, each checked as at install. */
export type ShopProfileChanges = Partial<ShopProfileFields> & { readonly [K in LifecycleField | 'domain']?: never };

/** Which install a profile change is for: the one read (`installId`), or the one current when a webhook's event happened (`eventAt`). */
export interface ProfileUpdateOptions {
  /** The install id read with `shops.get`: a change for an earlier install is refused. */
  readonly installId?: string;
  /** The webhook's event time (e.g. `app_subscriptions/update`): refused when the shop was installed again after it. */
  readonly eventAt?: Date;
}

const PROFILE_FIELDS = ['name', 'plan', 'billingStatus', 'settings'] as const satisfies readonly (keyof ShopProfileFields)[];

/** The conditions of a profile change, with each `#name` standing for the attribute of that name. */
export const PROFILE_CONDITIONS = {
  /** Every change: the shop is installed. */
  installed: `attribute_exists(#${DOMAIN}) AND attribute_not_exists(#${UNINSTALLED_AT})`,
  /** With an install id: that install is still the current one. */
  ofInstall: `#${INSTALL_ID} = :installId`,
  /** With an event time: the current grant was stored no later than the skew after the event. */
  ofEvent: `#${INSTALLED_AT} <= :grantedBy`,
} as const;

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
      return (await this.tokens.grantIn(run, domain, tokens, this.tokens.eventTimeIn(run, at, 'at'), checked)).installId;
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
      if (Object.keys(set).length === 0) throw new InvalidInputError(where, 'changes', `must change at least one of ${PROFILE_FIELDS.join(', ')}`);
      const given = check.options(options, run.context, 'options', false, ['installId', 'eventAt']);
      const installId = given.installId === undefined ? undefined : check.matching(given.installId, /^[0-9A-HJKMNP-TV-Z]{26}$/, run.context, 'options.installId', 'the install id shops.get returned (a ULID)');
      const eventAt = given.eventAt === undefined ? undefined : this.tokens.eventTimeIn(run, given.eventAt, 'options.eventAt');
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
    return this.observed('shops.uninstall', domain, (run) => this.tokens.removeIn(run, canonicalShopDomain(domain, run.context, 'domain'), eventAt));
  }

  private observed<T>(operation: string, domain: unknown, body: (run: OperationRun) => Promise<T>): Promise<T> {
    return runOperation(this.observe, shopOperation(this.tokens.table, operation, domain), body);
  }

  private where(run: OperationRun, domain: string): OperationContext {
    return { table: this.tokens.table, operation: run.context.operation, key: { [DOMAIN]: domain } };
  }
}

/** The grant outcome type, for callers that store grants through the token store. */
export type { GrantOutcome };

/** A stored item as the app sees it: scopes as a list in granted order (items from before kept a set). */
function shopOf(item: Readonly<Record<string, unknown>>): Shop {
  const { scopes, ...rest } = item;
  const scope = storedScope(scopes);
  return { ...rest, ...(scope !== undefined && { scopes: scopeList(scope) }) } as unknown as Shop;
}

/**
 * The profile fields given, checked: no other field, each of the right kind (all three text
 * fields when `whole`). Refused before any request, naming the field.
 */
function checkProfile(where: OperationContext, fields: Readonly<Record<string, unknown>>, whole: boolean): Record<string, unknown> {
  const field = whole ? (name: string) => `profile.${name}` : (name: string) => `changes.${name}`;
  const refused = Object.keys(fields).find((name) => !(PROFILE_FIELDS as readonly string[]).includes(name));
  if (refused !== undefined) throw new InvalidInputError(where, field(refused), 'is not a profile field: grants write the install, uninstall and token fields themselves');
  const ctx = { table: where.table, operation: where.operation };
  const checked: Record<string, unknown> = {};
  for (const name of PROFILE_FIELDS) {
    const value = fields[name];
    if (value === undefined) {
      if (whole && name !== 'settings') throw new InvalidInputError(where, field(name), 'is required');
      continue;
    }
    if (name === 'name') checked.name = check.text(value, ctx, field(name), MAX_NAME);
    if (name === 'plan') checked.plan = check.matching(value, PLAN, ctx, field(name), PLAN_TEXT);
    if (name === 'billingStatus') checked.billingStatus = check.oneOf(value, BILLING_STATUSES, ctx, field(name));
    if (name === 'settings') checked.settings = check.document(value, ctx, field(name), MAX_SETTINGS_BYTES);
  }
  return checked;
}
