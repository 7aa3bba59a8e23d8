import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { tableSchema } from '../schemas';
import { InvalidInputError } from './errors';
import { runOperation, shopOperation, type OperationObserver } from './observe';
import { send } from './send';
import { canonicalShopDomain } from './shop-domain';
import { LEASE_ATTRIBUTES, SEALED_ATTRIBUTES, type ShopTokens, type TokenStore, type UninstallOutcome } from './token-store';

const SHOPS = tableSchema('Shops');
const DOMAIN = SHOPS.partitionKey.name;

/** Every attribute `get` returns: the map's attributes except the sealed ones and the refresh lease. */
const READABLE_ATTRIBUTES: readonly string[] = SHOPS.attributes
  .map((attribute) => attribute.name)
  .filter((name) => !([...SEALED_ATTRIBUTES, ...LEASE_ATTRIBUTES] as readonly string[]).includes(name));

/** The fields of a profile: what the app knows about a shop when it installs. */
interface ShopProfileFields {
  /** The shop's myshopify.com domain (any case; stored lower case). */
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

/** A shop as `get` returns it: its profile, its install and token metadata, never a secret. */
export interface Shop extends ShopProfileFields {
  /** When the app was (last) installed, ISO-8601 UTC. */
  readonly installedAt: string;
  /** The current install's id (a ULID), new at every install. */
  readonly installId?: string;
  /** When the app was uninstalled (the webhook's event time), ISO-8601 UTC; absent while installed. */
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

/** Fields a shop has that a profile must not carry: install writes them itself. */
type LifecycleField = Exclude<keyof Shop, keyof ShopProfileFields>;

/**
 * What `install` takes: a profile without lifecycle or token fields, so a shop read with `get`
 * and spread into it does not compile (and is refused at run time too).
 */
export type ShopProfile = ShopProfileFields & { readonly [K in LifecycleField]?: never };

const PROFILE_TEXT_FIELDS = ['name', 'plan', 'billingStatus'] as const satisfies readonly (keyof ShopProfileFields)[];
const PROFILE_FIELDS: readonly string[] = ['domain', ...PROFILE_TEXT_FIELDS, 'settings'] satisfies readonly (keyof ShopProfileFields)[];

/**
 * Shops: get, install and uninstall. Tokens are written through the token store and read only
 * from it, so a shop read here carries no secret, not even as ciphertext.
 */
export class ShopsClient {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tokens: TokenStore,
    /** Receives one event per call. */
    private readonly observe?: OperationObserver,
  ) {}

  /** The shop, or undefined when it never installed (an uninstalled shop has `uninstalledAt`). */
  get(domain: string): Promise<Shop | undefined> {
    return this.observed('shops.get', domain, async () => {
      const TableName = this.tokens.tableName;
      const shop = canonicalShopDomain(domain, { table: TableName, operation: 'shops.get' }, 'domain');
      const { Item } = await send({ table: TableName, operation: 'shops.get', key: { [DOMAIN]: shop } }, () =>
        this.doc.send(
          new GetCommand({
            TableName,
            Key: { [DOMAIN]: shop },
            ProjectionExpression: READABLE_ATTRIBUTES.map((name) => `#${name}`).join(', '),
            ExpressionAttributeNames: Object.fromEntries(READABLE_ATTRIBUTES.map((name) => [`#${name}`, name])),
          }),
        ),
      );
      return Item as Shop | undefined;
    });
  }

  /**
   * Installs a shop after OAuth, `at` the time of the grant: one PutItem with the profile, a new
   * install id and the sealed tokens. A re-install replaces an uninstalled shop, or an installed
   * one whose grant is older than `at` (the merchant re-installed and the first install's
   * `app/uninstalled` has not arrived yet; when it does, it is older than this install and changes
   * nothing). A grant as old as the stored one or older (a repeated or late callback) raises
   * ConflictError and changes nothing. A profile field that is not one of {@link ShopProfile}'s is
   * refused before any request. Resolves to the new install id.
   */
  install(profile: ShopProfile, tokens: ShopTokens, at: Date = new Date()): Promise<string> {
    return this.observed('shops.install', (profile as ShopProfile | undefined)?.domain, async () => {
      const table = this.tokens.tableName;
      const domain = canonicalShopDomain((profile as ShopProfile | undefined)?.domain, { table, operation: 'shops.install' }, 'profile.domain');
      const where = { table, operation: 'shops.install', key: { [DOMAIN]: domain } };
      const refused = Object.keys(profile ?? {}).find((field) => !PROFILE_FIELDS.includes(field));
      if (refused !== undefined) {
        throw new InvalidInputError(where, `profile.${refused}`, 'is not a profile field: install writes the install, uninstall and token fields itself');
      }
      for (const field of PROFILE_TEXT_FIELDS) {
        if (typeof profile[field] !== 'string' || profile[field].length === 0) throw new InvalidInputError(where, `profile.${field}`, 'must be a non-empty string');
      }
      const { settings } = profile;
      if (settings !== undefined && (typeof settings !== 'object' || settings === null || Array.isArray(settings))) {
        throw new InvalidInputError(where, 'profile.settings', 'must be an object when given');
      }
      if (!(at instanceof Date) || Number.isNaN(at.getTime())) throw new InvalidInputError(where, 'at', 'must be a valid Date');
      return this.tokens.save(domain, { ...profile, domain, installedAt: at.toISOString() }, tokens);
    });
  }

  /**
   * The `app/uninstalled` webhook: marks the shop uninstalled at the webhook's event time
   * (`X-Shopify-Triggered-At`) and removes its tokens in the same write, only if it was installed
   * before that time. A redelivered event, or one from before a re-install, changes nothing and
   * resolves to what it found. NotFoundError for an unknown shop.
   */
  uninstall(domain: string, eventAt: Date): Promise<UninstallOutcome> {
    return this.observed('shops.uninstall', domain, () => this.tokens.remove(domain, eventAt));
  }

  private observed<T>(operation: string, domain: unknown, body: () => Promise<T>): Promise<T> {
    return runOperation(this.observe, shopOperation(this.tokens.tableName, operation, domain), body);
  }
}
