'use strict';
// Loaded with `node -r` after require-node.cjs by every npm script and the CDK app that runs a
// TypeScript file: Node runs the repository's TypeScript as it is (type stripping, Node 22.18 and
// later), and these hooks let its imports read as they do for tsc and Jest. A relative import
// without an extension, from a file of the repository, resolves to `<path>.ts` or
// `<path>/index.ts`; the repository's `.ts` files are ES modules (package.json has no "type",
// and Node would otherwise guess, warn and parse each file twice). Packages resolve as Node
// resolves them. See docs/decisions/0093-commands-on-nodes-own-typescript-support.md.
const { existsSync, statSync } = require('node:fs');
const { registerHooks } = require('node:module');
const { join, sep } = require('node:path');
const { fileURLToPath, pathToFileURL } = require('node:url');

const ROOT = join(__dirname, '..') + sep;
const PACKAGES = join(ROOT, 'node_modules') + sep;

/** A file of the repository itself, not of a package it installed. */
const ownFile = (path) => path.startsWith(ROOT) && !path.startsWith(PACKAGES);
const isFile = (path) => existsSync(path) && statSync(path).isFile();

registerHooks({
  resolve(specifier, context, nextResolve) {
    const parent = context.parentURL?.startsWith('file:') ? fileURLToPath(context.parentURL) : undefined;
    if (parent !== undefined && ownFile(parent) && /^\.\.?\//.test(specifier) && !/\.[cm]?[jt]s$|\.json$/.test(specifier)) {
      const base = fileURLToPath(new URL(specifier, context.parentURL));
      const found = [`${base}.ts`, join(base, 'index.ts')].find(isFile);
      if (found !== undefined) return { url: pathToFileURL(found).href, format: 'module-typescript', shortCircuit: true };
    }
    const resolved = nextResolve(specifier, context);
    if (resolved.url.startsWith('file:') && resolved.url.endsWith('.ts') && ownFile(fileURLToPath(resolved.url))) {
      return { ...resolved, format: 'module-typescript' };
    }
    return resolved;
  },
});
