import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Where Jest's transformer (test/support/compiled-transform.cjs) finds the folder. */
export const COMPILED_ENV = 'INAVOR_TEST_COMPILED';

/**
 * The configuration that compiles the TypeScript Jest loads (infra/, test/, scripts/) into
 * `folder` with TypeScript 7's compiler, one JavaScript file each, as ts-jest would: CommonJS,
 * each file on its own (no type-check, no import followed: the type-check runs beside it), with
 * its source map inline for stack traces. Written into `folder`; returns its path.
 */
export function writeCompileConfig(root: string, folder: string): string {
  const path = join(folder, 'tsconfig.json');
  const config = {
    extends: join(root, 'tsconfig.json'),
    include: ['infra', 'test', 'scripts'].map((dir) => join(root, dir, '**', '*.ts')),
    compilerOptions: {
      noEmit: false,
      noCheck: true,
      noResolve: true,
      types: [],
      // TypeScript 7 refuses tsconfig.json's `node`; with no import followed, nothing depends on it.
      moduleResolution: 'bundler',
      rootDir: root,
      outDir: folder,
      inlineSourceMap: true,
      inlineSources: true,
    },
  };
  writeFileSync(path, JSON.stringify(config));
  return path;
}
