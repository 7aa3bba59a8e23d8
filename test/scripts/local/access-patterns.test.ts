import { randomBytes } from 'node:crypto';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ACCESS_EXAMPLES, EXAMPLE_NOW, type AccessPatternName } from '../../../infra/policy/access-examples';
import { rawAesKeyring, SEALED_ATTRIBUTES, TokenCrypto } from '../../../infra/client';
import { TABLE_SCHEMAS } from '../../../infra/data/schemas';
import { createClients } from '../../../scripts/shared/clients';
import { seedDemoData } from '../../../scripts/local/demo-data';
import { startLocalEngine, type LocalEngine } from '../../../scripts/shared/local-engine';
import { runExample, runPattern, type PatternRun } from '../../../scripts/local/run-patterns';
import { createTables, tablesFromTemplate } from '../../../scripts/shared/template-tables';
import { devTemplate } from '../../support/dev-template';

const ACME = 'acme-outfitters.myshopify.com';
let engine: LocalEngine;
let client: DynamoDBClient;
let doc: DynamoDBDocumentClient;
/** Every operation the clients sent, by SDK command name. */
const sent: string[] = [];
const runs = {} as Record<AccessPatternName, PatternRun>;

beforeAll(async () => {
  const template = devTemplate();
  engine = await startLocalEngine({ port: 0 });
  ({ client, doc } = createClients({ region: 'us-east-1', endpoint: engine.endpoint, local: true }));
  await createTables(client, tablesFromTemplate(template));
  await seedDemoData(doc, 'dev', new TokenCrypto(rawAesKeyring(randomBytes(32))));
  client.middlewareStack.add(
    (next, context) => (args) => {
      sent.push(context.commandName as string);
      return next(args);
    },
    { step: 'initialize', name: 'recordOperations' },
  );
  for (const pattern of Object.keys(ACCESS_EXAMPLES) as AccessPatternName[]) {
    runs[pattern] = await runExample(doc, 'dev', pattern);
  }
});

afterAll(async () => {
  client.destroy();
  await engine.close();
});

const createdAts = (run: PatternRun) => run.items.map((item) => item.createdAt);

describe('every access pattern in the schema map', () => {
  const patterns = TABLE_SCHEMAS.flatMap((schema) => schema.accessPatterns.map((pattern) => pattern.name));

  test('the examples sent only GetItem and Query requests to the engine', () => {
    expect(sent.slice(0, patterns.length)).toEqual(['GetItemCommand', 'GetItemCommand', 'QueryCommand', 'QueryCommand', 'QueryCommand']);
    expect(sent).not.toContain('ScanCommand');
  });

  test.each(patterns)('%s reads only what it returns (no filtered reads)', (pattern) => {
    const run = runs[pattern as AccessPatternName];
    expect(run.items.length).toBeGreaterThan(0);
    expect(run.scannedCount).toBe(run.items.length);
  });
});

test('shopByDomain returns the Acme Outfitters shop, its tokens as ciphertext', () => {
  expect(runs.shopByDomain.items).toEqual([
    {
      domain: ACME,
      name: 'Acme Outfitters',
      ...Object.fromEntries(SEALED_ATTRIBUTES.map((attribute) => [attribute, expect.any(Uint8Array)])),
      accessTokenExpiresAt: '2026-11-25T12:40:00.000Z',
      refreshTokenExpiresAt: '2027-02-23T11:40:00.000Z',
      scopes: 'read_products,write_products',
      tokenVersion: 1,
      installId: expect.any(String),
      plan: 'pro',
      installedAt: '2025-03-14T10:22:05.000Z',
      billingStatus: 'active',
      settings: { defaultImportMode: 'upsert', notifyOnCompletion: true, locale: 'en-US' },
    },
  ]);
});

test('jobById returns the one job with that id', () => {
  expect(runs.jobById.items).toEqual([
    expect.objectContaining({
      jobId: '01JDQ3Z8W5K2R7M4N6P9T0V1XY',
      shopDomain: 'northwind-gear.myshopify.com',
      createdAt: '2026-11-25T09:30:00.000Z',
      status: 'COMPLETED',
    }),
  ]);
});

describe('jobsByShop', () => {
  const PAGE_ONE = [
    '2026-11-25T11:00:00.000Z', '2026-11-21T14:00:00.000Z', '2026-11-17T17:00:00.000Z', '2026-11-13T20:00:00.000Z',
    '2026-11-09T23:00:00.000Z', '2026-11-06T02:00:00.000Z', '2026-11-02T05:00:00.000Z', '2026-10-29T08:00:00.000Z',
    '2026-10-25T11:00:00.000Z', '2026-10-21T14:00:00.000Z', '2026-10-17T17:00:00.000Z', '2026-10-13T20:00:00.000Z',
    '2026-10-09T23:00:00.000Z', '2026-10-06T02:00:00.000Z', '2026-10-02T05:00:00.000Z', '2026-09-28T08:00:00.000Z',
    '2026-09-24T11:00:00.000Z', '2026-09-20T14:00:00.000Z', '2026-09-16T17:00:00.000Z', '2026-09-12T20:00:00.000Z',
  ];

  test('the first page is the shop\'s 20 newest live jobs, newest first, with a key to continue', () => {
    expect(createdAts(runs.jobsByShop)).toEqual(PAGE_ONE);
    expect(runs.jobsByShop.items.every((item) => item.shopDomain === ACME)).toBe(true);
    expect(runs.jobsByShop.lastEvaluatedKey).toEqual(expect.objectContaining({ createdAt: '2026-09-12T20:00:00.000Z' }));
  });

  test('the next page continues from LastEvaluatedKey with the rest of the live jobs, from 2026-09-08 on, and ends the list', async () => {
    const { table, params } = ACCESS_EXAMPLES.jobsByShop;
    const next = await runPattern(doc, 'dev', table, 'jobsByShop', { ...params, startKey: runs.jobsByShop.lastEvaluatedKey });
    // How many are left depends on the TTL retention, which the test below pins.
    const all = await runPattern(doc, 'dev', table, 'jobsByShop', { ...params, limit: 100 });
    expect(createdAts(next)).toEqual(createdAts(all).slice(runs.jobsByShop.items.length));
    expect(createdAts(next).slice(0, 3)).toEqual(['2026-09-08T23:00:00.000Z', '2026-09-05T02:00:00.000Z', '2026-09-01T05:00:00.000Z']);
    expect(next.scannedCount).toBe(next.items.length);
    expect(next.lastEvaluatedKey).toBeUndefined();
  });

  test('jobs past their 90 days (created 2026-08-27T11:59:59Z and 2026-07-01) are never read', async () => {
    const { table, params } = ACCESS_EXAMPLES.jobsByShop;
    const all = await runPattern(doc, 'dev', table, 'jobsByShop', { ...params, limit: 100 });
    expect(all.items).toHaveLength(23);
    expect(all.scannedCount).toBe(23);
    expect(createdAts(all)).not.toContain('2026-08-27T11:59:59.000Z');
    expect(createdAts(all)).not.toContain('2026-07-01T08:15:00.000Z');
  });

  test('the index returns the job-list columns and leaves errorMessage, updatedAt and expiresAt off', () => {
    for (const item of runs.jobsByShop.items) {
      expect(Object.keys(item).sort()).toEqual([
        'createdAt', 'isDryRun', 'jobId', 'mode', 'processedProducts', 'shopDomain', 'status', 'totalProducts', 'type',
      ]);
    }
    expect(runs.jobsByShop.items.map((item) => item.status)).toContain('FAILED');
  });
});

describe('jobsByStatus', () => {
  test('returns the RUNNING jobs created within the window, its edges inclusive, oldest first, keys only', () => {
    expect(runs.jobsByStatus.items).toEqual([
      { jobId: expect.any(String), status: 'RUNNING', createdAt: '2026-11-24T12:00:00.000Z' },
      { jobId: expect.any(String), status: 'RUNNING', createdAt: '2026-11-25T08:45:00.000Z' },
      { jobId: expect.any(String), status: 'RUNNING', createdAt: '2026-11-25T11:00:00.000Z' },
    ]);
  });

  test('without a window it still leaves out the job stuck RUNNING since 2026-08-01 (expired)', async () => {
    const all = await runPattern(doc, 'dev', 'Jobs', 'jobsByStatus', { partitionKey: 'RUNNING', now: EXAMPLE_NOW });
    expect(createdAts(all)).toEqual([
      '2026-11-24T11:59:59.999Z',
      '2026-11-24T12:00:00.000Z',
      '2026-11-25T08:45:00.000Z',
      '2026-11-25T11:00:00.000Z',
    ]);
    expect(all.scannedCount).toBe(4);
  });
});

describe('importHistoryByShop', () => {
  test('returns the shop\'s imports in the date range, its edges inclusive, newest first', () => {
    expect(runs.importHistoryByShop.items.map((item) => item.timestamp)).toEqual([
      1_795_608_000, // 2026-11-25T12:00:00Z
      1_793_613_063, // 2026-11-02T09:51:03Z
      1_791_382_188, // 2026-10-07T14:09:48Z
      1_789_727_772, // 2026-09-18T10:36:12Z
      1_788_220_800, // 2026-09-01T00:00:00Z
    ]);
    expect(runs.importHistoryByShop.items.every((item) => item.shopDomain === ACME)).toBe(true);
  });

  test('without a range it reads a year of history and not the records past 365 days', async () => {
    const all = await runPattern(doc, 'dev', 'ImportHistory', 'importHistoryByShop', { partitionKey: ACME, now: EXAMPLE_NOW });
    const timestamps = all.items.map((item) => item.timestamp);
    expect(timestamps).toHaveLength(16);
    expect(all.scannedCount).toBe(16);
    // 2025-11-25T12:00:01Z: its expiresAt is one second after now.
    expect(timestamps.at(-1)).toBe(1_764_072_001);
    // 2025-11-25T12:00:00Z (expiresAt equal to now) and 2025-10-15T14:00:00Z are expired.
    expect(timestamps).not.toContain(1_764_072_000);
    expect(timestamps).not.toContain(1_760_536_800);
  });
});
