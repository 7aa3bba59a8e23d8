import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { writeImportHistory, type ImportHistoryWrite } from '../infra/client/import-history-writer';
import { createClients } from '../scripts/lib/clients';
import { startLocalEngine, type LocalEngine } from '../scripts/lib/local-engine';
import { createTables, tablesFromTemplate } from '../scripts/lib/template-tables';
import { devTemplate } from './support/dev-template';

let engine: LocalEngine;
let client: DynamoDBClient;
let doc: DynamoDBDocumentClient;

beforeAll(async () => {
  engine = await startLocalEngine({ port: 0 });
  ({ client, doc } = createClients({ region: 'us-east-1', endpoint: engine.endpoint, local: true }));
  await createTables(client, tablesFromTemplate(devTemplate()).filter(({ createTable }) => createTable.TableName === 'ImportHistory-dev'));
});

afterAll(async () => {
  client.destroy();
  await engine.close();
});

describe('ImportHistory writer', () => {
  const SHOP = 'burst-imports.myshopify.com';
  const FINISHED_AT = new Date('2026-11-25T10:00:00.250Z');
  const FIRST = 1_795_600_800; // 2026-11-25T10:00:00Z
  const record = (n: number) => ({
    shopDomain: SHOP,
    jobId: `01KBURST${String(n).padStart(18, '0')}`,
    finishedAt: FINISHED_AT,
    productsImported: n,
    status: 'COMPLETED' as const,
    errorCount: 0,
  });
  let results: ImportHistoryWrite[];
  beforeAll(async () => {
    results = await Promise.all(Array.from({ length: 200 }, (_, n) => writeImportHistory(doc, 'dev', record(n))));
  }, 120_000);

  test('200 writes for one shop in one second: each is stored or reported as a collision, none lost', async () => {
    const stored = results.flatMap((result, n) => (result.outcome === 'stored' ? [{ n, timestamp: result.timestamp }] : []));
    const collisions = results.filter((result) => result.outcome === 'collision');
    expect(stored.length + collisions.length).toBe(200);
    // The first second and the 5 retries after it: six records fit, the other 194 are reported.
    expect(stored.map(({ timestamp }) => timestamp).sort()).toEqual([FIRST, FIRST + 1, FIRST + 2, FIRST + 3, FIRST + 4, FIRST + 5]);
    expect(collisions).toHaveLength(194);
    expect(collisions[0]).toEqual({ outcome: 'collision', triedTimestamps: [FIRST, FIRST + 1, FIRST + 2, FIRST + 3, FIRST + 4, FIRST + 5] });

    const { Items } = await doc.send(
      new QueryCommand({ TableName: 'ImportHistory-dev', KeyConditionExpression: 'shopDomain = :shop', ExpressionAttributeValues: { ':shop': SHOP } }),
    );
    expect(Items!.map((item) => [item.timestamp, item.jobId, item.expiresAt])).toEqual(
      stored
        .sort((a, b) => a.timestamp - b.timestamp)
        .map(({ n, timestamp }) => [timestamp, record(n).jobId, timestamp + 365 * 86_400]),
    );
  });

  test('a retried write of a stored record is recognised by its jobId and not stored twice', async () => {
    const n = results.findIndex((result) => result.outcome === 'stored');
    const first = results[n] as { timestamp: number };
    expect(await writeImportHistory(doc, 'dev', record(n))).toEqual({ outcome: 'alreadyStored', timestamp: first.timestamp });
    const { Count } = await doc.send(
      new QueryCommand({ TableName: 'ImportHistory-dev', KeyConditionExpression: 'shopDomain = :shop', ExpressionAttributeValues: { ':shop': SHOP }, Select: 'COUNT' }),
    );
    expect(Count).toBe(6);
  });
});
