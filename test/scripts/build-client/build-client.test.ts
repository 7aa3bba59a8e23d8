import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../../../scripts/build-client/main';

const ROOT = join(__dirname, '..', '..', '..');

// The CLI contract (test/scripts/shared/cli-contract.test.ts) holds --help, unknown and repeated
// flags, a folder holding the checkout and a path that cannot be made; the package test
// (test/infra/client/client-package.test.ts) builds with this command and checks what a build
// leaves and prints, and that one copy of each class serves both entries. Here: what the build
// refuses to empty. Each refusal comes before anything is removed or esbuild runs.

test.each([
  ['a folder of other files', join(ROOT, 'docs'), 'holds files that are not a client build, or is no folder'],
  ['a file', join(ROOT, 'package.json'), 'holds files that are not a client build, or is no folder'],
])('an --out-dir that is %s is refused, and left as it was', async (_, path, message) => {
  const before = { modified: statSync(path).mtimeMs, entries: statSync(path).isDirectory() ? readdirSync(path) : [] };
  await expect(main(['--out-dir', path], () => undefined)).rejects.toThrow(message);
  expect({ modified: statSync(path).mtimeMs, entries: statSync(path).isDirectory() ? readdirSync(path) : [] }).toEqual(before);
});
