import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClients } from '../scripts/lib/clients';
import { startLocalEngine } from '../scripts/lib/local-engine';
import { createTables, tablesFromTemplate } from '../scripts/lib/template-tables';
import { main } from '../scripts/local';
import { devTemplate } from './support/dev-template';

async function runLocal(argv: string[]) {
  const lines: string[] = [];
  const code = await main(argv, { print: (line) => lines.push(line), loadTemplate: async () => devTemplate() });
  return { code, lines };
}

test('npm run local creates the dev tables, seeds them and prints every access pattern with its item count', async () => {
  const { code, lines } = await runLocal(['--port', '0']);
  expect(code).toBe(0);
  expect(lines[1]).toBe('Tables from the dev template: Shops-dev, Jobs-dev, ImportHistory-dev; 58 demo items written.');
  const rows = lines
    .filter((line) => /^(shopByDomain|jobById|jobsByShop|jobsByStatus|importHistoryByShop) /.test(line))
    .map((line) => line.split(/\s{2,}/).slice(0, 3));
  expect(rows).toEqual([
    ['shopByDomain', '1', '0.5'],
    ['jobById', '1', '0.5'],
    ['jobsByShop', '20+', '0.5'],
    ['jobsByStatus', '3', '0.5'],
    ['importHistoryByShop', '5', '0.5'],
  ]);
  expect(lines).toContain(
    'jobsByStatus         3      0.5         Query Jobs-dev index status-createdAt status = "RUNNING" AND createdAt BETWEEN "2026-11-24T12:00:00.000Z" AND "2026-11-25T12:00:00.000Z", oldest first',
  );
});

test('a port outside 0-65535 is refused in one line', async () => {
  await expect(runLocal(['--port', '70000'])).rejects.toThrow('--port must be a whole number from 0 to 65535, not "70000".');
});

test('a --path that is a file, or whose parent is missing, is refused in one line before the engine starts', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'local-path-'));
  const file = join(dir, 'data');
  writeFileSync(file, '');
  await expect(runLocal(['--path', file])).rejects.toThrow(`--path ${file} is a file, not a directory.`);
  await expect(runLocal(['--path', join(dir, 'missing', 'data')])).rejects.toThrow(
    `--path ${join(dir, 'missing', 'data')} cannot hold the engine's data: its parent folder ${join(dir, 'missing')} does not exist.`,
  );
});

describe('a persisted --path', () => {
  const dirs: string[] = [];
  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'local-data-'));
    dirs.push(dir);
    return dir;
  };
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  test('held by another running engine is refused in one line', async () => {
    const path = tempDir();
    const other = await startLocalEngine({ port: 0, path });
    try {
      await expect(runLocal(['--port', '0', '--path', path])).rejects.toThrow(
        `--path ${path} is in use by another running engine (its LevelDB LOCK is held); stop that engine or pick another --path.`,
      );
    } finally {
      await other.close();
    }
  });

  test('made from an older schema map is refused as stale, naming the table that differs and the fix', async () => {
    const path = tempDir();
    const older = await startLocalEngine({ port: 0, path });
    const { client } = createClients({ region: 'us-east-1', endpoint: older.endpoint, local: true });
    const jobs = tablesFromTemplate(devTemplate()).find((table) => table.createTable.TableName === 'Jobs-dev')!.createTable;
    await createTables(client, [{ createTable: { ...jobs, GlobalSecondaryIndexes: jobs.GlobalSecondaryIndexes!.slice(0, 1) } }]);
    client.destroy();
    await older.close();
    await expect(runLocal(['--port', '0', '--path', path])).rejects.toThrow(
      `--path ${path} is stale: it was made from an older schema map (Jobs-dev indexes: shopDomain-createdAt; expected shopDomain-createdAt, status-createdAt); use a new --path or delete ${path}.`,
    );
  });

  test('that this run created is removed again when the run fails', async () => {
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const { port } = busy.address() as AddressInfo;
    const path = join(tempDir(), 'data');
    try {
      await expect(runLocal(['--port', String(port), '--path', path])).rejects.toThrow(`Port ${port} is in use`);
    } finally {
      busy.close();
    }
    expect(existsSync(path)).toBe(false);
  });
});
