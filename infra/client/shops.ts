import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { tableSchema } from '../schemas';
import { send } from './send';
import { SEALED_ATTRIBUTES, type ShopTokens, type TokenStore } from './token-store';

const SHOPS = tableSchema('Shops');
const DOMAIN = SHOPS.partitionKey.name;

/** Every attribute `get` returns: the map's attributes except the sealed ones. */
const READABLE_ATTRIBUTES: readonly string[] = SHOPS.attributes
  .map((attribute) => attribute.name)
  .filter((name) => !(SEALED_ATTRIBUTES as readonly string[]).includes(name));

/** What the app knows about a shop when it installs. */
export interface ShopProfile {
  /** The shop's myshopify.com domain. */
  readonly domain: string;
  /** The shop's display name. */
  readonly name: string;
  /** The app plan, e.g. "free", "pro". */
  readonly plan: string;
  /** Shopify billing state: "active", "pending", "frozen" or "cancelled". */
  readonly billingStatus: string;
  /** Per-shop import/export preferences. */
  readonly settings?: Readonly<Record<string, unknown>>;
}

/** A shop as `get` returns it: its profile and token metadata, never a secret. */
export interface Shop extends ShopProfile {
  /** When the app was (last) installed, ISO-8601 UTC. */
  readonly installedAt: string;
  /** When the app was uninstalled, ISO-8601 UTC; absent while installed. */
  readonly uninstalledAt?: string;
  /** When the access token expires, ISO-8601 UTC; absent after uninstall. */
  readonly accessTokenExpiresAt?: string;
  /** When the refresh token expires, ISO-8601 UTC; absent after uninstall. */
  readonly refreshTokenExpiresAt?: string;
  /** Scopes granted; absent after uninstall. */
  readonly scopes?: ReadonlySet<string>;
  /** Token writes so far; absent after uninstall. */
  readonly tokenVersion?: number;
}

/**
 * Shops: get, install and uninstall, each one request. Tokens are written through the token store
 * and read only from it, so a shop read here carries no secret, not even as ciphertext.
 */
export class ShopsClient {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tokens: TokenStore,
  ) {}

  /** The shop, or undefined when it never installed (an uninstalled shop has `uninstalledAt`). */
  async get(domain: string): Promise<Shop | undefined> {
    const TableName = this.tokens.tableName;
    const { Item } = await send({ table: TableName, operation: 'shops.get', key: { [DOMAIN]: domain } }, () =>
      this.doc.send(
        new GetCommand({
          TableName,
          Key: { [DOMAIN]: domain },
          ProjectionExpression: READABLE_ATTRIBUTES.map((name) => `#${name}`).join(', '),
          ExpressionAttributeNames: Object.fromEntries(READABLE_ATTRIBUTES.map((name) => [`#${name}`, name])),
        }),
      ),
    );
    return Item as Shop | undefined;
  }

  /**
   * Installs a shop, or re-installs an uninstalled one: one PutItem with the profile and the sealed
   * tokens. An installed shop is never overwritten: that raises ConflictError (a new grant for an
   * installed shop replaces its tokens through the token store).
   */
  async install(profile: ShopProfile, tokens: ShopTokens, at: Date = new Date()): Promise<void> {
    await this.tokens.save(profile.domain, { ...profile, installedAt: at.toISOString() }, tokens);
  }

  /** Marks a shop uninstalled at `at` and removes its tokens in the same write; NotFoundError if unknown. */
  async uninstall(domain: string, at: Date = new Date()): Promise<void> {
    await this.tokens.remove(domain, at);
  }
}
