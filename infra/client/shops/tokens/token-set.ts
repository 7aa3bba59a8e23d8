import { ulid } from 'ulid';
import { tableSchema } from '../../../data/schemas';
import { type OperationContext } from '../../core/errors';
import { REDACTED, Secret } from './secret';
import type { TokenCrypto } from './token-crypto';
import * as check from '../../core/validate';

const SHOPS = tableSchema('Shops');
type ShopsAttribute = (typeof SHOPS)['attributes'][number];
/** An attribute of the Shops table, as the map declares it. */
export type ShopsAttributeName = ShopsAttribute['name'];
/** The Shops table's key attribute: the shop's domain. */
export const DOMAIN = SHOPS.partitionKey.name;

/** The attributes the schema map seals: secrets stored only as ciphertext. */
export type SealedAttribute = Extract<ShopsAttribute, { sealed: true }>['name'];

/** The sealed attributes, read from the map: the only list of what is encrypted. */
export const SEALED_ATTRIBUTES: readonly SealedAttribute[] = SHOPS.attributes.flatMap((attribute) =>
  'sealed' in attribute && attribute.sealed ? [attribute.name] : [],
);

/** Names that must be attributes of the map: a missing one fails the type-check. */
type Declared<T extends ShopsAttributeName> = T;
/** A sealed secret's expiry, stored in the clear beside it as `<name>ExpiresAt` when Shopify gives one. */
export type ExpiryAttribute = Declared<`${SealedAttribute}ExpiresAt`>;
export const expiryOf = (attribute: SealedAttribute) => `${attribute}ExpiresAt` as ExpiryAttribute;

export const SCOPES = 'scopes' satisfies ShopsAttributeName;
export const TOKEN_VERSION = 'tokenVersion' satisfies ShopsAttributeName;
export const INSTALL_ID = 'installId' satisfies ShopsAttributeName;
export const INSTALLED_AT = 'installedAt' satisfies ShopsAttributeName;
export const UNINSTALLED_AT = 'uninstalledAt' satisfies ShopsAttributeName;
export const LEASE_HOLDER = 'refreshLeaseHolder' satisfies ShopsAttributeName;
export const LEASE_EXPIRES_AT = 'refreshLeaseExpiresAt' satisfies ShopsAttributeName;

/** Every attribute of the token set: written together, removed together on uninstall. */
export const TOKEN_SET_ATTRIBUTES: readonly ShopsAttributeName[] = [
  ...SEALED_ATTRIBUTES.flatMap((attribute) => [attribute, expiryOf(attribute)]),
  SCOPES,
  TOKEN_VERSION,
];

/** The refresh lease: set by `fresh` before it calls Shopify, removed by the write that follows. */
export const LEASE_ATTRIBUTES: readonly ShopsAttributeName[] = [LEASE_HOLDER, LEASE_EXPIRES_AT];

/**
 * Shopify stops accepting non-expiring offline tokens for public apps on this date; until then
 * the store keeps one, after it refuses to (see {@link checkTokens}).
 */
export const SHOPIFY_NON_EXPIRING_CUTOVER = new Date('2027-01-01T00:00:00.000Z');

/** Tokens are opaque to the store, but not unbounded: Shopify's are under 100 characters. */
const MAX_TOKEN_LENGTH = 4_096;
/** A scope string of every Admin API scope is a few kilobytes; this bounds a runaway one. */
const MAX_SCOPE_LENGTH = 16_384;

/**
 * A shop's tokens as Shopify issues them, each secret in plain text. Every field may be absent,
 * as in Shopify's own sessions: an expiring pair has all four; a non-expiring offline token has
 * no expiry and no refresh token; a refresh token may come without its expiry; a shop whose token
 * was invalidated (a 401) holds none. Tokens are opaque: any non-empty text.
 */
export type ShopTokens = Readonly<Partial<Record<SealedAttribute, string>>> &
  Readonly<Partial<Record<ExpiryAttribute, Date>>> & {
    /**
     * The scopes granted: the string Shopify sent (kept exactly, order included, e.g.
     * `"write_products,read_products"`), or a list of scopes (stored comma-joined, in order).
     */
    readonly scopes?: string | readonly string[];
  };

/**
 * Tokens as read: each secret asked for that the shop holds, as a {@link Secret} that prints
 * redacted (those in `R` always there); each expiry the shop has; the scopes, exactly as stored.
 */
export type OpenedTokens<A extends SealedAttribute = SealedAttribute, R extends A = never> = Readonly<Partial<Record<A, Secret>>> &
  Readonly<Record<R, Secret>> &
  Readonly<Partial<Record<ExpiryAttribute, Date>>> & {
    /** The scope string as Shopify sent it; absent when none was stored. */
    readonly scope?: string;
    /** The same scopes as a list, in the order granted. */
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
export interface StoredTokens<A extends SealedAttribute = SealedAttribute, R extends A = never> extends TokenGeneration {
  readonly tokens: OpenedTokens<A, R>;
}

/** The stored form of a token set: what to SET, and the token attributes absent from it to REMOVE. */
export interface SealedSet {
  readonly set: Readonly<Record<string, unknown>>;
  readonly remove: readonly string[];
}

/** What the checks of a token set need to know. */
export interface TokenRules {
  /** The store's clock, now. */
  readonly now: Date;
  /** Until when a token without an expiry is accepted. */
  readonly nonExpiringUntil: Date;
  /** True for a grant: it must carry an access token. */
  readonly grant?: boolean;
}

/**
 * Refuses a token set that is not one Shopify issues, naming the field, before any request: a
 * secret that is not non-empty text (or is the redacted text of a {@link Secret}, which means
 * `String(secret)` was passed instead of `secret.reveal()`), an expiry that is not a valid Date
 * of the years 2000 to 9999 or that comes without its secret, a non-expiring access token on or
 * after the cut-over, scopes that are neither text nor a list of scopes.
 */
export function checkTokens(where: OperationContext, tokens: ShopTokens, rules: TokenRules): void {
  if (typeof tokens !== 'object' || tokens === null || Array.isArray(tokens)) check.refuse(where, 'tokens', 'must be the token set Shopify issued');
  const refuse = (field: string, reason: string): never => {
    check.refuse(where, `tokens.${field}`, reason);
  };
  const known = new Set<string>([...SEALED_ATTRIBUTES.flatMap((attribute) => [attribute, expiryOf(attribute)]), SCOPES]);
  const unknown = Object.keys(tokens).find((field) => !known.has(field));
  if (unknown !== undefined) refuse(unknown, `is not a token field (${[...known].join(', ')})`);
  for (const attribute of SEALED_ATTRIBUTES) {
    const value: unknown = tokens[attribute];
    if (value !== undefined) checkSecret(where, `tokens.${attribute}`, value);
    const expiry: unknown = tokens[expiryOf(attribute)];
    if (expiry !== undefined) {
      if (!check.isDateIn(expiry, FIRST_EXPIRY, check.LAST_DATE)) refuse(expiryOf(attribute), `must be a valid Date from ${FIRST_EXPIRY.toISOString()} to ${check.LAST_DATE.toISOString()}`);
      if (value === undefined) refuse(expiryOf(attribute), `is given without tokens.${attribute}`);
    }
  }
  if (rules.grant && tokens.accessToken === undefined) refuse('accessToken', 'is required: a grant carries an access token');
  if (tokens.accessToken !== undefined && tokens.accessTokenExpiresAt === undefined && rules.now >= rules.nonExpiringUntil) {
    refuse(
      'accessTokenExpiresAt',
      `is required since ${rules.nonExpiringUntil.toISOString()}, when Shopify stopped accepting non-expiring offline tokens: migrate the shop to an expiring token (Shopify's migrateToExpiringToken, or a new token exchange with expiring tokens on)`,
    );
  }
  const scopes: unknown = tokens.scopes;
  if (scopes === undefined || (typeof scopes === 'string' && scopes.length <= MAX_SCOPE_LENGTH)) return;
  if (!Array.isArray(scopes) || scopes.some((scope) => typeof scope !== 'string' || scope.length === 0 || scope.includes(',')) || scopes.join(',').length > MAX_SCOPE_LENGTH) {
    refuse('scopes', `must be the scope string Shopify sent (at most ${MAX_SCOPE_LENGTH} characters) or a list of scopes, each non-empty and without a comma`);
  }
}

/**
 * Refuses a secret that is not a token's text: empty, huge, not a string, or the redacted text of
 * a {@link Secret} (`String(secret)` passed where `secret.reveal()` was meant).
 */
export function checkSecret(where: OperationContext, field: string, value: unknown): asserts value is string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_TOKEN_LENGTH) {
    check.refuse(where, field, `must be the token's text, 1 to ${MAX_TOKEN_LENGTH} characters`);
  }
  if (value === REDACTED || value === `Secret(${REDACTED})`) check.refuse(where, field, 'is the redacted text of a Secret: pass secret.reveal(), not String(secret)');
}

/** Expiries before this are not Shopify's: a zero or garbage timestamp. */
const FIRST_EXPIRY = new Date('2000-01-01T00:00:00.000Z');

/** The scope string of `tokens`, as it will be stored. */
export function scopeText(tokens: ShopTokens): string | undefined {
  return typeof tokens.scopes === 'string' || tokens.scopes === undefined ? tokens.scopes : tokens.scopes.join(',');
}

/** The scope text as stored; items written before scopes were kept as text hold a string set, read back sorted. */
export function storedScope(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (value instanceof Set) return [...(value as Set<string>)].sort().join(',');
  return undefined;
}

/** The scopes of a scope string as a list, in order: Shopify separates them with commas. */
export function scopeList(scope: string | undefined): string[] {
  return (scope ?? '').split(',').map((scope) => scope.trim()).filter((scope) => scope.length > 0);
}

/**
 * The stored form of a token set at `version`: each secret sealed for this table, shop and
 * attribute, the expiries in ISO-8601, the scope text; what the set lacks is listed to remove.
 */
export async function sealTokens(crypto: TokenCrypto, table: string, shop: string, tokens: ShopTokens, version: number): Promise<SealedSet> {
  const sealed = await Promise.all(
    SEALED_ATTRIBUTES.flatMap((attribute) => {
      const value = tokens[attribute];
      return value === undefined ? [] : [crypto.seal({ table, shop, attribute }, value).then((ciphertext) => [attribute, ciphertext] as const)];
    }),
  );
  const scope = scopeText(tokens);
  const set: Record<string, unknown> = {
    ...Object.fromEntries(sealed),
    ...Object.fromEntries(SEALED_ATTRIBUTES.flatMap((attribute) => (tokens[expiryOf(attribute)] ? [[expiryOf(attribute), tokens[expiryOf(attribute)]!.toISOString()]] : []))),
    ...(scope !== undefined && { [SCOPES]: scope }),
    [TOKEN_VERSION]: version,
  };
  return { set, remove: TOKEN_SET_ATTRIBUTES.filter((name) => !(name in set)) };
}

/** The expiries and scopes of a stored item, as the opened tokens carry them. */
export function clearFields(item: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const attribute of EXPIRY_ATTRIBUTES) {
    const expiry = item[attribute];
    if (typeof expiry === 'string') fields[attribute] = new Date(expiry);
  }
  const scope = storedScope(item[SCOPES]);
  if (scope !== undefined) fields.scope = scope;
  fields.scopes = scopeList(scope);
  return fields;
}

const EXPIRY_ATTRIBUTES: readonly ExpiryAttribute[] = SEALED_ATTRIBUTES.map(expiryOf);

/** The opened form of tokens the app just obtained: no Decrypt needed. */
export function openedFrom<A extends SealedAttribute>(tokens: ShopTokens, open: readonly A[]): OpenedTokens<A> {
  const scope = scopeText(tokens);
  return {
    ...Object.fromEntries(open.flatMap((attribute) => (tokens[attribute] === undefined ? [] : [[attribute, new Secret(tokens[attribute])]]))),
    ...Object.fromEntries(SEALED_ATTRIBUTES.flatMap((attribute) => (tokens[expiryOf(attribute)] ? [[expiryOf(attribute), tokens[expiryOf(attribute)]]] : []))),
    ...(scope !== undefined && { scope }),
    scopes: scopeList(scope),
  } as unknown as OpenedTokens<A>;
}

/** What {@link sealTokenSet} seals, and for which table and shop. */
export interface SealTokenSetOptions {
  readonly crypto: TokenCrypto;
  /** Physical name of the Shops table the set is for, e.g. `Shops-dev`. */
  readonly table: string;
  /** The shop's domain, as the table keys it. */
  readonly shop: string;
  readonly tokens: ShopTokens;
  /** The token version to store; 1 for a new install. */
  readonly version?: number;
}

/**
 * The stored form of an install's token set: a new install id, and the token set at `version`.
 * For seeding a local table; the app writes tokens through the token store.
 */
export async function sealTokenSet({ crypto, table, shop, tokens, version = 1 }: SealTokenSetOptions): Promise<Record<string, unknown>> {
  const { set } = await sealTokens(crypto, table, shop, tokens, version);
  return { ...set, [INSTALL_ID]: ulid() };
}

/** `#name` for each attribute, as ExpressionAttributeNames. */
export function names(...attributes: readonly string[]): Record<string, string> {
  return Object.fromEntries(attributes.map((name) => [`#${name}`, name]));
}

/** A ProjectionExpression of the attributes, through their `#name`s. */
export function projection(...attributes: readonly string[]): string {
  return attributes.map((name) => `#${name}`).join(', ');
}
