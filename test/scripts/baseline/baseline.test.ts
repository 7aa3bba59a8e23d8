import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, readSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IDENTITY_BASELINE_FILE, type IdentityBaseline } from '../../../infra/policy/table-identity';
import { main } from '../../../scripts/baseline/main';
import { runCommand } from '../../../scripts/shared/cli';

const COMMITTED = join(__dirname, '..', '..', '..', IDENTITY_BASELINE_FILE);

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'baseline-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the command onto `file` with `identities` standing in for the synth; resolves to what it printed. */
async function run(file: string, identities: () => Promise<IdentityBaseline>) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const output = { stdout: (line: string) => stdout.push(line), stderr: (line: string) => stderr.push(line) };
  const code = await runCommand((argv) => main(argv, output.stdout, file, identities), [], output);
  return { code, stdout, stderr };
}

const noSynth = async (): Promise<IdentityBaseline> => {
  throw new Error('the synth ran');
};

test.each([
  [
    "a folder in the baseline file's place",
    () => {
      mkdirSync(join(dir, 'table-identity.json'));
      return join(dir, 'table-identity.json');
    },
    (file: string) => `cannot write ${file}: it is a folder.`,
  ],
  ['a missing folder', () => join(dir, 'missing', 'table-identity.json'), (file: string) => `cannot write ${file}: ${join(dir, 'missing')} is not an existing folder.`],
])('%s is one line naming the path, before any synth', async (_, make, message) => {
  const file = make();
  expect(await run(file, noSynth)).toEqual({ code: 2, stdout: [], stderr: [`Error: ${message(file)}`] });
});

test('the baseline is replaced whole: a reader of the old file still reads it all, and no temp file is left', async () => {
  const file = join(dir, 'table-identity.json');
  const previous = readFileSync(COMMITTED, 'utf8');
  writeFileSync(file, previous);
  const current = JSON.parse(previous) as IdentityBaseline;
  const prod = current.prod!;
  const jobs = prod.tables.findIndex((table) => table.tableName === 'Jobs-prod');
  (prod.tables as IdentityBaseline[string]['tables'][number][])[jobs] = { ...prod.tables[jobs]!, keySchema: 'HASH jobId:N' };
  // Opened before the write, as a reader in the middle of it (an editor, a concurrent test) would be.
  const reader = openSync(file, 'r');
  try {
    const { code, stdout } = await run(file, async () => current);
    expect(code).toBe(0);
    expect(stdout).toEqual([`Wrote ${IDENTITY_BASELINE_FILE}.`, expect.stringMatching(/^Accepted: .*Jobs-prod/)]);
    const seen = Buffer.alloc(previous.length + 1);
    expect(seen.toString('utf8', 0, readSync(reader, seen, 0, seen.length, 0))).toBe(previous);
  } finally {
    closeSync(reader);
  }
  expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(current);
  expect(readdirSync(dir)).toEqual(['table-identity.json']);
});
