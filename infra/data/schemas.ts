import type { TableSchema } from './schema-model';

/**
 * The one source of truth for the data layer's tables. Constructs, tests, docs and the local
 * engine are all driven by this map; change a table here and nowhere else.
 *
 * Sessions are not here: the app's own session storage (Prisma) keeps each Shopify session's
 * fields but its tokens; an offline session's tokens are in Shops, sealed, and an online one's stay
 * sealed in the app's row (the client's `./shopify` entry; see docs/decisions/0001-sessions-prisma-keeps-their-fields-the-shops-table.md).
 */
export const TABLE_SCHEMAS = [
  {
    name: 'Shops',
    purpose: 'One item per merchant shop that installed the app: its sealed Shopify tokens, plan, billing and settings.',
    partitionKey: { name: 'domain', type: 'S' },
    attributes: [
      { name: 'domain', type: 'S', description: 'The shop\'s myshopify.com domain, e.g. "acme.myshopify.com".' },
      { name: 'name', type: 'S', description: 'The shop\'s display name; absent for a shop installed from a session alone until the app sets its profile.' },
      {
        name: 'accessToken',
        type: 'B',
        description: 'Shopify Admin API offline access token (expires after about 60 minutes), sealed: an AWS Encryption SDK message under the stage\'s token key, bound to table, shop and attribute. Absent after uninstall, and while the shop holds no usable token (Shopify refused it with a 401, or the app deleted the offline session).',
        sensitive: true,
        sealed: true,
      },
      { name: 'accessTokenExpiresAt', type: 'S', description: 'When the access token expires, ISO-8601 UTC; absent for a non-expiring token (stored until Shopify\'s cut-over, 2027-01-01).' },
      {
        name: 'refreshToken',
        type: 'B',
        description: 'Shopify refresh token that obtains the next access token, sealed like accessToken. Absent after uninstall, and for a non-expiring token.',
        sensitive: true,
        sealed: true,
      },
      { name: 'refreshTokenExpiresAt', type: 'S', description: 'When the refresh token expires, ISO-8601 UTC, when Shopify gave it; after it the merchant must open the app again.' },
      {
        name: 'scopes',
        type: 'S',
        description:
          'Access scopes Shopify granted with the tokens, exactly as it sent them, e.g. "write_products,read_products": order and text kept, so a session loaded back equals the one stored. Items written before held a string set, read back sorted and comma-joined.',
      },
      {
        name: 'tokenVersion',
        type: 'N',
        description: 'Counts token writes: 1 at a grant, +1 per refresh or invalidation. A refresh is conditional on the version it read, so of two concurrent refreshes one wins.',
      },
      { name: 'plan', type: 'S', description: 'The app plan the shop is on, a lower-case id, e.g. "free", "pro"; absent until the app sets the profile.' },
      {
        name: 'installedAt',
        type: 'S',
        description:
          'When the current grant (an install, a re-install or a new grant) was stored, ISO-8601 UTC. An `app/uninstalled` event older than it by more than 10 s belongs to an earlier install and changes nothing.',
      },
      { name: 'uninstalledAt', type: 'S', description: 'When the app was uninstalled: the `app/uninstalled` webhook\'s event time, ISO-8601 UTC; absent while installed. Redaction deletes only a shop that has it.' },
      {
        name: 'installId',
        type: 'S',
        description: 'ULID of the current grant (its generation), new at every grant and kept after uninstall. Every token write names the generation it read, so nothing read from an earlier grant is ever written back.',
      },
      {
        name: 'refreshLeaseHolder',
        type: 'S',
        description: 'Random id of the worker refreshing the tokens now; absent when no refresh runs. Taken and released by `tokens.fresh`, so one worker at a time presents the refresh token to Shopify.',
      },
      { name: 'refreshLeaseExpiresAt', type: 'S', description: 'When the refresh lease lapses, ISO-8601 UTC, so a worker that died mid-refresh blocks the others for seconds only.' },
      { name: 'billingStatus', type: 'S', description: 'Shopify billing state: "active", "pending", "frozen" or "cancelled"; absent until the app sets the profile.' },
      { name: 'settings', type: 'M', description: 'Per-shop import/export preferences: JSON values, at most 64 KB.' },
    ],
    indexes: [],
    noIndexReason: 'Every read is a lookup by domain, which the primary key answers; an index would only add write cost.',
    accessPatterns: [
      { name: 'shopByDomain', description: 'Load a shop by its domain.', operation: 'GetItem' },
    ],
    redaction: { by: 'key' },
  },
  {
    name: 'Jobs',
    purpose: 'One item per product import or export job: what it does, its status and its progress.',
    partitionKey: { name: 'jobId', type: 'S' },
    attributes: [
      {
        name: 'jobId',
        type: 'S',
        description:
          'ULID of the job, which sorts by creation time; for a job created with an idempotency key, 26 characters of the same alphabet taken from SHA-256 of the shop and the key, so a retried create addresses the same item.',
      },
      { name: 'shopDomain', type: 'S', description: 'Domain of the shop that owns the job.' },
      { name: 'createdAt', type: 'S', description: 'When the job was created, ISO-8601 UTC with milliseconds (e.g. "2026-11-25T09:30:00.000Z").' },
      { name: 'updatedAt', type: 'S', description: 'When the job last changed, ISO-8601 UTC.' },
      { name: 'type', type: 'S', description: '"import" or "export".' },
      { name: 'mode', type: 'S', description: 'How products are matched: "create", "update" or "upsert".' },
      { name: 'status', type: 'S', description: '"PENDING", "RUNNING", "COMPLETED", "FAILED" or "CANCELLED".' },
      { name: 'isDryRun', type: 'BOOL', description: 'True when the job validates without writing to Shopify.' },
      { name: 'totalProducts', type: 'N', description: 'Products the job will process.' },
      { name: 'processedProducts', type: 'N', description: 'Products processed so far.' },
      { name: 'errorMessage', type: 'S', description: 'Why the job failed; absent unless status is FAILED.' },
      { name: 'expiresAt', type: 'N', description: 'Epoch seconds when the item expires: createdAt + 90 days.' },
      {
        name: 'leaseOwner',
        type: 'S',
        description: 'Id of the worker holding the job while it is RUNNING; progress, completion and failure are conditional on it. Absent in every other status.',
      },
      {
        name: 'leaseExpiresAt',
        type: 'S',
        description:
          'When the worker\'s lease lapses, ISO-8601 UTC; the worker renews it while it runs, and once it has passed another worker may reclaim or fail the job. On no index, so a renewal writes the item only. Absent unless RUNNING.',
      },
      {
        name: 'idempotencyKey',
        type: 'S',
        description: 'The app request\'s key a job was created with, if any (1 to 128 printable characters); a retried create with the same shop and key returns this job.',
      },
    ],
    indexes: [
      {
        name: 'shopDomain-createdAt',
        partitionKey: { name: 'shopDomain', type: 'S' },
        sortKey: { name: 'createdAt', type: 'S' },
        projection: {
          type: 'INCLUDE',
          attributes: ['type', 'mode', 'status', 'isDryRun', 'totalProducts', 'processedProducts'],
          reason: 'The shop\'s job list renders exactly these columns without a second read; error text stays off the index.',
        },
      },
      {
        name: 'status-createdAt',
        partitionKey: { name: 'status', type: 'S' },
        sortKey: { name: 'createdAt', type: 'S' },
        projection: {
          type: 'KEYS_ONLY',
          reason: 'Workers only need job ids to claim work; progress updates then never rewrite this hot, low-cardinality index.',
        },
        hotKeyProne: {
          reason: 'Five status values carry every job, so one status is one partition; its throttling also throttles the Jobs writes that feed it.',
        },
      },
    ],
    ttl: { attribute: 'expiresAt', retentionDays: 90, countedFrom: 'createdAt' },
    hotKeyProne: {
      reason: 'Each job is rewritten on every progress update, so a worker stuck in a retry loop hammers one jobId; throttled index writes surface here too.',
    },
    accessPatterns: [
      { name: 'jobById', description: 'Load one job by its id.', operation: 'GetItem' },
      {
        name: 'jobsByShop',
        description: 'A shop\'s jobs, newest first, one page at a time.',
        index: 'shopDomain-createdAt',
        operation: 'Query',
        newestFirst: true,
      },
      {
        name: 'jobsByStatus',
        description: 'Jobs in one status created within a time window, oldest first; the RUNNING ones are where lapsed leases are looked for.',
        index: 'status-createdAt',
        operation: 'Query',
      },
    ],
    redaction: { by: 'accessPattern', accessPattern: 'jobsByShop' },
  },
  {
    name: 'ImportHistory',
    purpose: 'One item per finished import, kept for a year for the shop\'s history page and support.',
    partitionKey: { name: 'shopDomain', type: 'S' },
    sortKey: { name: 'timestamp', type: 'N' },
    attributes: [
      { name: 'shopDomain', type: 'S', description: 'Domain of the shop the import ran for.' },
      {
        name: 'timestamp',
        type: 'N',
        description:
          'When the import finished: Unix time in seconds with exactly five decimals, the first three the milliseconds and the last two the job\'s slot in that millisecond (e.g. 1795600800.25037 for 2026-11-25T10:00:00.250Z, slot 37); unique per shop (see writer rules).',
      },
      { name: 'jobId', type: 'S', description: 'ULID of the job that ran the import.' },
      { name: 'productsImported', type: 'N', description: 'Products written to Shopify.' },
      { name: 'status', type: 'S', description: '"COMPLETED", "PARTIAL" or "FAILED".' },
      { name: 'errorCount', type: 'N', description: 'Products that failed.' },
      { name: 'expiresAt', type: 'N', description: 'Epoch seconds when the item expires: the whole seconds of timestamp + 365 days.' },
    ],
    indexes: [],
    noIndexReason: 'The only read is a shop\'s history in a date range, which the primary key (shopDomain, timestamp) answers.',
    ttl: { attribute: 'expiresAt', retentionDays: 365, countedFrom: 'timestamp' },
    accessPatterns: [
      {
        name: 'importHistoryByShop',
        description: 'A shop\'s imports within a date range, newest first.',
        operation: 'Query',
        newestFirst: true,
      },
    ],
    appendOnly: true,
    redaction: { by: 'accessPattern', accessPattern: 'importHistoryByShop' },
    writerRules: [
      'Build timestamp as text and convert it once: "<whole Unix seconds>.<milliseconds, 3 digits><slot, 2 digits>", where slot is the first 4 bytes of SHA-256(jobId), big-endian, modulo 100 (`importTimestamp` in infra/client/import-history/timestamps.ts). Ten digits of seconds plus five decimals are 15 significant digits, which every IEEE double (a JavaScript number, as @aws-sdk/lib-dynamodb reads N) holds exactly; a sixth decimal or epoch milliseconds with three decimals would not. Trailing zeros drop in storage (slot 20 at .250 is 1795600800.2502); readers take the milliseconds from the first three decimals of the text, padded with zeros, and never multiply by 1000.',
      'A retry of the same job computes the same key, and two jobs finishing in different milliseconds never share one. Write with PutItem, ConditionExpression "attribute_not_exists(#timestamp)" and ExpressionAttributeNames {"#timestamp": "timestamp"} (timestamp is a DynamoDB reserved word): never an unconditional put.',
      'On ConditionalCheckFailedException, GetItem that key with ConsistentRead: if the stored jobId is the writer\'s own, the record is already there (a retried request) and the write is done. Otherwise another job of the shop finished in the same millisecond and took the slot: try the next slot, (slot + 1) modulo 100, in the same millisecond, and so on; a retry walks the same slots and finds its own record.',
      'expiresAt is the whole seconds of timestamp + 365 days. A date range [from, to] reads timestamp BETWEEN from (slot 00 of its millisecond) AND to (slot 99 of its millisecond).',
      'Only if all 100 slots of one millisecond hold other jobs of the shop, report the conflict to the caller so the job fails visibly: never drop the record silently.',
    ],
  },
] as const satisfies readonly TableSchema[];

/** Logical names of the tables in the map. */
export type TableName = (typeof TABLE_SCHEMAS)[number]['name'];

/** The schema-map entry of a table, with its literal type (so e.g. `tableSchema('Jobs').ttl` is defined). */
export function tableSchema<N extends TableName>(name: N): Extract<(typeof TABLE_SCHEMAS)[number], { name: N }> {
  return TABLE_SCHEMAS.find((schema) => schema.name === name) as Extract<(typeof TABLE_SCHEMAS)[number], { name: N }>;
}
