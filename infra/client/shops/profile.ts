import { tableSchema } from '../../data/schemas';
import { type OperationContext } from '../core/errors';
import * as check from '../core/validate';
import { DOMAIN, INSTALLED_AT, INSTALL_ID, LEASE_ATTRIBUTES, SEALED_ATTRIBUTES, UNINSTALLED_AT, scopeList, storedScope } from './tokens/token-set';

const SHOPS = tableSchema('Shops');

/** Every attribute `get` returns: the map's attributes except the sealed ones and the refresh lease. */
export const READABLE_ATTRIBUTES: readonly string[] = SHOPS.attributes
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

export const PROFILE_FIELDS = ['name', 'plan', 'billingStatus', 'settings'] as const satisfies readonly (keyof ShopProfileFields)[];

/** The conditions of a profile change, with each `#name` standing for the attribute of that name. */
export const PROFILE_CONDITIONS = {
  /** Every change: the shop is installed. */
  installed: `attribute_exists(#${DOMAIN}) AND attribute_not_exists(#${UNINSTALLED_AT})`,
  /** With an install id: that install is still the current one. */
  ofInstall: `#${INSTALL_ID} = :installId`,
  /** With an event time: the current grant was stored no later than the skew after the event. */
  ofEvent: `#${INSTALLED_AT} <= :grantedBy`,
} as const;

/** A stored item as the app sees it: scopes as a list in granted order (items from before kept a set). */
export function shopOf(item: Readonly<Record<string, unknown>>): Shop {
  const { scopes, ...rest } = item;
  const scope = storedScope(scopes);
  return { ...rest, ...(scope !== undefined && { scopes: scopeList(scope) }) } as unknown as Shop;
}

/**
 * The profile fields given, checked: no other field, each of the right kind (all three text
 * fields when `whole`). Refused before any request, naming the field.
 */
export function checkProfile(where: OperationContext, fields: Readonly<Record<string, unknown>>, whole: boolean): Record<string, unknown> {
  const field = whole ? (name: string) => `profile.${name}` : (name: string) => `changes.${name}`;
  const refused = Object.keys(fields).find((name) => !(PROFILE_FIELDS as readonly string[]).includes(name));
  if (refused !== undefined) check.refuse(where, field(refused), 'is not a profile field: grants write the install, uninstall and token fields themselves');
  const ctx = { table: where.table, operation: where.operation };
  const checked: Record<string, unknown> = {};
  for (const name of PROFILE_FIELDS) {
    const value = fields[name];
    if (value === undefined) {
      if (whole && name !== 'settings') check.refuse(where, field(name), 'is required');
      continue;
    }
    if (name === 'name') checked.name = check.text(value, ctx, field(name), MAX_NAME);
    if (name === 'plan') checked.plan = check.matching(value, PLAN, ctx, field(name), PLAN_TEXT);
    if (name === 'billingStatus') checked.billingStatus = check.oneOf(value, BILLING_STATUSES, ctx, field(name));
    if (name === 'settings') checked.settings = check.document(value, ctx, field(name), MAX_SETTINGS_BYTES);
  }
  return checked;
}
