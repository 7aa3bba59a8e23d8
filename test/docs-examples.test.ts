import { randomBytes } from 'node:crypto';
import { LOCAL_WRAPPING_KEY_ENV, TokenCrypto, rawAesKeyring } from '../infra/client/token-crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ModuleKind, ScriptTarget, transpileModule } from 'typescript';
import { EXAMPLE_NOW } from '../infra/access-examples';
import { tableEnvironmentVariable } from '../infra/client/config';
import { LOCAL_CREDENTIALS } from '../scripts/lib/clients';
import { seedDemoData } from '../scripts/lib/demo-data';
import { CLIENT_MODULE } from '../scripts/lib/request-snippets';
import { TABLE_SCHEMAS } from '../infra/schemas';
import { startLocalTables, type LocalTables } from './support/local-tables';

const DOCS = readFileSync(join(__dirname, '..', 'docs', 'database-schema.md'), 'utf8');

/** Every TypeScript example under each pattern heading, in order. */
const EXAMPLES = DOCS.split(/\n(?=#{2,4} )/).flatMap((section) => {
  const pattern = /^#### `(\w+)`\n/.exec(section)?.[1];
  if (!pattern) return [];
  return [...section.matchAll(/```ts\n([\s\S]*?)\n```/g)].map(([, source]) => ({ pattern, source: source! }));
});

let local: LocalTables;
const saved = { ...process.env };

beforeAll(async () => {
  local = await startLocalTables();
  const wrappingKey = randomBytes(32);
  await seedDemoData(local.doc, 'dev', new TokenCrypto(rawAesKeyring(wrappingKey)));
  // What `npm run local -- --keep` tells the app to export.
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_DYNAMODB: local.engine.endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    [LOCAL_WRAPPING_KEY_ENV]: wrappingKey.toString('base64'),
    ...Object.fromEntries(TABLE_SCHEMAS.map(({ name }) => [tableEnvironmentVariable(name), local.tables[name]])),
  });
  // The examples read as of the docs' "now"; only Date is faked, timers stay real.
  jest.useFakeTimers({ now: EXAMPLE_NOW, doNotFake: ['nextTick', 'setImmediate', 'clearImmediate', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'queueMicrotask', 'hrtime', 'performance'] });
});

afterAll(async () => {
  jest.useRealTimers();
  process.env = saved;
  await local.close();
});

/** Compiles an example to CommonJS as written and runs it; resolves to what it printed, rejects with what it reported. */
function run(source: string): Promise<unknown> {
  const { outputText } = transpileModule(source, { compilerOptions: { module: ModuleKind.CommonJS, target: ScriptTarget.ES2022, esModuleInterop: true } });
  return new Promise((resolve, reject) => {
    const shownConsole = { log: resolve, error: reject };
    // The package's own name resolves to its client, as it does for the app.
    const load = (name: string) => (name === CLIENT_MODULE ? require('../infra/client') : require(name));
    new Function('require', 'console', 'process', 'exports', outputText)(load, shownConsole, process, {});
  });
}

test('the docs have a data-client and a lib-dynamodb example for every access pattern the client answers', () => {
  const patterns = TABLE_SCHEMAS.flatMap((schema) => schema.accessPatterns.map((pattern) => pattern.name));
  for (const pattern of patterns) expect(EXAMPLES.filter((example) => example.pattern === pattern).length).toBeGreaterThanOrEqual(1);
  expect(EXAMPLES.filter(({ source }) => source.includes(CLIENT_MODULE)).length).toBeGreaterThanOrEqual(patterns.length - 1);
  expect(EXAMPLES.every(({ source }) => !/^\s*(const .*= )?await /m.test(source.split('async function main')[0]!))).toBe(true);
});

test.each(EXAMPLES.map(({ pattern, source }) => [pattern, source.includes(CLIENT_MODULE) ? 'data client' : 'lib-dynamodb', source]))(
  '%s (%s) runs as written against the local engine and reads the demo data',
  async (pattern, _form, source) => {
    const printed = await run(source);
    const items = printed && typeof printed === 'object' && 'items' in printed ? (printed as { items: unknown[] }).items : printed;
    expect(Array.isArray(items) ? items.length : items).toBeTruthy();
    // Both forms of one pattern print the same items.
    const twin = EXAMPLES.find((example) => example.pattern === pattern && example.source !== source);
    if (twin) {
      const other = await run(twin.source);
      const otherItems = other && typeof other === 'object' && 'items' in other ? (other as { items: unknown[] }).items : other;
      expect(items).toEqual(otherItems);
    }
  },
);
