'use strict';
// Jest's transformer (jest.config.ts). `npm test` compiles the repository's TypeScript once, with
// TypeScript 7's compiler and no type-check (the type-check runs beside it), into a temporary
// folder it names in INAVOR_TEST_COMPILED (scripts/test-gate/compile.mts); a test file's module
// is then read from there instead of compiled by ts-jest one file at a time, which took about a
// tenth of the gate's CPU. What the gate did not compile (Jest run without it), and a file that
// mocks a module (below), goes through ts-jest, which is loaded only then.
const { createHash } = require('node:crypto');
const { readFileSync } = require('node:fs');
const { join, relative } = require('node:path');
const { commonJsMeta, visitNodes } = require('./import-meta-transformer.cjs');
/** Set by the gate (scripts/test-gate/compile.mts names it too). */
const COMPILED_ENV = 'INAVOR_TEST_COMPILED';
const VERSION = createHash('sha1').update(readFileSync(__filename)).update(readFileSync(require.resolve('./import-meta-transformer.cjs'))).digest('hex');

/** Jest's calls that ts-jest hoists above a file's imports, as Jest needs them: only it compiles such a file. */
const MOCK_CALLS = new Set(['mock', 'unmock', 'enableAutomock', 'disableAutomock', 'deepUnmock']);
/** What a compiled module may hold that it cannot run as it is: most hold neither, and are not parsed. */
const MAY_NEED_WORK = new RegExp(`\\bimport\\.meta\\b|\\bjest\\.(${[...MOCK_CALLS].join('|')})\\b`);

/** What each file read from the gate's folder: Jest asks for a file's cache key, then its code. */
const read = new Map();

/** The gate's JavaScript of `path` in `folder`, ready for Jest, or undefined when this file goes through ts-jest. */
function compiledOf(folder, path, rootDir) {
  if (!folder) return undefined;
  const key = `${folder}\0${path}`;
  if (!read.has(key)) read.set(key, forJest(readCompiled(folder, relative(rootDir, path))));
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

/** `js` with `import.meta`'s CommonJS forms (import-meta-transformer.cjs); undefined when it mocks a module or does not parse. */
function forJest(js) {
  if (js === undefined || !MAY_NEED_WORK.test(js)) return js;
  let program;
  try {
    program = require('acorn').parse(js, { ecmaVersion: 'latest', sourceType: 'module' });
  } catch {
    return undefined;
  }
  let mocks = false;
  visitNodes(program, (node) => {
    const callee = node.type === 'CallExpression' ? node.callee : undefined;
    if (callee?.type === 'MemberExpression' && !callee.computed && callee.object.type === 'Identifier' && callee.object.name === 'jest' && MOCK_CALLS.has(callee.property.name)) mocks = true;
  });
  return mocks ? undefined : commonJsMeta(js, program);
}

module.exports = {
  createTransformer(tsJestOptions) {
    // Read once: a test that changes the worker's environment (shared with the suites) cannot send later files to ts-jest.
    const folder = process.env[COMPILED_ENV];
    // Loading ts-jest (and TypeScript with it) takes 0.4 s: a process whose files the gate compiled never does.
    let tsJest;
    const compiler = () => (tsJest ??= require('ts-jest').default.createTransformer(tsJestOptions));
    return {
      canInstrument: false,
      getCacheKey(source, path, options) {
        const compiled = compiledOf(folder, path, options.config.rootDir);
        if (compiled === undefined) return compiler().getCacheKey(source, path, options);
        return createHash('sha1').update(VERSION).update('\0').update(path).update('\0').update(compiled).digest('hex');
      },
      process(source, path, options) {
        const compiled = compiledOf(folder, path, options.config.rootDir);
        if (compiled === undefined) return compiler().process(source, path, options);
        return { code: compiled };
      },
    };
  },
};
