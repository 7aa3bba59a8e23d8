import { createHash } from 'node:crypto';
import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ACCESS_EXAMPLES } from '../../infra/policy/access-examples';
import { tableSchema, type TableName } from '../../infra/data/schemas';
import { physicalTableName } from '../../infra/data/stages';
import { epochSeconds, expiresAt, SEALED_ATTRIBUTES, sealTokenSet, type ShopTokens, type TokenCrypto } from '../../infra/client';

/** An item as the application writes it. */
export type DemoItem = Record<string, unknown>;

const ACME = ACCESS_EXAMPLES.shopByDomain.params.partitionKey as string;
const NORTHWIND = 'northwind-gear.myshopify.com';
const BLUE_HERON = 'blue-heron-books.myshopify.com';
const HOUR_MS = 3_600_000;
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * A ULID for a time: 48-bit milliseconds then 80 "random" bits, here hashed from `seed` so the
 * demo data is the same on every run.
 */
function ulid(time: Date, seed: number): string {
  let head = '';
  for (let ms = time.getTime(), i = 0; i < 10; i += 1, ms = Math.floor(ms / 32)) head = CROCKFORD[ms % 32] + head;
  const random = createHash('sha256').update(`demo-${seed}`).digest();
  return head + Array.from(random.subarray(0, 16), (byte) => CROCKFORD[byte % 32]).join('');
}

/** Demo tokens as Shopify would issue them, around EXAMPLE_NOW; sealed when seeded, never stored as they are here. */
function demoTokens(secret: string, accessExpiresAt: string, refreshExpiresAt: string): ShopTokens {
  return {
    accessToken: `shpat_demo_${secret}`,
    accessTokenExpiresAt: new Date(accessExpiresAt),
    refreshToken: `shprt_demo_${secret}`,
    refreshTokenExpiresAt: new Date(refreshExpiresAt),
    scopes: ['read_products', 'write_products'],
  };
}

/** A demo shop: its item without the token set, and the tokens of an installed shop. */
interface DemoShop {
  readonly item: DemoItem;
  readonly tokens?: ShopTokens;
}

const shops: DemoShop[] = [
  {
    item: {
      domain: ACME,
      name: 'Acme Outfitters',
      plan: 'pro',
      installedAt: '2025-03-14T10:22:05.000Z',
      billingStatus: 'active',
      settings: { defaultImportMode: 'upsert', notifyOnCompletion: true, locale: 'en-US' },
    },
    tokens: demoTokens('0f3a9c1be27d4e58a6b0c2d1e9f87a65', '2026-11-25T12:40:00.000Z', '2027-02-23T11:40:00.000Z'),
  },
  {
    item: {
      domain: NORTHWIND,
      name: 'Northwind Gear',
      plan: 'free',
      installedAt: '2026-11-02T16:05:41.000Z',
      billingStatus: 'pending',
      settings: { defaultImportMode: 'create', notifyOnCompletion: false, locale: 'en-GB' },
    },
    // Expired 20 minutes before EXAMPLE_NOW: the next API call refreshes it first.
    tokens: demoTokens('7c2e51d0a94b4f3e8d16b5a0c3e2f419', '2026-11-25T11:40:00.000Z', '2027-01-31T10:40:00.000Z'),
  },
  {
    // Uninstalled: its tokens were removed with the uninstall.
    item: {
      domain: BLUE_HERON,
      name: 'Blue Heron Books',
      plan: 'pro',
      installedAt: '2025-06-30T08:47:12.000Z',
      uninstalledAt: '2026-10-02T19:13:55.000Z',
      billingStatus: 'cancelled',
      settings: { defaultImportMode: 'update', notifyOnCompletion: true, locale: 'en-US' },
    },
  },
];

/** The plain-text demo secrets, for checks that no stored item holds one. */
export const DEMO_SECRETS: readonly string[] = shops.flatMap(({ tokens }) => (tokens ? SEALED_ATTRIBUTES.flatMap((attribute) => tokens[attribute] ?? []) : []));

type JobStatus = 'PENDING' | 'RUNNING' | 'COMPLETED' | 'FAILED' | 'CANCELLED';

interface JobSpec {
  readonly jobId?: string;
  readonly shopDomain: string;
  readonly createdAt: string;
  readonly status: JobStatus;
  readonly type?: 'import' | 'export';
  readonly mode?: 'create' | 'update' | 'upsert';
  readonly isDryRun?: boolean;
}

function job(spec: JobSpec, seed: number): DemoItem {
  const created = new Date(spec.createdAt);
  const total = 40 + ((seed * 37) % 460);
  const processed = { PENDING: 0, RUNNING: Math.floor(total / 3), COMPLETED: total, FAILED: Math.floor(total / 2), CANCELLED: Math.floor(total / 5) }[spec.status];
  const finished = spec.status !== 'PENDING' && spec.status !== 'RUNNING';
  return {
    jobId: spec.jobId ?? ulid(created, seed),
    shopDomain: spec.shopDomain,
    createdAt: spec.createdAt,
    updatedAt: new Date(created.getTime() + (finished ? 11 * 60_000 : 90_000)).toISOString(),
    type: spec.type ?? (seed % 4 === 3 ? 'export' : 'import'),
    mode: spec.mode ?? (['upsert', 'create', 'update'] as const)[seed % 3],
    status: spec.status,
    isDryRun: spec.isDryRun ?? seed % 7 === 5,
    totalProducts: total,
    processedProducts: processed,
    ...(spec.status === 'FAILED' && { errorMessage: 'Shopify rejected the variant: SKU "TNT-42" is already in use.' }),
    expiresAt: expiresAt(tableSchema('Jobs').ttl, created),
  };
}

// Acme's live jobs, newest first, one every 93 hours: the oldest is 85 days old, still inside
// the 90-day retention. Only the newest is RUNNING; the rest cycle through finished states.
const ACME_FINISHED: readonly JobStatus[] = ['COMPLETED', 'COMPLETED', 'FAILED', 'COMPLETED', 'CANCELLED'];
const acmeLiveJobs: JobSpec[] = Array.from({ length: 23 }, (_, i) => ({
  shopDomain: ACME,
  createdAt: new Date(Date.parse('2026-11-25T11:00:00.000Z') - i * 93 * HOUR_MS).toISOString(),
  status: i === 0 ? 'RUNNING' : ACME_FINISHED[(i - 1) % ACME_FINISHED.length]!,
}));

const jobSpecs: JobSpec[] = [
  ...acmeLiveJobs,
  // Past their 90 days at EXAMPLE_NOW, not yet deleted by TTL: one by a second, one by weeks.
  { shopDomain: ACME, createdAt: '2026-08-27T11:59:59.000Z', status: 'COMPLETED' },
  { shopDomain: ACME, createdAt: '2026-07-01T08:15:00.000Z', status: 'FAILED' },
  { shopDomain: NORTHWIND, createdAt: '2026-11-25T11:55:00.000Z', status: 'PENDING', isDryRun: true },
  {
    jobId: ACCESS_EXAMPLES.jobById.params.partitionKey as string,
    shopDomain: NORTHWIND,
    createdAt: '2026-11-25T09:30:00.000Z',
    status: 'COMPLETED',
    type: 'import',
    mode: 'create',
  },
  { shopDomain: NORTHWIND, createdAt: '2026-11-25T08:45:00.000Z', status: 'RUNNING' },
  // The edges of the jobsByStatus example window (2026-11-24T12:00Z to 2026-11-25T12:00Z).
  { shopDomain: NORTHWIND, createdAt: '2026-11-24T12:00:00.000Z', status: 'RUNNING', type: 'export' },
  { shopDomain: NORTHWIND, createdAt: '2026-11-24T11:59:59.999Z', status: 'RUNNING' },
  { shopDomain: NORTHWIND, createdAt: '2026-11-20T14:10:00.000Z', status: 'CANCELLED' },
  { shopDomain: BLUE_HERON, createdAt: '2026-09-30T17:20:00.000Z', status: 'COMPLETED' },
  // A job stuck RUNNING since before the retention window: expired, not yet deleted.
  { shopDomain: BLUE_HERON, createdAt: '2026-08-01T09:00:00.000Z', status: 'RUNNING' },
];

const jobs: DemoItem[] = jobSpecs.map((spec, index) => job(spec, index + 1));

function importRecord(shopDomain: string, finishedAt: string, seed: number): DemoItem {
  const finished = new Date(finishedAt);
  const productsImported = 25 + ((seed * 53) % 900);
  const errorCount = seed % 5 === 2 ? 3 + (seed % 9) : 0;
  return {
    shopDomain,
    timestamp: epochSeconds(finished),
    jobId: ulid(new Date(finished.getTime() - 12 * 60_000), 1000 + seed),
    productsImported,
    status: errorCount === 0 ? 'COMPLETED' : productsImported > errorCount * 10 ? 'PARTIAL' : 'FAILED',
    errorCount,
    expiresAt: expiresAt(tableSchema('ImportHistory').ttl, finished),
  };
}

const IMPORT_TIMES: Record<string, readonly string[]> = {
  [ACME]: [
    // Past their 365 days at EXAMPLE_NOW: weeks ago, and exactly now (expiresAt equal to now).
    '2025-10-15T14:00:00.000Z',
    '2025-11-25T12:00:00.000Z',
    // One second inside the retention, then roughly monthly.
    '2025-11-25T12:00:01.000Z',
    '2025-12-03T09:12:44.000Z',
    '2026-01-12T15:40:02.000Z',
    '2026-02-09T11:05:37.000Z',
    '2026-03-16T08:58:19.000Z',
    '2026-04-06T13:21:50.000Z',
    '2026-05-11T10:02:33.000Z',
    '2026-06-08T16:47:08.000Z',
    '2026-07-13T07:30:55.000Z',
    '2026-08-10T12:14:26.000Z',
    // The edges of the importHistoryByShop example range (2026-09-01T00:00Z to 2026-11-25T12:00Z).
    '2026-08-31T23:59:59.000Z',
    '2026-09-01T00:00:00.000Z',
    '2026-09-18T10:36:12.000Z',
    '2026-10-07T14:09:48.000Z',
    '2026-11-02T09:51:03.000Z',
    '2026-11-25T12:00:00.000Z',
  ],
  [NORTHWIND]: ['2026-11-20T14:21:00.000Z', '2026-11-25T09:41:00.000Z'],
  [BLUE_HERON]: ['2026-07-21T18:02:00.000Z', '2026-09-30T17:31:00.000Z'],
};

const importHistory: DemoItem[] = Object.entries(IMPORT_TIMES).flatMap(([shop, times], shopIndex) =>
  times.map((time, index) => importRecord(shop, time, shopIndex * 100 + index + 1)),
);

/**
 * Realistic demo data around the examples' EXAMPLE_NOW (2026-11-25T12:00Z): three shops (one uninstalled), jobs in every
 * status, a year of import history, and items past their TTL that DynamoDB has not deleted yet.
 * Each access-pattern example returns a known set of these items. Shops' tokens are sealed with
 * `crypto` through the token store, as the app stores them.
 */
async function demoItems(stage: string, crypto: TokenCrypto): Promise<Readonly<Record<TableName, readonly DemoItem[]>>> {
  // Batch-written rather than installed, so that seeding a persisted engine again overwrites them.
  const table = physicalTableName('Shops', stage);
  const shopItems = await Promise.all(
    shops.map(async ({ item, tokens }) => (tokens ? { ...item, ...(await sealTokenSet({ crypto, table, shop: item.domain as string, tokens })) } : item)),
  );
  return { Shops: shopItems, Jobs: jobs, ImportHistory: importHistory };
}

/** Writes the demo items into a stage's tables, 25 per BatchWriteItem (the API's limit). */
export async function seedDemoData(doc: DynamoDBDocumentClient, stage: string, crypto: TokenCrypto): Promise<number> {
  const items = await demoItems(stage, crypto);
  const writes = Object.entries(items).flatMap(([table, tableItems]) =>
    chunks(tableItems, 25).map((chunk) => ({ table: physicalTableName(table, stage), chunk })),
  );
  await Promise.all(
    writes.map(async ({ table, chunk }) => {
      let pending: Record<string, Array<{ PutRequest: { Item: DemoItem } }>> | undefined = {
        [table]: chunk.map((Item) => ({ PutRequest: { Item } })),
      };
      while (pending && Object.keys(pending).length > 0) {
        const result = await doc.send(new BatchWriteCommand({ RequestItems: pending }));
        pending = result.UnprocessedItems as typeof pending;
      }
    }),
  );
  return Object.values(items).reduce((count, tableItems) => count + tableItems.length, 0);
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const result: T[][] = [];
  for (let start = 0; start < items.length; start += size) result.push(items.slice(start, start + size));
  return result;
}
