/**
 * The app's `app/shopify.server.ts` with the sealed session storage: Shopify's library keeps its
 * sessions through it and no token is kept in plain text at rest (docs/client.md, "Shopify's
 * session storage"). Type-checked in `npm test` against the Shopify packages the app uses.
 */
import '@shopify/shopify-app-react-router/adapters/node';
import { KMSClient } from '@aws-sdk/client-kms';
import { PrismaClient } from '@prisma/client';
import { ApiVersion, shopifyApi } from '@shopify/shopify-api';
import { AppDistribution, shopifyApp } from '@shopify/shopify-app-react-router/server';
import { PrismaSessionStorage } from '@shopify/shopify-app-session-storage-prisma';
import { ShopInstalledError, TokenCrypto, createDataClient, kmsKeyring, tableNamesFromEnvironment, type BillingStatus } from 'inavor-shuttle-data-infra/client';
import { sealedSessionStorage } from 'inavor-shuttle-data-infra/shopify';

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set.`);
  return value;
};

const prisma = new PrismaClient();

/** The data client with shops: the app's role has the token grant, and seals with the stage's token key. */
export const data = createDataClient({
  tables: tableNamesFromEnvironment(),
  tokenCrypto: new TokenCrypto(kmsKeyring(env('TOKEN_KEY_ARN'), new KMSClient({}))),
});

/** Shopify's API library, for the one call the session storage makes itself: the refresh, under the shop's lease. */
const api = shopifyApi({
  apiKey: env('SHOPIFY_API_KEY'),
  apiSecretKey: env('SHOPIFY_API_SECRET'),
  apiVersion: ApiVersion.October25,
  hostName: new URL(env('SHOPIFY_APP_URL')).host,
  isEmbeddedApp: true,
});

/**
 * Prisma keeps each session's other fields; the Shops table keeps every offline token, sealed;
 * an online session's token is sealed in Prisma's row.
 */
export const sessionStorage = sealedSessionStorage({
  inner: new PrismaSessionStorage(prisma),
  data,
  refresh: ({ shop, refreshToken }) => api.auth.refreshToken({ shop, refreshToken }),
});

const shopify = shopifyApp({
  apiKey: env('SHOPIFY_API_KEY'),
  apiSecretKey: env('SHOPIFY_API_SECRET'),
  apiVersion: ApiVersion.October25,
  scopes: env('SCOPES').split(','),
  appUrl: env('SHOPIFY_APP_URL'),
  authPathPrefix: '/auth',
  sessionStorage,
  distribution: AppDistribution.AppStore,
  // Expiring offline tokens, refreshed by loadSession under the lease (mandatory for public apps from 2027-01-01).
  future: { expiringOfflineAccessTokens: true },
  hooks: {
    // After OAuth or a token exchange the grant is stored already (storeSession); the profile comes from the Admin API.
    afterAuth: async ({ session, admin }) => {
      const response = await admin.graphql('{ shop { name } }');
      const { data: answer } = (await response.json()) as { data: { shop: { name: string } } };
      const shop = await data.shops.get(session.shop);
      await data.shops.update(session.shop, { name: answer.shop.name, ...(shop?.plan === undefined && { plan: 'free', billingStatus: 'active' }) });
    },
  },
});

export default shopify;
export const authenticate = shopify.authenticate;

/** When Shopify sent a webhook: its `X-Shopify-Triggered-At` (the event time decides, not the arrival). */
function eventTime(triggeredAt: string | undefined): Date {
  const at = triggeredAt === undefined ? Number.NaN : Date.parse(triggeredAt);
  return Number.isNaN(at) ? new Date() : new Date(at);
}

/** `app/routes/webhooks.app.uninstalled.tsx`: the shop is uninstalled at the event's time, and its sessions deleted. */
export async function appUninstalled(request: Request): Promise<Response> {
  const { shop, triggeredAt } = await authenticate.webhook(request);
  await sessionStorage.uninstalled(shop, eventTime(triggeredAt));
  return new Response();
}

/** `app/routes/webhooks.shop.redact.tsx`: 48 hours after the uninstall, the shop's data and sessions are deleted. */
export async function shopRedact(request: Request): Promise<Response> {
  const { shop } = await authenticate.webhook(request);
  try {
    await sessionStorage.redactShop(shop);
  } catch (error) {
    // The shop re-installed since: its live data stays. Acknowledge the webhook.
    if (!(error instanceof ShopInstalledError)) throw error;
  }
  return new Response();
}

/** `app/routes/webhooks.app_subscriptions.update.tsx`: the billing state, only for the install current at the event. */
export async function subscriptionUpdated(request: Request): Promise<Response> {
  const { shop, payload, triggeredAt } = await authenticate.webhook(request);
  const status = String((payload as { app_subscription?: { status?: string } }).app_subscription?.status ?? '').toLowerCase();
  const billingStatus: BillingStatus = status === 'active' ? 'active' : status === 'frozen' ? 'frozen' : status === 'pending' ? 'pending' : 'cancelled';
  await data.shops.update(shop, { billingStatus }, { eventAt: eventTime(triggeredAt) });
  return new Response();
}

/** For `npm run sessions -- --storage <this file>`: every session id of Prisma's table, in a fixed order. */
export async function* sessionIds(): AsyncIterable<string> {
  let cursor: string | undefined;
  for (;;) {
    const page = await prisma.session.findMany({ select: { id: true }, orderBy: { id: 'asc' }, take: 500, ...(cursor && { cursor: { id: cursor }, skip: 1 }) });
    if (page.length === 0) return;
    for (const { id } of page) yield id;
    cursor = page[page.length - 1]!.id;
  }
}
