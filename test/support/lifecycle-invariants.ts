import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Session } from '@shopify/shopify-api';
import type { MemorySessionStorage } from '@shopify/shopify-app-session-storage-memory';
import { randomBytes } from 'node:crypto';
import { TOKEN_SET_ATTRIBUTES, TokenCrypto, rawAesKeyring } from '../../infra/client';
import type { FakeShopify } from './lifecycle-shopify';
import type { LocalTables } from './local-tables';

/** What the model knows between steps. */
export interface ModelState {
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
export const WRITES = new Set(['PutItemCommand', 'UpdateItemCommand', 'DeleteItemCommand', 'BatchWriteItemCommand']);
const DELETES = new Set(['DeleteItemCommand', 'BatchWriteItemCommand']);

/** Reads what the step may have changed: the Shops item, and the shop's jobs after a delete (the model adds those it writes). */
export async function readTables(local: LocalTables, domain: string, state: ModelState): Promise<void> {
  state.item = (await local.doc.send(new GetCommand({ TableName: local.tables.Shops, Key: { domain }, ConsistentRead: true }))).Item;
  if (local.sent.some((command) => DELETES.has(command))) state.jobIds = await jobsOf(local, domain);
}

export function isInstalled(item: Record<string, unknown> | undefined): boolean {
  return item !== undefined && item.uninstalledAt === undefined;
}

/**
 * The invariants: while Shopify has the app installed, the shop is installed, and any token it
 * holds is of Shopify's newest install (a refresh token one Shopify still accepts); an uninstalled
 * shop holds no tokens and no lease; once Shopify's newest install is uninstalled and its webhook
 * delivered, the shop holds no tokens; a redacted shop holds nothing; no job of the installed
 * shop's install is ever deleted; the app's own session storage never holds a token in plain text.
 */
export async function checkInvariants(
  table: string,
  domain: string,
  shopify: FakeShopify,
  liveJobs: readonly string[],
  state: ModelState,
  inner: MemorySessionStorage,
): Promise<void> {
  const { item, jobIds } = state;
  for (const session of Object.values((inner as unknown as { sessions: Record<string, Session> }).sessions)) {
    if (session.accessToken || session.refreshToken) throw new Error('the app\'s session storage holds an offline token in plain text');
  }
  if (state.redacted && (item !== undefined || jobIds.size > 0)) throw new Error('a redacted shop still holds data');
  // The app installs in the step Shopify does; nothing but the newest install's own uninstall may mark it uninstalled.
  if (shopify.installed && !isInstalled(item)) throw new Error('the shop is installed on Shopify but not in the Shops table');
  if (!item) return;
  const hasTokens = TOKEN_SET_ATTRIBUTES.some((name) => name !== 'tokenVersion' && item[name] !== undefined);
  if (item.uninstalledAt !== undefined) {
    if (hasTokens || item.tokenVersion !== undefined) throw new Error('an uninstalled shop holds tokens');
    if (item.refreshLeaseHolder !== undefined) throw new Error('an uninstalled shop holds a refresh lease');
    return;
  }
  const open = async (attribute: 'accessToken' | 'refreshToken') => (item[attribute] === undefined ? undefined : openCached(table, domain, attribute, item[attribute] as Uint8Array));
  const [accessToken, refreshToken] = await Promise.all([open('accessToken'), open('refreshToken')]);
  for (const token of [accessToken, refreshToken]) {
    if (token !== undefined && shopify.issuedFor.get(token) !== shopify.install) throw new Error('the stored tokens are not those of the newest install');
  }
  if (shopify.installed && refreshToken !== undefined && !shopify.validRefresh.has(refreshToken)) throw new Error('the stored refresh token is one Shopify retired');
  if (!shopify.installed && state.newestUninstallDelivered && hasTokens) throw new Error('the newest install was uninstalled and its webhook delivered, but the shop holds tokens');
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

let sharedCrypto: TokenCrypto | undefined;
/** One raw AES key for every sequence of a run. */
export function modelCrypto(): TokenCrypto {
  sharedCrypto ??= new TokenCrypto(rawAesKeyring(randomBytes(32)));
  return sharedCrypto;
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
