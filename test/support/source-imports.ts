import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

/** The repository root: every path below is relative to it, with `/` separators. */
export const REPO = join(__dirname, '..', '..');

/** A module's import or require of another; `file` is set when it names a file of this tree. */
export interface SourceImport {
  readonly specifier: string;
  readonly file?: string;
}

// Static imports and re-exports (type-only ones too: a type from the CDK ties the declarations to it), import() and require().
const IMPORT = /(?:\bfrom\s+|\bimport\s+|\bimport\(\s*|\brequire\(\s*)['"]([^'"]+)['"]/g;
const EXTENSIONS = ['', '.ts', '.mts', '.cjs', '.js', '/index.ts'];

/** Every source file (`.ts`, `.mts`) under `folder`, relative to the root. */
export function sourceFiles(folder: string): string[] {
  return readdirSync(join(REPO, folder), { recursive: true, encoding: 'utf8' })
    .filter((file) => /\.m?ts$/.test(file) && !file.endsWith('.d.ts'))
    .map((file) => join(folder, file).split('\\').join('/'))
    .sort();
}

/** The imports `file` makes, each relative one resolved to the file it names. */
export function importsOf(file: string): SourceImport[] {
  const text = readFileSync(join(REPO, file), 'utf8');
  return [...text.matchAll(IMPORT)].map(([, specifier]) => {
    if (!specifier.startsWith('.')) return { specifier };
    const base = join(dirname(join(REPO, file)), specifier);
    const found = EXTENSIONS.map((extension) => base + extension).find((path) => existsSync(path) && statSync(path).isFile());
    return { specifier, file: found === undefined ? undefined : relative(REPO, found).split('\\').join('/') };
  });
}

/** Every file of this tree that `roots` reach through relative imports, the roots included. */
export function importClosure(roots: readonly string[]): Set<string> {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file) || !/\.(m?ts|cjs)$/.test(file)) return;
    seen.add(file);
    for (const target of importsOf(file)) if (target.file !== undefined) visit(target.file);
  };
  roots.forEach(visit);
  return seen;
}
