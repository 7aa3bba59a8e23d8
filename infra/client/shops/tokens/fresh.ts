import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { ConflictError, DataClientError, NoTokenError, RefreshBusyError, RefreshFailedError } from '../../core/errors';
import type { OperationRun } from '../../core/observe';
import * as check from '../../core/validate';
import { LIFECYCLE_CONDITIONS } from './conditions';
import type { StoreContext, StoredItem } from './context';
import { Secret } from './secret';
import { INSTALL_ID, LEASE_ATTRIBUTES, LEASE_EXPIRES_AT, LEASE_HOLDER, TOKEN_VERSION, UNINSTALLED_AT, checkTokens, expiryOf, names, openedFrom, projection, type OpenedTokens, type SealedAttribute, type ShopTokens, type StoredTokens } from './token-set';
import type { FreshOptions, RefreshTokens } from './types';
import { generationValues, writeTokens } from './writes';

const MINUTE_MS = 60_000;
const FRESH_LIMITS = {
  marginMs: { min: 0, max: 24 * 60 * MINUTE_MS, default: 5 * MINUTE_MS },
  leaseMs: { min: 1_000, max: 15 * MINUTE_MS, default: 30_000 },
  pollMs: { min: 1, max: MINUTE_MS, default: 250 },
  maxWaitMs: { min: 0, max: 15 * MINUTE_MS, default: 40_000 },
} as const;
type FreshSettings = Record<keyof typeof FRESH_LIMITS, number>;
/** Fresh's options as checked: its settings, the secrets asked for, and those it returns. */
interface CheckedFresh<A extends SealedAttribute> {
  readonly settings: FreshSettings;
  readonly open: readonly A[];
  readonly served: readonly (A | 'accessToken')[];
}
const FRESH_SETTINGS = Object.keys(FRESH_LIMITS) as (keyof FreshSettings)[];
const FRESH_OPTIONS: readonly string[] = [...FRESH_SETTINGS, 'open'];
/** A frozen options object cannot change: its checked settings are kept (the session storage's, on every load). */
const FROZEN_SETTINGS = new WeakMap<object, CheckedFresh<SealedAttribute>>();

type Fresh<A extends SealedAttribute> = StoredTokens<A | 'accessToken', 'accessToken'>;

/** A usable access token, refreshed under the shop's lease when it is due (see `tokens.fresh`). */
export async function fresh<A extends SealedAttribute>(ctx: StoreContext, run: OperationRun, domain: string, refresh: RefreshTokens, options: FreshOptions<A>): Promise<Fresh<A>> {
  const where = run.context;
  if (typeof refresh !== 'function') check.refuse(where, 'refresh', 'must be a function from the refresh token to the next tokens');
  const { settings, open, served } = freshSettings(run, ctx, options);
  let now = ctx.now(run).getTime();
  const deadline = now + settings.maxWaitMs;
  for (;;) {
    const item = await ctx.installedItem(run, domain);
    now = ctx.now(run).getTime();
    const expiresAt = item[expiryOf('accessToken')] as string | undefined;
    const hasAccess = item.accessToken !== undefined;
    if (hasAccess && expiresAt === undefined) {
      if (now >= ctx.nonExpiringUntil.getTime()) throw new NoTokenError(where, `the stored token does not expire, and Shopify stopped accepting such tokens on ${ctx.nonExpiringUntil.toISOString()}: a new grant (token exchange) replaces it`);
      return (await ctx.opened(run, domain, item, served, now)) as Fresh<A>;
    }
    if (hasAccess && Date.parse(expiresAt!) - now > settings.marginMs) return (await ctx.opened(run, domain, item, served, now)) as Fresh<A>;
    if (item.refreshToken === undefined) {
      if (hasAccess && Date.parse(expiresAt!) > now) return (await ctx.opened(run, domain, item, served, now)) as Fresh<A>;
      throw new NoTokenError(where, hasAccess ? 'the access token has expired and there is no refresh token' : 'the shop holds no access token and no refresh token');
    }
    const leaseUntil = item[LEASE_EXPIRES_AT] as string | undefined;
    if (leaseUntil === undefined || Date.parse(leaseUntil) <= now) {
      const refreshed = await refreshUnderLease(ctx, run, domain, item, refresh, settings, open);
      if (refreshed) return refreshed;
      // Another worker took the lease first, or wrote first: read what it did at once.
      continue;
    }
    // Someone else refreshes: wait, then use what they stored.
    if (ctx.now(run).getTime() >= deadline) {
      throw new RefreshBusyError(where, `another worker has held the refresh lease for over ${settings.maxWaitMs} ms; retry later`);
    }
    await sleep(settings.pollMs);
  }
}

/** Takes the lease, calls `refresh` and stores its result; undefined when another worker got there first. */
async function refreshUnderLease<A extends SealedAttribute>(
  ctx: StoreContext,
  run: OperationRun,
  domain: string,
  read: StoredItem,
  refresh: RefreshTokens,
  settings: FreshSettings,
  open: readonly A[],
): Promise<Fresh<A> | undefined> {
  const where = ctx.where(run, domain);
  const holder = randomBytes(12).toString('base64url');
  const now = ctx.now(run);
  const generation = { installId: read[INSTALL_ID] as string, version: read[TOKEN_VERSION] as number };
  let leased: StoredItem;
  try {
    ({ Attributes: leased = {} } = await ctx.update(
      run,
      domain,
      {
        UpdateExpression: `SET #${LEASE_HOLDER} = :holder, #${LEASE_EXPIRES_AT} = :until`,
        ConditionExpression: LIFECYCLE_CONDITIONS.lease,
        ExpressionAttributeNames: names(INSTALL_ID, TOKEN_VERSION, UNINSTALLED_AT, LEASE_HOLDER, LEASE_EXPIRES_AT),
        ExpressionAttributeValues: { ...generationValues(generation), ':holder': holder, ':until': new Date(now.getTime() + settings.leaseMs).toISOString(), ':now': now.toISOString() },
        ReturnValues: 'ALL_NEW',
      },
      'the refresh lease is taken, or the tokens changed since they were read',
    ));
  } catch (error) {
    if (error instanceof ConflictError) return undefined;
    throw error;
  }
  let next: ShopTokens;
  try {
    const refreshToken = await ctx.openAttribute(run, domain, leased, 'refreshToken');
    next = await withTimeout(settings.leaseMs, (signal) => refresh(new Secret(refreshToken), { signal }));
    checkTokens(where, next, ctx.rules(run, true));
    const expiresAt = next.accessTokenExpiresAt?.getTime();
    if (expiresAt !== undefined && expiresAt - ctx.now(run).getTime() <= settings.marginMs) {
      throw new RefreshFailedError(where, new Error(`the refreshed access token expires within the ${settings.marginMs} ms margin`), 'returned an access token that expires within the margin; nothing was stored');
    }
  } catch (error) {
    await release(ctx, run, domain, holder);
    throw error instanceof DataClientError ? error : new RefreshFailedError(where, error);
  }
  try {
    const { version } = await writeTokens(ctx, run, domain, generation, next, holder);
    return { installId: generation.installId, version, tokens: openedFrom(next, ['accessToken', ...open]) as OpenedTokens<A | 'accessToken', 'accessToken'> };
  } catch (error) {
    // Another worker's write won after this lease lapsed, or the shop was uninstalled: re-read.
    if (error instanceof ConflictError) return undefined;
    throw error;
  }
}

/** Ends this worker's lease after a failed refresh; a lease another worker holds by now stays. */
async function release(ctx: StoreContext, run: OperationRun, domain: string, holder: string): Promise<void> {
  try {
    await ctx.update(
      run,
      domain,
      {
        UpdateExpression: `REMOVE ${projection(...LEASE_ATTRIBUTES)}`,
        ConditionExpression: LIFECYCLE_CONDITIONS.release,
        ExpressionAttributeNames: names(...LEASE_ATTRIBUTES),
        ExpressionAttributeValues: { ':holder': holder },
      },
      'the lease is no longer this worker\'s',
    );
  } catch (error) {
    if (!(error instanceof ConflictError)) throw error;
  }
}

/** The checked options, with `served`: the secrets fresh returns, the access token first. */
function freshSettings<A extends SealedAttribute>(run: OperationRun, ctx: StoreContext, options: FreshOptions<A>): CheckedFresh<A> {
  const known = FROZEN_SETTINGS.get(options);
  if (known) return known as CheckedFresh<A>;
  const given = check.options(options, run.context, 'options', false, FRESH_OPTIONS);
  const settings = {} as FreshSettings;
  for (const name of FRESH_SETTINGS) {
    // An option given as undefined takes its default, as an absent one does.
    const value: unknown = given[name];
    const limits = FRESH_LIMITS[name];
    settings[name] = value === undefined ? limits.default : check.integerIn(value, run.context, `options.${name}`, limits.min, limits.max);
  }
  const open = given.open === undefined ? [] : ctx.openList(run, given.open as readonly A[], 'options.open');
  const checked = { settings, open, served: [...new Set<A | 'accessToken'>(['accessToken', ...open])] };
  if (typeof options === 'object' && options !== null && Object.isFrozen(options)) FROZEN_SETTINGS.set(options, checked);
  return checked;
}

/** Runs `body` with a signal that aborts after `ms`, and gives up on it then, whether it listens or not. */
async function withTimeout<T>(ms: number, body: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = Object.assign(new Error(`did not answer within ${ms} ms`), { name: 'TimeoutError' });
      controller.abort(error);
      reject(error);
    }, ms);
  });
  try {
    return await Promise.race([body(controller.signal), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
