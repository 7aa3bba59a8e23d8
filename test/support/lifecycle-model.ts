import { randomBytes } from 'node:crypto';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Session } from '@shopify/shopify-api';
import { MemorySessionStorage } from '@shopify/shopify-app-session-storage-memory';
import fc from 'fast-check';
import { ConflictError, createDataClient, NotFoundError, NoTokenError, RefreshFailedError, ShopInstalledError, StaleGrantError, type ShopTokens, type StoredTokens } from '../../infra/client';
import { sealedSessionStorage } from '../../infra/client/shopify';
import { checkInvariants, isInstalled, modelCrypto, readTables, WRITES, type ModelState } from './lifecycle-invariants';
import { FakeShopify } from './lifecycle-shopify';
import type { LocalTables } from './local-tables';
import { LOCAL_TABLES_ENDPOINT_ENV } from '../../scripts/shared/local-engine';

/**
 * A model of one shop's life as Shopify and its app library produce it, run against the real
 * client and the sealed session storage (over Shopify's memory storage) on the local engine:
 * installs by OAuth or token exchange, uninstalls, webhooks delivered late, repeatedly or not at
 * all, redaction requests, time passing, concurrent refreshes and admin requests, 401s, deleted
 * sessions, and grants or refreshes whose answer is written after other events. After every step
 * the invariants of the token lifecycle are checked.
 */
export type Step =
  /** The merchant installs; the app stores the grant by OAuth (`shops.install`) or through the session storage (a token exchange). */
  | { readonly kind: 'install'; readonly via: 'oauth' | 'session' }
  /** The merchant uninstalls and installs again within minutes, before any webhook arrives. */
  | { readonly kind: 'reinstall' }
  /** The merchant uninstalls: Shopify revokes the tokens and queues `app/uninstalled`, and `shop/redact` (due 48 h later). */
  | { readonly kind: 'uninstall' }
  /** Shopify delivers queued webhook `index` (modulo the queue); `again` keeps it queued for a redelivery. */
  | { readonly kind: 'deliver'; readonly index: number; readonly again: boolean }
  /** Time passes. */
  | { readonly kind: 'tick'; readonly minutes: number }
  /** `workers` workers call tokens.fresh at once. */
  | { readonly kind: 'fresh'; readonly workers: number }
  /** `workers` admin requests at once through Shopify's library: load, a token exchange when not active, the API call (a 401 stores the session without its token). */
  | { readonly kind: 'load'; readonly workers: number }
  /** A worker reads the tokens and refreshes them at Shopify; its write is still to come. */
  | { readonly kind: 'startRefresh' }
  /** That worker writes what Shopify gave it with tokens.replace, naming what it read, however long ago. */
  | { readonly kind: 'finishRefresh' }
  /** A token exchange answered just before the merchant uninstalls, stored seconds later: before the webhook, or after it. */
  | { readonly kind: 'exchangeDuringUninstall'; readonly deliverFirst: boolean }
  /** A refresh due, whose answer comes after the merchant re-installed and the app stored the new grant. */
  | { readonly kind: 'refreshDuringReinstall' }
  /** The app deletes the shop's offline session. */
  | { readonly kind: 'deleteSession' };

export const stepArbitrary: fc.Arbitrary<Step> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('install' as const), via: fc.constantFrom('oauth' as const, 'session' as const) }), weight: 2 },
  { arbitrary: fc.constant({ kind: 'uninstall' } as const), weight: 2 },
  { arbitrary: fc.constant({ kind: 'reinstall' } as const), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant('deliver' as const), index: fc.nat(2), again: fc.boolean() }), weight: 4 },
  { arbitrary: fc.record({ kind: fc.constant('tick' as const), minutes: fc.integer({ min: 1, max: 90 }) }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('fresh' as const), workers: fc.integer({ min: 1, max: 3 }) }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('load' as const), workers: fc.integer({ min: 1, max: 3 }) }), weight: 3 },
  { arbitrary: fc.constant({ kind: 'startRefresh' } as const), weight: 2 },
  { arbitrary: fc.constant({ kind: 'finishRefresh' } as const), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('exchangeDuringUninstall' as const), deliverFirst: fc.boolean() }), weight: 1 },
  { arbitrary: fc.constant({ kind: 'refreshDuringReinstall' } as const), weight: 1 },
  { arbitrary: fc.constant({ kind: 'deleteSession' } as const), weight: 1 },
);

/**
 * Short sequences that start with an install (nothing happens to a shop before one): the
 * interesting orders need a handful of steps, and the gate runs hundreds.
 */
export const sequenceArbitrary: fc.Arbitrary<Step[]> = fc
  .array(stepArbitrary, { minLength: 1, maxLength: 8 })
  .map((steps) => [{ kind: 'install', via: 'oauth' } as const, ...steps]);

const MINUTE = 60_000;
/** Shopify's library refreshes a loaded offline token due within this; the storage must serve it past that. */
const LIBRARY_MARGIN = 5 * MINUTE;
/** The model's clock starts here, in the past, so redaction (bounded by the real time) reaches every job. */
const START = Date.parse('2026-01-05T08:00:00.000Z');
/** A merchant needs at least this long to click through an install after an uninstall (the store's skew is 10 s). */
const REINSTALL_AFTER = MINUTE;
/**
 * On moto (the rehearsal's shared endpoint) workers run one at a time: moto does not serialize
 * concurrent conditional writes to one item, so races it would let both win are DynamoDB's to
 * decide; every order of events is still run there.
 */
const MOST_AT_ONCE = process.env[LOCAL_TABLES_ENDPOINT_ENV] ? 1 : Number.POSITIVE_INFINITY;

/** One sequence against the real client: runs the steps and checks the invariants after each. */
export async function runSequence(local: LocalTables, domain: string, steps: readonly Step[]): Promise<void> {
  let clock = START;
  // Time passes as the client works, so a wait for a lease ends.
  const now = () => new Date((clock += 1));
  const data = createDataClient({ tables: local.tables, doc: local.doc, tokenCrypto: modelCrypto(), now });
  const shopify = new FakeShopify(() => clock, domain);
  const inner = new MemorySessionStorage();
  const storage = sealedSessionStorage({ inner, data, refresh: shopify.refresh });
  const offlineId = `offline_${domain}`;
  const refreshTokens = async (token: { reveal(): string }): Promise<ShopTokens> => sessionTokens((await shopify.refresh({ refreshToken: token.reveal() })).session);
  /** The jobs of the app's current install. */
  let liveJobs: string[] = [];
  let inFlight: { readonly read: StoredTokens; readonly next: ShopTokens } | undefined;
  const state: ModelState = { redacted: false, newestUninstallDelivered: false, item: undefined, jobIds: new Set() };
  const freshOptions = { pollMs: 1, maxWaitMs: 5_000 };

  /** Shopify installs, the app stores the grant and writes a job: the new install's data, which no redaction may touch while it lasts. */
  const install = async (via: 'oauth' | 'session'): Promise<string[]> => {
    // The merchant clicks through the install: never within seconds of an uninstall.
    if (clock - shopify.uninstalledAt < REINSTALL_AFTER) clock = shopify.uninstalledAt + REINSTALL_AFTER;
    shopify.installed = true;
    shopify.install += 1;
    const session = shopify.grant();
    if (via === 'oauth') await data.shops.install({ domain, name: 'Model Shop', plan: 'pro', billingStatus: 'active' }, sessionTokens(session), new Date(clock));
    else await storage.storeSession(session);
    state.redacted = false;
    state.newestUninstallDelivered = false;
    const jobId = `01MODEL${randomBytes(8).toString('hex').toUpperCase()}`;
    await local.doc.send(new PutCommand({ TableName: local.tables.Jobs, Item: { jobId, shopDomain: domain, createdAt: new Date(clock).toISOString(), status: 'PENDING' } }));
    state.jobIds = new Set([...state.jobIds, jobId]);
    return [jobId];
  };

  /** Shopify delivers a webhook; the app's handler answers it through the session storage. */
  const deliver = async (webhook: { topic: string; eventAt: Date; install: number }) => {
    if (webhook.topic === 'app/uninstalled') {
      await storage.uninstalled(domain, webhook.eventAt);
      if (webhook.install === shopify.install) state.newestUninstallDelivered = true;
      return;
    }
    const installedBefore = isInstalled(state.item);
    const outcome = await storage.redactShop(domain).catch(expectError(ShopInstalledError));
    if (installedBefore && !(outcome instanceof ShopInstalledError)) throw new Error('an installed shop was redacted');
    if (!(outcome instanceof ShopInstalledError)) state.redacted = true;
  };

  /** One admin request through Shopify's library, as it uses the storage. */
  const adminRequest = async (): Promise<void> => {
    let session: Session | undefined = await storage.loadSession(offlineId);
    // Session.isExpired, on the model's clock.
    const due = (loaded: Session) => loaded.expires !== undefined && loaded.expires !== null && loaded.expires.getTime() - LIBRARY_MARGIN < clock;
    // ensureOfflineTokenIsNotExpired: the library would refresh this token itself, beside the lease.
    if (session && due(session) && session.refreshToken) shopify.libraryRefreshes += 1;
    if (!session?.accessToken || due(session)) {
      // The token exchange strategy: a new grant, if Shopify has the app installed.
      if (!shopify.installed) return;
      session = shopify.grant();
      await storage.storeSession(session);
    }
    if (shopify.validAccess.has(session.accessToken!)) {
      if (shopify.issuedFor.get(session.accessToken!) !== shopify.install) throw new Error('a load served an access token of an earlier install');
      return;
    }
    // A 401: the library stores the session without its access token.
    session.accessToken = undefined;
    await storage.storeSession(session);
  };

  for (const [n, step] of steps.entries()) {
    clock += 1_000;
    local.sent.length = 0;
    const where = `step ${n + 1} (${JSON.stringify(step)}) of ${JSON.stringify(steps)}`;
    try {
      switch (step.kind) {
        case 'install':
          if (!shopify.installed) liveJobs = await install(step.via);
          break;
        case 'reinstall':
          if (!shopify.installed) break;
          shopify.uninstall(new Date(clock));
          clock += 3 * MINUTE;
          liveJobs = await install('oauth');
          break;
        case 'uninstall':
          if (shopify.installed) shopify.uninstall(new Date(clock));
          break;
        case 'deliver': {
          if (shopify.queue.length === 0) break;
          const index = step.index % shopify.queue.length;
          const webhook = shopify.queue[index]!;
          if (!step.again) shopify.queue.splice(index, 1);
          await deliver(webhook);
          break;
        }
        case 'tick':
          clock += step.minutes * MINUTE;
          break;
        case 'fresh': {
          const results = await Promise.allSettled(Array.from({ length: Math.min(step.workers, MOST_AT_ONCE) }, () => data.tokens.fresh(domain, refreshTokens, freshOptions)));
          for (const result of results) {
            if (result.status === 'rejected') {
              // Not installed for the store; no token; or Shopify refused a revoked refresh token (uninstalled, webhook on its way).
              if (result.reason instanceof NotFoundError || result.reason instanceof NoTokenError) continue;
              if (result.reason instanceof RefreshFailedError && !shopify.installed) continue;
              throw result.reason;
            }
            const token = result.value.tokens.accessToken.reveal();
            if (shopify.issuedFor.get(token) !== shopify.install) throw new Error('fresh returned an access token of an earlier install');
            if ((result.value.tokens.accessTokenExpiresAt?.getTime() ?? Number.POSITIVE_INFINITY) <= clock) throw new Error('fresh returned an expired access token');
          }
          break;
        }
        case 'load':
          await Promise.all(Array.from({ length: Math.min(step.workers, MOST_AT_ONCE) }, adminRequest));
          if (shopify.installed) {
            const served = await storage.loadSession(offlineId);
            if (!served?.accessToken || !shopify.validAccess.has(served.accessToken)) throw new Error('after admin requests on an installed shop, the session holds no token Shopify accepts');
          }
          break;
        case 'startRefresh': {
          const read = await data.tokens.read(domain).catch(expectError(NotFoundError));
          if (read instanceof NotFoundError || read.tokens.refreshToken === undefined) break;
          const next = await refreshTokens(read.tokens.refreshToken).catch(() => undefined);
          if (next) inFlight = { read, next };
          break;
        }
        case 'finishRefresh': {
          if (!inFlight) break;
          const { read, next } = inFlight;
          inFlight = undefined;
          await data.tokens.replace(domain, read, next).catch(expectError(ConflictError));
          break;
        }
        case 'exchangeDuringUninstall': {
          if (!shopify.installed) break;
          const session = shopify.grant();
          clock += 1_000;
          shopify.uninstall(new Date(clock));
          clock += 1_000;
          if (step.deliverFirst) await deliver(shopify.queue.splice(shopify.queue.length - 2, 1)[0]!);
          clock += 1_000;
          await storage.storeSession(session).catch(expectError(StaleGrantError));
          break;
        }
        case 'refreshDuringReinstall': {
          if (!shopify.installed) break;
          clock += 58 * MINUTE;
          const result = await data.tokens
            .fresh(
              domain,
              async (token) => {
                const next = await refreshTokens(token);
                // The answer is on its way back while the merchant uninstalls and installs again.
                shopify.uninstall(new Date(clock));
                clock += 3 * MINUTE;
                liveJobs = await install('session');
                return next;
              },
              freshOptions,
            )
            // Not installed for the store, or no token to refresh (the session was deleted): nothing to answer.
            .catch((error: unknown) => (error instanceof NotFoundError || error instanceof NoTokenError ? undefined : Promise.reject(error)));
          if (result && shopify.issuedFor.get(result.tokens.accessToken.reveal()) !== shopify.install) {
            throw new Error('a refresh answered after a re-install was served instead of the re-install\'s token');
          }
          break;
        }
        case 'deleteSession':
          await storage.deleteSession(offlineId);
          break;
      }
      if (shopify.mostAtOnce > 1) throw new Error('several workers presented the refresh token to Shopify at once');
      if (shopify.libraryRefreshes > 0) throw new Error('Shopify\'s library found a loaded token due and would refresh it beside the lease');
      // Only a write changes the tables: after a step without one, the last reads still hold.
      if (local.sent.some((command) => WRITES.has(command))) await readTables(local, domain, state);
      await checkInvariants(local.tables.Shops, domain, shopify, liveJobs, state, inner);
    } catch (error) {
      throw new Error(`${where}: ${(error as Error).message}`, { cause: error });
    }
  }
}

/** Rethrows anything but an error of `expected`, which it returns. */
function expectError<E extends Error>(expected: new (...args: never[]) => E) {
  return (error: unknown): E => {
    if (error instanceof expected) return error;
    throw error;
  };
}

/** The token set of a session the fake Shopify issued, as the token store takes it. */
function sessionTokens(session: Session): ShopTokens {
  return {
    ...(session.accessToken && { accessToken: session.accessToken, ...(session.expires && { accessTokenExpiresAt: session.expires }) }),
    ...(session.refreshToken && { refreshToken: session.refreshToken, ...(session.refreshTokenExpires && { refreshTokenExpiresAt: session.refreshTokenExpires }) }),
    ...(session.scope !== undefined && { scopes: session.scope }),
  };
}
