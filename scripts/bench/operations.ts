import { randomBytes } from 'node:crypto';
import { GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Session } from '@shopify/shopify-api';
import { MemorySessionStorage } from '@shopify/shopify-app-session-storage-memory';
import { ulid } from 'ulid';
import { expiresAt, type DataClientWithShops, type JobsClient, type NewJob } from '../../infra/client';
import { sealedSessionStorage } from '../../infra/client/shopify';
import { tableSchema } from '../../infra/data/schemas';
import { physicalTableName } from '../../infra/data/stages';
import type { Operation } from './paired';

export const JOBS_TABLE = physicalTableName('Jobs', 'dev');
export const SHOPS_TABLE = physicalTableName('Shops', 'dev');
const SHOP = 'bench.myshopify.com';
export const JOB: NewJob = { shopDomain: SHOP, type: 'import', mode: 'upsert', isDryRun: false, totalProducts: 1000 };

/** The jobs client's create, claim, progress and list beside the same requests written by hand. */
export function jobOperations(jobs: JobsClient, doc: DynamoDBDocumentClient): Operation[] {
  const ttl = tableSchema('Jobs').ttl;
  const now = () => new Date().toISOString();
  return [
    {
      name: 'create',
      client: () => jobs.create(JOB),
      hand: () => {
        const at = new Date();
        return doc.send(
          new PutCommand({
            TableName: JOBS_TABLE,
            Item: { jobId: ulid(at.getTime()), ...JOB, createdAt: at.toISOString(), updatedAt: at.toISOString(), status: 'PENDING', processedProducts: 0, expiresAt: expiresAt(ttl, at) },
            ConditionExpression: 'attribute_not_exists(#id)',
            ExpressionAttributeNames: { '#id': 'jobId' },
          }),
        );
      },
    },
    {
      name: 'claim',
      client: (jobId) => jobs.claim(jobId),
      hand: (jobId) =>
        doc.send(
          new UpdateCommand({
            TableName: JOBS_TABLE,
            Key: { jobId },
            UpdateExpression: 'SET #status = :to, #updatedAt = :now',
            ConditionExpression: '#status = :from',
            ExpressionAttributeNames: { '#status': 'status', '#updatedAt': 'updatedAt' },
            ExpressionAttributeValues: { ':from': 'PENDING', ':to': 'RUNNING', ':now': now() },
            ReturnValues: 'ALL_NEW',
          }),
        ),
    },
    {
      name: 'progress',
      client: (jobId) => jobs.progress(jobId, 10),
      hand: (jobId) =>
        doc.send(
          new UpdateCommand({
            TableName: JOBS_TABLE,
            Key: { jobId },
            UpdateExpression: 'SET #processed = :processed, #updatedAt = :now',
            ConditionExpression: '#status = :running AND (attribute_not_exists(#processed) OR #processed <= :processed)',
            ExpressionAttributeNames: { '#status': 'status', '#processed': 'processedProducts', '#updatedAt': 'updatedAt' },
            ExpressionAttributeValues: { ':running': 'RUNNING', ':processed': 10, ':now': now() },
            ReturnValues: 'ALL_NEW',
          }),
        ),
    },
    {
      name: 'list',
      client: () => jobs.listByShop(SHOP, { limit: 20 }),
      hand: () =>
        doc.send(
          new QueryCommand({
            TableName: JOBS_TABLE,
            IndexName: 'shopDomain-createdAt',
            KeyConditionExpression: '#pk = :pk AND #sk >= :from',
            ExpressionAttributeNames: { '#pk': 'shopDomain', '#sk': 'createdAt' },
            ExpressionAttributeValues: { ':pk': SHOP, ':from': new Date(Date.now() - 90 * 86_400_000 + 1000).toISOString() },
            ScanIndexForward: false,
            Limit: 20,
          }),
        ),
    },
  ];
}

/**
 * `loadSession` of a warm offline session through the sealed storage (over Shopify's memory
 * storage), beside what a plain-text session storage does: one GetItem of an item holding the
 * token in clear. Resolves with the operation and the count of values the client opened so far
 * (KMS Decrypt requests, in AWS).
 */
export async function sessionOperation(data: DataClientWithShops, doc: DynamoDBDocumentClient, opened: () => number): Promise<{ operation: Operation; decrypts: () => number }> {
  const shop = 'bench-session.myshopify.com';
  const token = `shpat_${randomBytes(16).toString('hex')}`;
  const storage = sealedSessionStorage({ inner: new MemorySessionStorage(), data, refresh: async () => Promise.reject(new Error('no refresh in the bench')) });
  const session = new Session({ id: `offline_${shop}`, shop, state: '', isOnline: false, scope: 'read_products', accessToken: token, expires: new Date(Date.now() + 3_600_000) });
  await storage.storeSession(session);
  const plain = 'bench-plaintext.myshopify.com';
  await doc.send(new PutCommand({ TableName: SHOPS_TABLE, Item: { domain: plain, accessToken: token, scope: 'read_products', expires: session.expires!.toISOString() } }));
  // A warm session: this process has loaded it before.
  await storage.loadSession(session.id);
  const before = opened();
  return {
    operation: {
      name: 'loadSession (warm, offline)',
      client: () => storage.loadSession(session.id),
      hand: () => doc.send(new GetCommand({ TableName: SHOPS_TABLE, Key: { domain: plain } })),
    },
    decrypts: () => opened() - before,
  };
}
