import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { OperationObserver } from '../../core/observe';
import type { Secret } from './secret';
import type { TokenCrypto } from './token-crypto';
import type { SealedAttribute, ShopTokens, TokenGeneration } from './token-set';

/** Where the token store writes, and how it seals. */
export interface TokenStoreOptions {
  /** Document client for the stage's endpoint. */
  readonly doc: DynamoDBDocumentClient;
  /** Physical name of the Shops table, e.g. `Shops-prod`. */
  readonly table: string;
  /** Seals and opens the secrets. */
  readonly crypto: TokenCrypto;
  /** The clock of the lease and of expiry decisions; tests pass their own. */
  readonly now?: () => Date;
  /** Receives one event per call. */
  readonly observe?: OperationObserver;
  /** Until when a non-expiring offline token is accepted: Shopify's cut-over for public apps (`SHOPIFY_NON_EXPIRING_CUTOVER`) by default. */
  readonly nonExpiringTokensUntil?: Date;
}

/** The app's call to Shopify's token endpoint: given the refresh token, the next token set. It may stop when `signal` aborts. */
export type RefreshTokens = (refreshToken: Secret, options: { readonly signal: AbortSignal }) => Promise<ShopTokens>;

/** How `tokens.fresh` decides and waits (times in milliseconds), and what it opens. */
export interface FreshOptions<A extends SealedAttribute = 'accessToken'> {
  /** Refresh when the access token expires within this (0 to 24 h); default 5 minutes (Shopify: "a few minutes before"). */
  readonly marginMs?: number;
  /**
   * How long a refresher holds the lease (1 s to 15 minutes); a worker that dies blocks the others
   * this long, and a `refresh` that has not answered by then is given up. Default 30 s.
   */
  readonly leaseMs?: number;
  /** How often a caller that finds the lease taken re-reads (1 ms to 60 s); default 250 ms. */
  readonly pollMs?: number;
  /** How long a caller waits for another's refresh before RefreshBusyError (0 to 15 minutes); default 40 s (past one lease). */
  readonly maxWaitMs?: number;
  /** The secrets to return besides the access token; default the access token only. */
  readonly open?: readonly A[];
}

/**
 * What a grant did: `installed` a new shop, `reinstalled` an uninstalled one, `regranted` an
 * installed shop with a new grant (a new generation), `updated` the current grant (the same
 * access token with other fields, or a profile), or left it `unchanged` (an identical store).
 */
export interface GrantOutcome extends TokenGeneration {
  readonly outcome: 'installed' | 'reinstalled' | 'regranted' | 'updated' | 'unchanged';
}

/** What `invalidate` did: removed the token(s), or nothing (none held, or the generation named is gone). */
export type InvalidateOutcome = 'invalidated' | 'unchanged';

/** What `uninstall` did: removed the tokens, or nothing because the event repeats or predates the install. */
export type UninstallOutcome = 'uninstalled' | 'already-uninstalled' | 'older-than-install';
