import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../scripts/build-client/main';

// The CLI contract (test/scripts/shared/cli-contract.test.ts) holds --help, unknown and repeated
// flags, a folder holding the checkout and a path that cannot be made; the package test
// (test/infra/client/client-package.test.ts) builds with this command and checks what a build
// leaves and prints, and that one copy of each class serves both entries. Here: what the build
// refuses to empty, on scratch files, so a broken guard costs nothing of the checkout.

let scratch: string;

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'build-client-'));
  mkdirSync(join(scratch, 'notes'));
  writeFileSync(join(scratch, 'notes', 'keep.md'), 'kept\n');
  writeFileSync(join(scratch, 'file.txt'), 'kept\n');
});

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const state = (path: string) => ({ modified: statSync(path).mtimeMs, entries: statSync(path).isDirectory() ? readdirSync(path) : [] });

test.each([
  ['a folder of other files', 'notes'],
  ['a file', 'file.txt'],
])('an --out-dir that is %s is refused in one line, and left as it was', async (_, name) => {
  const path = join(scratch, name);
  const before = state(path);
  await expect(main(['--out-dir', path], () => undefined)).rejects.toThrow(`The build folder ${path} holds files that are not a client build, or is no folder`);
  expect(state(path)).toEqual(before);
});
