import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { rawAesKeyring, SEALED_ATTRIBUTES, TokenCrypto, TokenStore } from '../../../infra/client';
import { TABLE_SCHEMAS, tableSchema } from '../../../infra/data/schemas';
import { STAGES } from '../../../infra/data/stages';
import { createClients } from '../../../scripts/shared/clients';
import { DEMO_SECRETS } from '../../../scripts/local/demo-data';
import { startLocalEngine } from '../../../scripts/shared/local-engine';
import { WRAPPING_KEY_FILE } from '../../../scripts/local/local-token-key';
import { createTables, tablesFromTemplate } from '../../../scripts/shared/template-tables';
import { main } from '../../../scripts/local/main';
import { localEngineCliExamples, expandedVariables } from '../../../scripts/rehearse/docs-cli-cases';
import { devTemplate } from '../../support/dev-template';

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

test('npm run local seeds only ciphertext for sealed attributes; the key kept beside --path data, and printed by --keep, opens them', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'local-tokens-'));
  expect((await runLocal(['--port', '0', '--path', dir])).code).toBe(0);
  const keyFile = join(dir, WRAPPING_KEY_FILE);
  expect(statSync(keyFile).mode & 0o777).toBe(0o600);
  const key = Buffer.from(readFileSync(keyFile, 'utf8'), 'base64');
  // A second run reuses the key, so tokens stored by the first still open; --keep hands it to the app.
  const lines: string[] = [];
  const kept = await main(['--port', '0', '--path', dir, '--keep'], {
    print: (line) => lines.push(line),
    loadTemplate: async () => devTemplate(),
    untilStopped: async () => 'SIGINT',
  });
  expect(kept).toBe(0);
  expect(Buffer.from(readFileSync(keyFile, 'utf8'), 'base64')).toEqual(key);
  expect(lines).toContain(`  export LOCAL_TOKEN_WRAPPING_KEY=${key.toString('base64')}`);
  // The SDK reads AWS_REGION; AWS CLI v1 reads only AWS_DEFAULT_REGION.
  for (const name of ['AWS_REGION', 'AWS_DEFAULT_REGION']) expect(lines).toContain(`  export ${name}=${STAGES.dev.region}`);
  for (const secret of DEMO_SECRETS) expect(lines.join('\n')).not.toContain(secret);

  const engine = await startLocalEngine({ port: 0, path: dir });
  const { client, doc } = createClients({ region: 'us-east-1', endpoint: engine.endpoint, local: true });
  try {
    const { Items = [] } = await client.send(new ScanCommand({ TableName: 'Shops-dev' }));
    const sealedValues = Items.flatMap((item) => SEALED_ATTRIBUTES.flatMap((attribute) => (item[attribute] ? [item[attribute]] : [])));
    // Two installed shops, each with every sealed attribute; the uninstalled one has none.
    expect(sealedValues).toHaveLength(2 * SEALED_ATTRIBUTES.length);
    for (const value of sealedValues) expect(Object.keys(value)).toEqual(['B']);
    const raw = JSON.stringify(Items, (_, value) => (value instanceof Uint8Array ? Buffer.from(value).toString('latin1') : value));
    expect(DEMO_SECRETS.length).toBeGreaterThan(0);
    for (const secret of DEMO_SECRETS) expect(raw).not.toContain(secret);

    const store = new TokenStore({ doc, table: 'Shops-dev', crypto: new TokenCrypto(rawAesKeyring(key)) });
    const acme = Items.find((item) => item[tableSchema('Shops').partitionKey.name]?.S === 'acme-outfitters.myshopify.com')!;
    expect(acme).toBeDefined();
    expect((await store.read('acme-outfitters.myshopify.com')).tokens.accessToken?.reveal()).toBe('shpat_demo_0f3a9c1be27d4e58a6b0c2d1e9f87a65');
  } finally {
    client.destroy();
    await engine.close();
  }
});

test('a --path key file that does not hold a 32-byte key is refused in one line', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'local-badkey-'));
  writeFileSync(join(dir, WRAPPING_KEY_FILE), 'c2hvcnQ=\n');
  await expect(runLocal(['--path', dir])).rejects.toThrow(
    `${join(dir, WRAPPING_KEY_FILE)} does not hold a 32-byte base64 key; the tokens stored beside it cannot be opened. Delete the directory to start afresh.`,
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
      `--path ${path} is stale: it was made from an older schema map (Jobs-dev indexes: shopDomain-createdAt; expected ${tableSchema('Jobs').indexes.map((index) => index.name).sort().join(', ')}); use a new --path or delete ${path}.`,
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

test('every AWS CLI example of the docs for the local engine names its endpoint with what --keep prints, never a fixed port', async () => {
  const lines: string[] = [];
  expect(await main(['--port', '0', '--keep'], { print: (line) => lines.push(line), loadTemplate: async () => devTemplate(), untilStopped: async () => 'SIGINT' })).toBe(0);
  const printed = lines.flatMap((line) => /^ {2}export (\w+)=/.exec(line)?.[1] ?? []);
  expect(printed).toContain('AWS_ENDPOINT_URL_DYNAMODB');
  const examples = localEngineCliExamples();
  // The guide's example, and one per access pattern in the schema reference.
  expect(examples.filter(({ file }) => file === 'docs/client.md')).toHaveLength(1);
  expect(examples.filter(({ file }) => file === 'docs/database-schema.md')).toHaveLength(TABLE_SCHEMAS.reduce((count, schema) => count + schema.accessPatterns.length, 0));
  for (const { file, line, command } of examples) {
    const where = `${file}:${line}`;
    expect({ where, endpoint: /--endpoint-url "\$AWS_ENDPOINT_URL_DYNAMODB"/.test(command) }).toEqual({ where, endpoint: true });
    expect({ where, unknown: expandedVariables(command).filter((name) => !printed.includes(name)) }).toEqual({ where, unknown: [] });
    expect({ where, fixed: /https?:\/\/(127\.0\.0\.1|localhost)/.test(command) }).toEqual({ where, fixed: false });
  }
});
