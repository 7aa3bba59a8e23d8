'use strict';
// The commands run the repository's TypeScript as ES modules (Node's own TypeScript support),
// which have no `__dirname`, `__filename` or `require.main`; ts-jest compiles the same files to
// CommonJS for Jest, where `import.meta` is a syntax error. This transformer of ts-jest's
// (`astTransformers` in jest.config.ts) gives Jest the CommonJS form of what a module reads:
// `import.meta.dirname` becomes `__dirname`, `import.meta.filename` `__filename`, and
// `import.meta.main` `require.main === module`. Any other `import.meta` is left as it is, and
// fails as it would without this file.
const { createHash } = require('node:crypto');
const { readFileSync } = require('node:fs');

/** The CommonJS expression of each property, made with TypeScript's node factory. */
const COMMONJS_FORMS = new Map([
  ['dirname', (factory) => factory.createIdentifier('__dirname')],
  ['filename', (factory) => factory.createIdentifier('__filename')],
  ['main', (factory) => factory.createParenthesizedExpression(factory.createStrictEquality(factory.createPropertyAccessExpression(factory.createIdentifier('require'), 'main'), factory.createIdentifier('module')))],
]);

exports.name = 'import-meta-as-commonjs';
// Part of ts-jest's cache key: any change to this file compiles the test files' modules again.
exports.version = createHash('sha1').update(readFileSync(__filename)).digest('hex');

exports.factory = ({ configSet: { compilerModule: ts } }) => (context) => {
  const visit = (node) => {
    if (ts.isPropertyAccessExpression(node) && ts.isMetaProperty(node.expression) && node.expression.keywordToken === ts.SyntaxKind.ImportKeyword) {
      const form = COMMONJS_FORMS.get(node.name.text);
      if (form !== undefined) return form(context.factory);
    }
    return ts.visitEachChild(node, visit, context);
  };
  // Most files never mention it: they are returned unvisited.
  return (file) => (file.text.includes('import.meta') ? ts.visitNode(file, visit) : file);
};
