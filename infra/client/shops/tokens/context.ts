import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { UpdateCommand, type DynamoDBDocumentClient, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { ulid } from 'ulid';
import { ConflictError, DataClientError, NotFoundError, type OperationContext } from '../../core/errors';
import { lowLevel } from '../../core/low-level';
import { runOperation, shopOperation, type OperationObserver, type OperationRun } from '../../core/observe';
import { canonicalShopDomain } from '../../core/shop-domain';
import * as check from '../../core/validate';
import { GRANT_SKEW_MS, LIFECYCLE_CONDITIONS } from './conditions';
import { OpenedCache } from './opened-cache';
import { Secret } from './secret';
import type { TokenCrypto } from './token-crypto';
import {
  DOMAIN,
  INSTALL_ID,
  SEALED_ATTRIBUTES,
  SHOPIFY_NON_EXPIRING_CUTOVER,
  TOKEN_VERSION,
  UNINSTALLED_AT,
  clearFields,
  expiryOf,
  names,
  sealTokens,
  type OpenedTokens,
  type SealedAttribute,
  type SealedSet,
  type ShopTokens,
  type StoredTokens,
  type TokenGeneration,
  type TokenRules,
} from './token-set';
import type { TokenStoreOptions } from './types';

/** A Shops item as read: the token set sealed, the generation, the install state, the lease and the profile. */
export type StoredItem = Record<string, unknown>;

/** Dates a grant or an event may carry: none before Shopify's apps, none later than the clock allows. */
export const FIRST_EVENT = new Date('2000-01-01T00:00:00.000Z');

/** A write's condition failed because the item changed since it was read: the caller reads again and decides again. */
export class ChangedSinceRead extends ConflictError {}

/**
 * What every token action works with: the table, the crypto, the clock and the values this
 * process opened lately, with the reads and writes the actions share. One per token store.
 */
export class StoreContext {
  readonly doc: DynamoDBDocumentClient;
  /** Physical name of the Shops table. */
  readonly table: string;
  readonly crypto: TokenCrypto;
  readonly observe: OperationObserver | undefined;
  /** Until when a non-expiring offline token is accepted. */
  readonly nonExpiringUntil: Date;
  readonly cache = new OpenedCache();
  private readonly clock: () => Date;

  constructor(options: TokenStoreOptions) {
    this.doc = options.doc;
    this.table = options.table;
    this.crypto = options.crypto;
    this.clock = options.now ?? (() => new Date());
    this.observe = options.observe;
    this.nonExpiringUntil = options.nonExpiringTokensUntil ?? SHOPIFY_NON_EXPIRING_CUTOVER;
  }

  /** Runs one operation on a shop, observed as one event. */
  observed<T>(operation: string, shop: unknown, body: (run: OperationRun) => Promise<T>): Promise<T> {
    return runOperation(this.observe, shopOperation(this.table, operation, shop), body);
  }

  domain(run: OperationRun, shop: unknown): string {
    return canonicalShopDomain(shop, run.context, 'domain');
  }

  /** The clock, checked: a clock that returns an invalid Date would write garbage times. */
  now(run: OperationRun): Date {
    const now: unknown = this.clock();
    if (!check.isDateIn(now, FIRST_EVENT, check.LAST_DATE)) throw new DataClientError(run.context, 'the client\'s now() did not return a valid Date of the years 2000 to 9999: pass a clock that returns the current time');
    return now;
  }

  /**
   * A grant's or an event's time: a valid Date from 2000 on and no later than the clock allows
   * (now plus the skew). A time far ahead would order every later event before it for good.
   */
  eventTime(run: OperationRun, value: unknown, field: string): Date {
    const latest = new Date(this.now(run).getTime() + GRANT_SKEW_MS);
    if (!check.isDateIn(value, FIRST_EVENT, latest)) {
      check.refuse(run.context, field, `must be a valid Date from ${FIRST_EVENT.toISOString()} to now (${GRANT_SKEW_MS / 1000} s ahead at most, for clocks apart): the time it happened`);
    }
    return value;
  }

  /** A grant's or an event's time when given, else now. */
  eventTimeOrNow(run: OperationRun, value: unknown, field: string): Date {
    return value === undefined ? this.now(run) : this.eventTime(run, value, field);
  }

  /** The rules a token set is checked by now: a grant must carry an access token. */
  rules(run: OperationRun, grant: boolean): TokenRules {
    return { now: this.now(run), nonExpiringUntil: this.nonExpiringUntil, grant };
  }

  where(run: OperationRun, domain: string): OperationContext {
    return { table: this.table, operation: run.context.operation, key: { [DOMAIN]: domain } };
  }

  /** What a failed condition means when the item changed since it was read. */
  changed(run: OperationRun, domain: string, reason: string): () => ChangedSinceRead {
    return () => new ChangedSinceRead(this.where(run, domain), reason);
  }

  send<T>(run: OperationRun, domain: string, request: () => Promise<T>, onConditionFailed?: Parameters<OperationRun['send']>[1]): Promise<T> {
    return run.send(request, onConditionFailed, this.where(run, domain));
  }

  /** One conditional UpdateItem of a shop's item; a failed condition becomes `onConditionFailed`. */
  update(run: OperationRun, domain: string, input: Omit<UpdateCommandInput, 'TableName' | 'Key'>, onConditionFailed?: Parameters<OperationRun['send']>[1]) {
    return this.send(run, domain, () => this.doc.send(new UpdateCommand({ TableName: this.table, Key: { [DOMAIN]: domain }, ...input, ...run.capacityRequest })), onConditionFailed);
  }

  /**
   * One consistent GetItem of the shop's whole item: its token set (every secret as ciphertext,
   * opened only when asked for), generation, install state, lease and profile. No projection:
   * DynamoDB charges a read by the whole item whatever it returns, and the item is small.
   */
  async readItem(run: OperationRun, domain: string): Promise<StoredItem | undefined> {
    // Every loadSession makes this read: low-level, unmarshalled here (see lowLevel).
    const { Item } = await this.send(run, domain, () =>
      lowLevel(this.doc).send(
        new GetItemCommand({
          TableName: this.table,
          Key: { [DOMAIN]: { S: domain } },
          // A write names the generation it read: it must be the latest.
          ConsistentRead: true,
          ...run.capacityRequest,
        }),
      ),
    );
    return Item && unmarshall(Item);
  }

  /** The item of an installed shop; NotFoundError when the shop is not installed. */
  async installedItem(run: OperationRun, domain: string): Promise<StoredItem> {
    const item = await this.readItem(run, domain);
    if (!item || item[UNINSTALLED_AT] !== undefined || item[TOKEN_VERSION] === undefined) throw new NotFoundError(this.where(run, domain), 'no tokens: the shop is not installed');
    // Gives tokens stored before install generations their install id, on the item too.
    if (item[INSTALL_ID] === undefined) await this.generation(run, domain, item);
    return item;
  }

  /**
   * The generation of an installed item. Tokens stored before install generations existed have no
   * install id, and a write must name one: the first read gives them one, conditional on nothing
   * having changed since (of two readers one writes it, the other reads it back).
   */
  async generation(run: OperationRun, domain: string, item: StoredItem): Promise<TokenGeneration> {
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

  /** The item's clear fields with the secrets in `open` opened, each a Secret; `now` (ms), when the caller just read the clock. */
  async opened<A extends SealedAttribute>(run: OperationRun, domain: string, item: StoredItem, open: readonly A[], now = this.now(run).getTime()): Promise<StoredTokens<A>> {
    const tokens: Record<string, unknown> = clearFields(item);
    for (const attribute of open) {
      if (item[attribute] === undefined) continue;
      // A value this process has is served at once: a warm read awaits nothing but its GetItem.
      const plaintext = this.cache.get(domain, attribute, item[attribute] as Uint8Array, now) ?? (await this.openAttribute(run, domain, item, attribute));
      tokens[attribute] = new Secret(plaintext);
    }
    return { tokens: tokens as OpenedTokens<A>, version: item[TOKEN_VERSION] as number, installId: item[INSTALL_ID] as string };
  }

  /** The plain text of a sealed attribute of `item`: from this process's cache when it holds that ciphertext, else one KMS Decrypt. */
  async openAttribute(run: OperationRun, domain: string, item: StoredItem, attribute: SealedAttribute): Promise<string> {
    const ciphertext = item[attribute] as Uint8Array;
    const now = this.now(run).getTime();
    const cached = this.cache.get(domain, attribute, ciphertext, now);
    if (cached !== undefined) return cached;
    const plaintext = await this.crypto.open({ table: this.table, shop: domain, attribute }, ciphertext);
    const expiry = item[expiryOf(attribute)] as string | undefined;
    this.cache.set(domain, attribute, ciphertext, plaintext, now, expiry === undefined ? undefined : new Date(expiry));
    return plaintext;
  }

  seal(domain: string, tokens: ShopTokens, version: number): Promise<SealedSet> {
    return sealTokens(this.crypto, this.table, domain, tokens, version);
  }

  /** Keeps what this process just sealed, so its next read costs no Decrypt; the shop's older values go. */
  prime(run: OperationRun, domain: string, sealed: SealedSet, tokens: ShopTokens): void {
    this.cache.forget(domain);
    const now = this.now(run).getTime();
    for (const attribute of SEALED_ATTRIBUTES) {
      const ciphertext = sealed.set[attribute] as Uint8Array | undefined;
      if (ciphertext !== undefined) this.cache.set(domain, attribute, ciphertext, tokens[attribute]!, now, tokens[expiryOf(attribute)]);
    }
  }

  /** `open` checked: sealed attributes, each once. */
  openList<A extends SealedAttribute>(run: OperationRun, open: readonly A[], field: string): readonly A[] {
    if (!Array.isArray(open) || open.some((name) => !SEALED_ATTRIBUTES.includes(name)) || new Set(open).size !== open.length) {
      check.refuse(run.context, field, `must list sealed attributes (${SEALED_ATTRIBUTES.join(', ')}), each once`);
    }
    return open;
  }
}
