'use strict';
// Jest's transformer (jest.config.ts). `npm test` compiles the repository's TypeScript once, with
// TypeScript 7's compiler and no type-check (the type-check runs beside it), into a temporary
// folder it names in INAVOR_TEST_COMPILED (scripts/test-gate/compile.mts); a test file's module
// is then read from there instead of compiled by ts-jest one file at a time, which took about a
// tenth of the gate's CPU. What the gate did not compile (Jest run without it), and a file that
// needs what only ts-jest does (below), goes through ts-jest.
const { createHash } = require('node:crypto');
const { readFileSync } = require('node:fs');
const { join, relative } = require('node:path');
/** Set by the gate (scripts/test-gate/compile.mts names it too). */
const COMPILED_ENV = 'INAVOR_TEST_COMPILED';
const VERSION = createHash('sha1').update(readFileSync(__filename)).digest('hex');

/**
 * What only ts-jest compiles as Jest needs it: a mocked module (its `jest.mock` call hoisted above
 * the imports) and `import.meta` (import-meta-transformer.cjs gives its CommonJS form). Some
 * twenty files, compiled one by one as before.
 */
const NEEDS_TS_JEST = /\bjest\.(mock|unmock|enableAutomock|disableAutomock|deepUnmock)\(|\bimport\.meta\b/;

/** What each file read from the gate's folder: Jest asks for a file's cache key, then its code. */
const read = new Map();

/** The gate's JavaScript of `path`, or undefined when this file goes through ts-jest. */
function compiledOf(source, path, rootDir) {
  const folder = process.env[COMPILED_ENV];
  if (!folder || NEEDS_TS_JEST.test(source)) return undefined;
  const key = `${folder}\0${path}`;
  if (!read.has(key)) read.set(key, readCompiled(folder, relative(rootDir, path)));
  return read.get(key);
}

function readCompiled(folder, relativePath) {
  if (relativePath.startsWith('..')) return undefined;
  try {
    return readFileSync(join(folder, relativePath.replace(/\.ts$/, '.js')), 'utf8');
  } catch {
    return undefined;
  }
}

module.exports = {
  createTransformer(tsJestOptions) {
    const compiler = require('ts-jest').default.createTransformer(tsJestOptions);
    return {
      canInstrument: false,
      getCacheKey(source, path, options) {
        const compiled = compiledOf(source, path, options.config.rootDir);
        if (compiled === undefined) return compiler.getCacheKey(source, path, options);
        return createHash('sha1').update(VERSION).update('\0').update(path).update('\0').update(compiled).digest('hex');
      },
      process(source, path, options) {
        const compiled = compiledOf(source, path, options.config.rootDir);
        if (compiled === undefined) return compiler.process(source, path, options);
        return { code: compiled };
      },
    };
  },
};
