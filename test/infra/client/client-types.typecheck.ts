// Checked by the type-check of `npm test` (TypeScript 7), not run by Jest: each `@ts-expect-error` line
// must fail to compile, so a misspelt name or a wrong type stops the build.
import { buildAccessRequest, tableNameExport, tableNamesFromStackOutputs, type IndexEntry, type Item, type ItemKey, type JobsClient, type JobSummary } from '../../../infra/client';
import { tableSchema } from '../../../infra/data/schemas';

// Item types follow the attributes' DynamoDB types in the map.
export const job: Item<'Jobs'> = { jobId: '01K', isDryRun: true, totalProducts: 3, createdAt: '2026-11-25T00:00:00.000Z' };
export const shop: Item<'Shops'> = { domain: 'a.myshopify.com', settings: { locale: 'en-US' } };
// @ts-expect-error totalProducts is N: a number, not a string
export const wrongNumber: Item<'Jobs'> = { jobId: '01K', totalProducts: '3' };
// @ts-expect-error isDryRun is BOOL
export const wrongBoolean: Item<'Jobs'> = { jobId: '01K', isDryRun: 'yes' };
// @ts-expect-error the key attribute jobId is required
export const missingKey: Item<'Jobs'> = { status: 'PENDING' };
// @ts-expect-error an attribute the map does not declare
export const undeclared: Item<'Jobs'> = { jobId: '01K', startedAt: 'x' };
export const historyKey: ItemKey<'ImportHistory'> = { shopDomain: 'a', timestamp: 1_795_600_800.25037 };
// @ts-expect-error the ImportHistory sort key is N
export const wrongSortKey: ItemKey<'ImportHistory'> = { shopDomain: 'a', timestamp: '1795600800' };

// Index entries carry the index's keys and its projection, nothing else.
export const row: JobSummary = { jobId: '01K', shopDomain: 'a', createdAt: 'x', processedProducts: 2 };
// @ts-expect-error errorMessage is not projected into shopDomain-createdAt
export const unprojected: IndexEntry<'Jobs', 'shopDomain-createdAt'> = { jobId: '01K', shopDomain: 'a', createdAt: 'x', errorMessage: 'e' };
// @ts-expect-error the keys-only status index holds no processedProducts
export const keysOnly: IndexEntry<'Jobs', 'status-createdAt'> = { jobId: '01K', status: 'RUNNING', createdAt: 'x', processedProducts: 1 };

// Pattern names are literal: a misspelt one does not compile, and `.input` needs no narrowing.
export const byShop = buildAccessRequest(tableSchema('Jobs'), 'jobsByShop', 'Jobs-dev', { partitionKey: 'a' }).input.KeyConditionExpression;
export const byId = buildAccessRequest(tableSchema('Jobs'), 'jobById', 'Jobs-dev', { partitionKey: 'a' }).input.Key;
// @ts-expect-error a GetItem request has no KeyConditionExpression
export const noCondition = buildAccessRequest(tableSchema('Jobs'), 'jobById', 'Jobs-dev', { partitionKey: 'a' }).input.KeyConditionExpression;
// @ts-expect-error misspelt pattern name
export const misspelt = buildAccessRequest(tableSchema('Jobs'), 'jobsByShope', 'Jobs-dev', { partitionKey: 'a' });
// @ts-expect-error a pattern of another table
export const otherTable = buildAccessRequest(tableSchema('Shops'), 'jobById', 'Shops-dev', { partitionKey: 'a' });

// Stage names are literal.
export const exportName = tableNameExport('prod', 'Jobs');
// @ts-expect-error misspelt stage
export const badStage = tableNamesFromStackOutputs('prd', {});
// @ts-expect-error misspelt table
export const badTable = tableNameExport('prod', 'Job');

// The job state machine is in the types too.
export async function transitions(jobs: JobsClient): Promise<void> {
  await jobs.transition('01K', 'PENDING', 'RUNNING');
  // @ts-expect-error COMPLETED is final
  await jobs.transition('01K', 'COMPLETED', 'RUNNING');
  // @ts-expect-error PENDING cannot complete without running
  await jobs.transition('01K', 'PENDING', 'COMPLETED');
  // @ts-expect-error only PENDING or RUNNING jobs are cancelled
  await jobs.cancel('01K', 'FAILED');
}
