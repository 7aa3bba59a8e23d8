// One file: the commands of the lifecycle model and the invariants checked after each share one model state.
import { randomBytes } from 'node:crypto';
import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { ConflictError, NotFoundError, RefreshFailedError, ShopInstalledError } from '../../infra/client/errors';
import { redactShop } from '../../infra/client/redact';
import type { Secret } from '../../infra/client/secret';
import { ShopsClient } from '../../infra/client/shops';
import { TokenCrypto, rawAesKeyring } from '../../infra/client/token-crypto';
import { TOKEN_SET_ATTRIBUTES, TokenStore, type ShopTokens, type StoredTokens } from '../../infra/client/token-store';
import type { LocalTables } from './local-tables';

/**
 * A model of one shop's life as Shopify produces it, run against the real client on the local
 * engine: installs and uninstalls on Shopify's side, webhooks delivered late, repeatedly or not
 * at all, redaction requests, time passing, concurrent refreshes, and a worker that refreshes
 * with tokens it read long ago. After every step the invariants of the token lifecycle are checked.
 */
export type Step =
  /** The merchant installs (OAuth done; the app calls shops.install, then writes a job). No-op while installed on Shopify. */
  | { readonly kind: 'install' }
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
  /** A worker reads the tokens and refreshes them at Shopify; its write is still to come. */
  | { readonly kind: 'startRefresh' }
  /** That worker writes what Shopify gave it with tokens.replace, naming what it read, however long ago. */
  | { readonly kind: 'finishRefresh' };

export const stepArbitrary: fc.Arbitrary<Step> = fc.oneof(
  { arbitrary: fc.constant({ kind: 'install' } as const), weight: 2 },
  { arbitrary: fc.constant({ kind: 'uninstall' } as const), weight: 2 },
  { arbitrary: fc.constant({ kind: 'reinstall' } as const), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant('deliver' as const), index: fc.nat(2), again: fc.boolean() }), weight: 4 },
  { arbitrary: fc.record({ kind: fc.constant('tick' as const), minutes: fc.integer({ min: 1, max: 90 }) }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('fresh' as const), workers: fc.integer({ min: 1, max: 3 }) }), weight: 2 },
  { arbitrary: fc.constant({ kind: 'startRefresh' } as const), weight: 3 },
  { arbitrary: fc.constant({ kind: 'finishRefresh' } as const), weight: 3 },
);

/**
 * Short sequences that start with an install (nothing happens to a shop before one): the
 * interesting orders need a handful of steps, and the gate runs hundreds.
 */
export const sequenceArbitrary: fc.Arbitrary<Step[]> = fc
  .array(stepArbitrary, { minLength: 1, maxLength: 8 })
  .map((steps) => [{ kind: 'install' } as const, ...steps]);

const MINUTE = 60_000;
/** The model's clock starts here, in the past, so redaction (bounded by the real time) reaches every job. */
const START = Date.parse('2026-01-05T08:00:00.000Z');

interface Webhook {
  readonly topic: 'app/uninstalled' | 'shop/redact';
  readonly eventAt: Date;
  /** The Shopify install it follows. */
  readonly install: number;
}

/** Shopify's side of one shop: installs, tokens issued, and the rotation of refresh tokens. */
class FakeShopify {
  installed = false;
  install = 0;
  readonly queue: Webhook[] = [];
  /** Every token issued, by value: the install it belongs to. */
  readonly issuedFor = new Map<string, number>();
  /** Refresh tokens Shopify accepts: the latest, and a used one until its replacement is used. */
  readonly validRefresh = new Set<string>();
  /** Each refresh token issued by a refresh, with the one it replaced. */
  private readonly predecessor = new Map<string, string>();
  /** Refresh calls in progress now, and the most there ever were at once. */
  private inProgress = 0;
  mostAtOnce = 0;

  constructor(private readonly clock: () => number) {}

  issue(): ShopTokens {
    const now = this.clock();
    const tokens: ShopTokens = {
      accessToken: `shpat_${randomBytes(8).toString('hex')}`,
      accessTokenExpiresAt: new Date(now + 60 * MINUTE),
      refreshToken: `shprt_${randomBytes(8).toString('hex')}`,
      refreshTokenExpiresAt: new Date(now + 90 * 24 * 60 * MINUTE),
      scopes: ['read_products', 'write_products'],
    };
    this.issuedFor.set(tokens.accessToken, this.install);
    this.issuedFor.set(tokens.refreshToken, this.install);
    this.validRefresh.add(tokens.refreshToken);
    return tokens;
  }

  /** Shopify's refresh-token grant, as its changelog of 2026-08-28 describes it. */
  refresh = async (refreshToken: Secret): Promise<ShopTokens> => {
    this.inProgress += 1;
    this.mostAtOnce = Math.max(this.mostAtOnce, this.inProgress);
    // Let other workers run in between, as a network call would.
    await new Promise((resolve) => setTimeout(resolve, 5));
    this.inProgress -= 1;
    const presented = refreshToken.reveal();
    if (!this.validRefresh.has(presented)) throw Object.assign(new Error('invalid_grant'), { name: 'ShopifyInvalidGrant' });
    // Presenting a replacement retires the token it replaced.
    const replaced = this.predecessor.get(presented);
    if (replaced !== undefined) this.validRefresh.delete(replaced);
    const next = this.issue();
    this.predecessor.set(next.refreshToken, presented);
    return next;
  };

  uninstall(eventAt: Date): void {
    this.installed = false;
    this.validRefresh.clear();
    this.queue.push({ topic: 'app/uninstalled', eventAt, install: this.install }, { topic: 'shop/redact', eventAt, install: this.install });
  }
}

/** One sequence against the real client: runs the steps and checks the invariants after each. */
export async function runSequence(local: LocalTables, domain: string, steps: readonly Step[]): Promise<void> {
  let clock = START;
  const now = () => clock;
  // Time passes as the client works, so a wait for a lease ends.
  const store = new TokenStore({ doc: local.doc, tableName: local.tables.Shops, crypto: modelCrypto(), now: () => new Date((clock += 1)) });
  const shops = new ShopsClient(local.doc, store);
  const shopify = new FakeShopify(now);
  /** The job of the app's current install. */
  let liveJobs: string[] = [];
  let inFlight: { readonly read: StoredTokens; readonly next: ShopTokens } | undefined;
  const state: ModelState = { redacted: false, newestUninstallDelivered: false, item: undefined, jobIds: new Set() };
  const freshOptions = { pollMs: 1, maxWaitMs: 5_000 };

  /** Shopify installs, the app stores the grant and writes a job: the new install's data, which no redaction may touch while it lasts. */
  const install = async (): Promise<string[]> => {
    shopify.installed = true;
    shopify.install += 1;
    await shops.install({ domain, name: 'Model Shop', plan: 'pro', billingStatus: 'active' }, shopify.issue(), new Date(clock));
    state.redacted = false;
    state.newestUninstallDelivered = false;
    const jobId = `01MODEL${randomBytes(8).toString('hex').toUpperCase()}`;
    await local.doc.send(new PutCommand({ TableName: local.tables.Jobs, Item: { jobId, shopDomain: domain, createdAt: new Date(clock).toISOString(), status: 'PENDING' } }));
    state.jobIds = new Set([...state.jobIds, jobId]);
    return [jobId];
  };

  for (const [n, step] of steps.entries()) {
    clock += 1_000;
    local.sent.length = 0;
    const where = `step ${n + 1} (${JSON.stringify(step)}) of ${JSON.stringify(steps)}`;
    try {
      switch (step.kind) {
        case 'install':
          if (!shopify.installed) liveJobs = await install();
          break;
        case 'reinstall':
          if (!shopify.installed) break;
          shopify.uninstall(new Date(clock));
          clock += 3 * MINUTE;
          liveJobs = await install();
          break;
        case 'uninstall':
          if (shopify.installed) shopify.uninstall(new Date(clock));
          break;
        case 'deliver': {
          if (shopify.queue.length === 0) break;
          const index = step.index % shopify.queue.length;
          const webhook = shopify.queue[index]!;
          if (!step.again) shopify.queue.splice(index, 1);
          if (webhook.topic === 'app/uninstalled') {
            await shops.uninstall(domain, webhook.eventAt).catch(expectError(NotFoundError));
            if (webhook.install === shopify.install) state.newestUninstallDelivered = true;
          } else {
            const installedBefore = isInstalled(state.item);
            const outcome = await redactShop(local.doc, local.tables, domain).catch(expectError(ShopInstalledError));
            if (installedBefore && !(outcome instanceof ShopInstalledError)) throw new Error('an installed shop was redacted');
            if (!(outcome instanceof ShopInstalledError)) state.redacted = true;
          }
          break;
        }
        case 'tick':
          clock += step.minutes * MINUTE;
          break;
        case 'fresh': {
          const results = await Promise.allSettled(Array.from({ length: step.workers }, () => store.fresh(domain, shopify.refresh, freshOptions)));
          if (shopify.mostAtOnce > 1) throw new Error('several workers presented the refresh token to Shopify at once');
          for (const result of results) {
            if (result.status === 'rejected') {
              // Not installed for the store; or Shopify refused a revoked refresh token (uninstalled, webhook on its way).
              if (result.reason instanceof NotFoundError) continue;
              if (result.reason instanceof RefreshFailedError && !shopify.installed) continue;
              throw result.reason;
            }
            const token = result.value.tokens.accessToken.reveal();
            if (shopify.issuedFor.get(token) !== shopify.install) throw new Error('fresh returned an access token of an earlier install');
            if (result.value.tokens.accessTokenExpiresAt.getTime() <= clock) throw new Error('fresh returned an expired access token');
          }
          break;
        }
        case 'startRefresh': {
          const read = await store.read(domain).catch(expectError(NotFoundError));
          if (read instanceof NotFoundError) break;
          const next = await shopify.refresh(read.tokens.refreshToken).catch(() => undefined);
          if (next) inFlight = { read, next };
          break;
        }
        case 'finishRefresh': {
          if (!inFlight) break;
          const { read, next } = inFlight;
          inFlight = undefined;
          await store.replace(domain, read, next).catch(expectError(ConflictError));
          break;
        }
      }
      // Only a write changes the tables: after a step without one, the last reads still hold.
      if (local.sent.some((command) => WRITES.has(command))) await readTables(local, domain, state);
      await checkInvariants(local.tables.Shops, domain, shopify, liveJobs, state);
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

/** What the model knows between steps. */
interface ModelState {
  /** True once a redaction of the shop completed, until the next install. */
  redacted: boolean;
  /** True once the `app/uninstalled` of Shopify's newest install was delivered. */
  newestUninstallDelivered: boolean;
  /** The Shops item as last read: nothing else writes it between steps. */
  item: Record<string, unknown> | undefined;
  /** The shop's jobs: read after a delete, added to as the model writes them. */
  jobIds: ReadonlySet<string>;
}

/** The requests that change a table, and those that delete (only redaction deletes jobs). */
const WRITES = new Set(['PutItemCommand', 'UpdateItemCommand', 'DeleteItemCommand', 'BatchWriteItemCommand']);
const DELETES = new Set(['DeleteItemCommand', 'BatchWriteItemCommand']);

/** Reads what the step may have changed: the Shops item, and the shop's jobs after a delete (the model adds those it writes). */
async function readTables(local: LocalTables, domain: string, state: ModelState): Promise<void> {
  state.item = (await local.doc.send(new GetCommand({ TableName: local.tables.Shops, Key: { domain }, ConsistentRead: true }))).Item;
  if (local.sent.some((command) => DELETES.has(command))) state.jobIds = await jobsOf(local, domain);
}

function isInstalled(item: Record<string, unknown> | undefined): boolean {
  return item !== undefined && item.uninstalledAt === undefined;
}

/**
 * The invariants: while Shopify has the app installed, the shop holds its newest install's
 * tokens, and their refresh token is one Shopify still accepts; stored tokens are always those of
 * Shopify's newest install; an uninstalled shop holds no
 * tokens; once Shopify's newest install is uninstalled and its webhook delivered, the shop holds
 * no tokens; a redacted shop holds nothing; no job of an installed shop's install is ever deleted.
 */
async function checkInvariants(table: string, domain: string, shopify: FakeShopify, liveJobs: readonly string[], state: ModelState): Promise<void> {
  const { item, jobIds } = state;
  if (state.redacted && (item !== undefined || jobIds.size > 0)) throw new Error('a redacted shop still holds data');
  // The app installs in the step Shopify does; nothing but the newest install's own uninstall may take its tokens.
  if (shopify.installed && (!isInstalled(item) || TOKEN_SET_ATTRIBUTES.some((name) => item?.[name] === undefined))) {
    throw new Error('the shop is installed on Shopify but its tokens are gone');
  }
  if (!item) return;
  const hasTokens = TOKEN_SET_ATTRIBUTES.some((name) => item[name] !== undefined);
  if (item.uninstalledAt !== undefined) {
    if (hasTokens) throw new Error('an uninstalled shop holds tokens');
    if (item.refreshLeaseHolder !== undefined) throw new Error('an uninstalled shop holds a refresh lease');
    return;
  }
  if (!hasTokens) throw new Error('an installed shop has no tokens');
  const open = (attribute: 'accessToken' | 'refreshToken') => openCached(table, domain, attribute, item[attribute] as Uint8Array);
  const [accessToken, refreshToken] = await Promise.all([open('accessToken'), open('refreshToken')]);
  if (shopify.issuedFor.get(accessToken) !== shopify.install || shopify.issuedFor.get(refreshToken) !== shopify.install) {
    throw new Error('the stored tokens are not those of the newest install');
  }
  if (shopify.installed && !shopify.validRefresh.has(refreshToken)) throw new Error('the stored refresh token is one Shopify retired');
  if (!shopify.installed && state.newestUninstallDelivered) throw new Error('the newest install was uninstalled and its webhook delivered, but the shop holds tokens');
  for (const jobId of liveJobs) if (!jobIds.has(jobId)) throw new Error('a job of the installed shop was deleted');
}

async function jobsOf(local: LocalTables, domain: string): Promise<Set<string>> {
  const { Items = [] } = await local.doc.send(
    new QueryCommand({
      TableName: local.tables.Jobs,
      IndexName: 'shopDomain-createdAt',
      KeyConditionExpression: 'shopDomain = :d',
      ExpressionAttributeValues: { ':d': domain },
      ProjectionExpression: 'jobId',
    }),
  );
  return new Set(Items.map((job) => job.jobId as string));
}

/** Plaintexts by ciphertext: most checks see the ciphertext the previous one opened. */
const opened = new Map<string, string>();

async function openCached(table: string, shop: string, attribute: 'accessToken' | 'refreshToken', ciphertext: Uint8Array): Promise<string> {
  const key = `${shop} ${attribute} ${Buffer.from(ciphertext).toString('base64')}`;
  const known = opened.get(key);
  if (known !== undefined) return known;
  const plaintext = await modelCrypto().open({ table, shop, attribute }, ciphertext);
  opened.set(key, plaintext);
  return plaintext;
}

let sharedCrypto: TokenCrypto | undefined;
/** One raw AES key for every sequence of a run. */
export function modelCrypto(): TokenCrypto {
  sharedCrypto ??= new TokenCrypto(rawAesKeyring(randomBytes(32)));
  return sharedCrypto;
}
