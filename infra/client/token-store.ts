import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import { tableSchema } from '../schemas';
import { NotFoundError, type OperationContext } from './errors';
import { send } from './send';
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
const UNINSTALLED_AT = 'uninstalledAt' satisfies ShopsAttributeName;

/** Every attribute of the token set: written together, removed together on uninstall. */
export const TOKEN_SET_ATTRIBUTES: readonly ShopsAttributeName[] = [
  ...SEALED_ATTRIBUTES.flatMap((attribute) => [attribute, expiryOf(attribute)]),
  SCOPES,
  TOKEN_VERSION,
];

/** A shop's tokens as Shopify issues them: each secret in plain text with its expiry, and the scopes granted. */
export type ShopTokens = Readonly<Record<SealedAttribute, string>> &
  Readonly<Record<ExpiryAttribute, Date>> & {
    /** Access scopes granted, at least one. */
    readonly scopes: readonly string[];
  };

/** Tokens as read from the table, with the version a refresh must name. */
export interface StoredTokens {
  readonly tokens: ShopTokens;
  /** The token version read; pass it to {@link TokenStore.replace}. */
  readonly version: number;
}

/**
 * The conditions of the token writes, with each `#name` standing for the attribute of that name
 * (printed as-is in the schema docs).
 */
export const TOKEN_CONDITIONS = {
  /** Install: a new shop, or a re-install of an uninstalled one; never over an installed shop's tokens. */
  install: `attribute_not_exists(#${DOMAIN}) OR attribute_exists(#${UNINSTALLED_AT})`,
  /** Refresh: the version read is still current and the shop is still installed. */
  replace: `#${TOKEN_VERSION} = :expectedVersion AND attribute_not_exists(#${UNINSTALLED_AT})`,
  /** Uninstall: the shop exists. */
  remove: `attribute_exists(#${DOMAIN})`,
} as const;

/** Where the token store writes, and how it seals. */
export interface TokenStoreOptions {
  /** Document client for the stage's endpoint. */
  readonly doc: DynamoDBDocumentClient;
  /** Physical name of the Shops table, e.g. `Shops-prod`. */
  readonly tableName: string;
  /** Seals and opens the secrets. */
  readonly crypto: TokenCrypto;
}

/**
 * The one way to read and write a shop's tokens. Secrets are sealed before they leave this object
 * and opened only by {@link TokenStore.read}; every write is one conditional request.
 */
export class TokenStore {
  private readonly doc: DynamoDBDocumentClient;
  private readonly crypto: TokenCrypto;
  readonly tableName: string;

  constructor(options: TokenStoreOptions) {
    this.doc = options.doc;
    this.tableName = options.tableName;
    this.crypto = options.crypto;
  }

  /**
   * Installs a shop: one PutItem of `profile` (the shop's other attributes) with the sealed token
   * set at version 1. Refused with a ConflictError when the shop is installed already.
   */
  async save(shop: string, profile: Readonly<Record<string, unknown>>, tokens: ShopTokens): Promise<void> {
    const where = this.where('shops.install', shop);
    const Item = { ...profile, [DOMAIN]: shop, ...(await this.tokenSet(shop, tokens, 1)) };
    await send(
      where,
      () =>
        this.doc.send(
          new PutCommand({
            TableName: this.tableName,
            Item,
            ConditionExpression: TOKEN_CONDITIONS.install,
            ExpressionAttributeNames: names(DOMAIN, UNINSTALLED_AT),
          }),
        ),
      'the shop is installed already; replace its tokens through the token store',
    );
  }

  /** Reads and opens a shop's tokens (one KMS Decrypt per sealed attribute in AWS). */
  async read(shop: string): Promise<StoredTokens> {
    const where = this.where('tokens.read', shop);
    const { Item } = await send(where, () =>
      this.doc.send(
        new GetCommand({
          TableName: this.tableName,
          Key: { [DOMAIN]: shop },
          // A refresh names the version it read: it must be the latest.
          ConsistentRead: true,
          ProjectionExpression: TOKEN_SET_ATTRIBUTES.map((name) => `#${name}`).join(', '),
          ExpressionAttributeNames: names(...TOKEN_SET_ATTRIBUTES),
        }),
      ),
    );
    if (!Item || Item[TOKEN_VERSION] === undefined) throw new NotFoundError(where, 'no tokens: the shop is not installed');
    const secrets = await Promise.all(
      SEALED_ATTRIBUTES.map(async (attribute) => [attribute, await this.crypto.open(this.context(shop, attribute), Item[attribute] as Uint8Array)]),
    );
    const tokens = {
      ...Object.fromEntries(secrets),
      ...Object.fromEntries(SEALED_ATTRIBUTES.map((attribute) => [expiryOf(attribute), new Date(Item[expiryOf(attribute)] as string)])),
      scopes: [...(Item[SCOPES] as Set<string>)].sort(),
    } as ShopTokens;
    return { tokens, version: Item[TOKEN_VERSION] as number };
  }

  /**
   * Replaces the tokens after a refresh, if `expectedVersion` is still the stored one. Of two
   * concurrent refreshes one wins; the other gets a ConflictError and should re-read. Resolves to
   * the new version.
   */
  async replace(shop: string, expectedVersion: number, tokens: ShopTokens): Promise<number> {
    const where = this.where('tokens.replace', shop);
    const version = expectedVersion + 1;
    const set = await this.tokenSet(shop, tokens, version);
    await this.update(
      where,
      shop,
      {
        UpdateExpression: `SET ${Object.keys(set).map((name) => `#${name} = :${name}`).join(', ')}`,
        ConditionExpression: TOKEN_CONDITIONS.replace,
        ExpressionAttributeNames: names(...Object.keys(set), UNINSTALLED_AT),
        ExpressionAttributeValues: {
          ...Object.fromEntries(Object.entries(set).map(([name, value]) => [`:${name}`, value])),
          ':expectedVersion': expectedVersion,
        },
      },
      `token version ${expectedVersion} is no longer current (another refresh won, or the shop was uninstalled); re-read the tokens`,
    );
    return version;
  }

  /**
   * Uninstalls a shop: sets `uninstalledAt` (kept from the first call when repeated) and removes the
   * whole token set, in one UpdateItem. Raises NotFoundError for an unknown shop.
   */
  async remove(shop: string, at: Date): Promise<void> {
    const where = this.where('shops.uninstall', shop);
    await this.update(
      where,
      shop,
      {
        UpdateExpression: `SET #${UNINSTALLED_AT} = if_not_exists(#${UNINSTALLED_AT}, :at) REMOVE ${TOKEN_SET_ATTRIBUTES.map((name) => `#${name}`).join(', ')}`,
        ConditionExpression: TOKEN_CONDITIONS.remove,
        ExpressionAttributeNames: names(DOMAIN, UNINSTALLED_AT, ...TOKEN_SET_ATTRIBUTES),
        ExpressionAttributeValues: { ':at': at.toISOString() },
      },
      () => new NotFoundError(where, 'no such shop'),
    );
  }

  /** One conditional UpdateItem of a shop's item; a failed condition becomes `onConditionFailed`. */
  private update(
    where: OperationContext,
    shop: string,
    input: Omit<UpdateCommandInput, 'TableName' | 'Key'>,
    onConditionFailed: Parameters<typeof send>[2],
  ) {
    return send(where, () => this.doc.send(new UpdateCommand({ TableName: this.tableName, Key: { [DOMAIN]: shop }, ...input })), onConditionFailed);
  }

  private context(shop: string, attribute: SealedAttribute) {
    return { table: this.tableName, shop, attribute };
  }

  private tokenSet(shop: string, tokens: ShopTokens, version: number) {
    return sealTokenSet(this.crypto, this.tableName, shop, tokens, version);
  }

  private where(operation: string, shop: string): OperationContext {
    return { table: this.tableName, operation, key: { [DOMAIN]: shop } };
  }
}

/**
 * The stored form of a token set: sealed secrets, expiries in ISO-8601, scopes as a set, the
 * version. Exported for seeding a local table; the app writes tokens through {@link TokenStore}.
 */
export async function sealTokenSet(
  crypto: TokenCrypto,
  tableName: string,
  shop: string,
  tokens: ShopTokens,
  version: number,
): Promise<Record<string, unknown>> {
  if (tokens.scopes.length === 0) throw new Error(`tokens of ${shop}: scopes is empty; Shopify grants at least one scope.`);
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
