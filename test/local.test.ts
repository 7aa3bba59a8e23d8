import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../scripts/local';
import { devTemplate } from './support/dev-template';

async function runLocal(argv: string[]) {
  const lines: string[] = [];
  const code = await main(argv, (line) => lines.push(line), async () => devTemplate());
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
    `--path ${join(dir, 'missing', 'data')} cannot hold the engine's data: ENOENT: no such file or directory`,
  );
});
