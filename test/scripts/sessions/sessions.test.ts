import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Session } from '@shopify/shopify-api';
import { runCommand } from '../../../scripts/shared/cli';
import { main } from '../../../scripts/sessions/main';
import { startLocalTables, type LocalTables } from '../../support/local-tables';
import { INNER_STORAGES, type InnerStorage } from '../../support/session-inners';
import { newShop, sealedFixture, type SealedFixture } from '../../support/sealed-sessions';

let local: LocalTables;
let dir: string;
beforeAll(async () => {
  local = await startLocalTables();
  dir = mkdtempSync(join(tmpdir(), 'sessions-command-'));
});
afterAll(() => local.close());

/** Runs the command as npm runs it: its output lines and exit code. */
async function run(argv: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCommand((args) => main(args, (line) => out.push(line)), argv, { stdout: (line) => out.push(line), stderr: (line) => err.push(line) });
  return { code, out, err };
}

/** The app's module for the command: its sealed storage and its session ids, as the test made them. */
function appModule(f: SealedFixture, ids: readonly string[]): string {
  const key = `sessionsFixture${Math.random().toString(36).slice(2)}`;
  (globalThis as Record<string, unknown>)[key] = { sessionStorage: f.storage, sessionIds: () => ids };
  const file = join(dir, `${key}.cjs`);
  writeFileSync(file, `module.exports = globalThis[${JSON.stringify(key)}];\n`);
  return file;
}

describe.each(INNER_STORAGES)('sessions written before the sealed storage, over %s', (_, makeInner) => {
  let inner: InnerStorage;
  let f: SealedFixture;
  let sessions: Session[];
  beforeAll(async () => {
    inner = await makeInner();
  });
  afterAll(() => inner.close());
  beforeEach(async () => {
    f = sealedFixture(local, inner);
    const shops = [newShop(), newShop()];
    sessions = shops.flatMap((shop) => [f.shopify.offline(shop), f.shopify.online(shop, 1)]);
    // As the app's storage holds them today: tokens in plain text.
    for (const session of sessions) await inner.storage.storeSession(session);
  });

  test('the first load moves a row into the sealed store and blanks it, once; what it serves is the same session', async () => {
    expect((await f.plaintextFound()).length).toBeGreaterThan(0);
    for (const session of sessions) expect(session.equals(await f.storage.loadSession(session.id))).toBe(true);
    expect(await f.plaintextFound()).toEqual([]);
    local.sent.length = 0;
    for (const session of sessions) expect(session.equals(await f.storage.loadSession(session.id))).toBe(true);
    expect(local.sent.filter((command) => command !== 'GetItemCommand')).toEqual([]);
  });

  test('the command counts the rows in plain text, seals them all with --execute in one resumable pass, and then finds none', async () => {
    const module = appModule(f, sessions.map((session) => session.id).sort());
    const counted = await run(['--storage', module]);
    expect(counted).toMatchObject({ code: 1, err: [] });
    expect(counted.out).toEqual(['4 sessions looked at: 4 held a token in plain text, 0 sealed now.', '4 still hold a token in plain text: run again with --execute.']);
    const after = sessions.map((session) => session.id).sort()[1]!;
    const resumed = await run(['--storage', module, '--execute', '--after', after]);
    expect(resumed.out[0]).toBe(`2 sessions looked at after ${JSON.stringify(after)}: 2 held a token in plain text, 2 sealed now.`);
    const all = await run(['--storage', module, '--execute']);
    expect(all.out).toEqual(['4 sessions looked at: 2 held a token in plain text, 2 sealed now.', 'No session holds a token in plain text.']);
    expect(all.code).toBe(0);
    expect(await f.plaintextFound()).toEqual([]);
    for (const session of sessions) expect(session.equals(await f.storage.loadSession(session.id))).toBe(true);
  });
});

test.each([
  [['--storage', '/nonexistent/sessions.js'], 'Error: --storage /nonexistent/sessions.js is not a file.'],
  [[], "Error: --storage is required: the app's module exporting sessionStorage and sessionIds()."],
  [['--storage', '/tmp', '--execute'], 'Error: --storage /tmp is not a file.'],
  [['--storage', __filename.replace(/sessions\.test\.ts$/, 'no-such.ts'), '--bogus'], 'Error: Unknown option \'--bogus\'.'],
])('a bad command line %j is one Error line and exit 2', async (argv, line) => {
  const { code, err } = await run(argv);
  expect(code).toBe(2);
  expect(err[0]).toBe(line);
});

test('a module without the exports, or one that throws, is one Error line naming it', async () => {
  const empty = join(dir, 'empty.cjs');
  writeFileSync(empty, 'module.exports = {};\n');
  expect((await run(['--storage', empty])).err[0]).toBe(`Error: --storage ${empty} exports no sessionStorage made by sealedSessionStorage().`);
  const broken = join(dir, 'broken.cjs');
  writeFileSync(broken, "throw new Error('database unreachable');\n");
  expect((await run(['--storage', broken])).err[0]).toBe(`Error: --storage ${broken} could not be loaded: Error: database unreachable.`);
});

test('--help prints the usage and does nothing else', async () => {
  const { code, out } = await run(['--help']);
  expect(code).toBe(0);
  expect(out[0]).toMatch(/^Usage: npm run sessions -- --storage <module>/);
});
