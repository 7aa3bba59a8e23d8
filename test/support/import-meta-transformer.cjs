'use strict';
// The commands run the repository's TypeScript as ES modules (Node's own TypeScript support),
// which have no `__dirname`, `__filename` or `require.main`; Jest runs the same files as CommonJS,
// where `import.meta` is a syntax error. This file gives Jest the CommonJS form of what a module
// reads, in both of the ways a module reaches Jest: `import.meta.dirname` becomes `__dirname`,
// `import.meta.filename` `__filename`, and `import.meta.main` `require.main === module`. Any other
// `import.meta` is left as it is, and fails as it would without this file.
//  - `factory`: a transformer of ts-jest's (`astTransformers` in jest.config.ts), for what ts-jest compiles;
//  - `commonJsMeta`: the same forms written into the JavaScript the gate compiled (compiled-transform.cjs).
const { createHash } = require('node:crypto');
const { readFileSync } = require('node:fs');

/** Each property's CommonJS form: as text, and made with TypeScript's node factory. */
const COMMONJS_FORMS = new Map([
  ['dirname', { text: '__dirname', node: (factory) => factory.createIdentifier('__dirname') }],
  ['filename', { text: '__filename', node: (factory) => factory.createIdentifier('__filename') }],
  [
    'main',
    {
      text: '(require.main === module)',
      node: (factory) => factory.createParenthesizedExpression(factory.createStrictEquality(factory.createPropertyAccessExpression(factory.createIdentifier('require'), 'main'), factory.createIdentifier('module'))),
    },
  ],
]);

exports.name = 'import-meta-as-commonjs';
// Part of ts-jest's cache key: any change to this file compiles the test files' modules again.
exports.version = createHash('sha1').update(readFileSync(__filename)).digest('hex');

exports.factory = ({ configSet: { compilerModule: ts } }) => (context) => {
  const visit = (node) => {
    if (ts.isPropertyAccessExpression(node) && ts.isMetaProperty(node.expression) && node.expression.keywordToken === ts.SyntaxKind.ImportKeyword) {
      const form = COMMONJS_FORMS.get(node.name.text);
      if (form !== undefined) return form.node(context.factory);
    }
    return ts.visitEachChild(node, visit, context);
  };
  // Most files never mention it: they are returned unvisited.
  return (file) => (file.text.includes('import.meta') ? ts.visitNode(file, visit) : file);
};

/**
 * `js` (whose syntax tree, parsed by acorn, is `program`) with each `import.meta.<property>` above
 * replaced by its form, and nothing else touched: not a string or comment that names it. A shorter
 * form is padded with spaces, so every later column on its line still matches the source map.
 */
exports.commonJsMeta = (js, program) => {
  const edits = [];
  visitNodes(program, (node) => {
    if (node.type !== 'MemberExpression' || node.computed || node.object.type !== 'MetaProperty' || node.object.meta.name !== 'import') return;
    const form = COMMONJS_FORMS.get(node.property.name);
    if (form !== undefined) edits.push({ start: node.start, end: node.end, text: form.text.padEnd(node.end - node.start) });
  });
  let out = js;
  for (const { start, end, text } of edits.sort((a, b) => b.start - a.start)) out = out.slice(0, start) + text + out.slice(end);
  return out;
};

/** Calls `visit` on every node of an ESTree syntax tree. */
function visitNodes(node, visit) {
  visit(node);
  for (const value of Object.values(node)) {
    for (const child of Array.isArray(value) ? value : [value]) {
      if (child !== null && typeof child === 'object' && typeof child.type === 'string') visitNodes(child, visit);
    }
  }
}
exports.visitNodes = visitNodes;
