import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TABLE_SCHEMAS } from '../../infra/data/schemas';

/** Where in this repository a resource is declared. */
export interface SourceLocation {
  /** Path relative to the repository root, with forward slashes. */
  readonly uri: string;
  /** 1-based line. */
  readonly line: number;
}

const SCHEMA_MAP = 'infra/data/schemas.ts';
const DATA_STACK = 'infra/cdk/stacks/data-stack.ts';

/**
 * Maps a construct path to the source line a reader should fix: a table's entry in the schema
 * map (every table fact lives there), otherwise the line in the data stack that creates the
 * construct (the KMS key), otherwise the data stack class itself. Lines are looked up in the
 * files, so they follow edits.
 */
export function createSourceLocator(repoRoot: string): (resourceId: string) => SourceLocation {
  const files = new Map<string, string[]>();
  const lineOf = (uri: string, pattern: RegExp): number | undefined => {
    if (!files.has(uri)) files.set(uri, readFileSync(join(repoRoot, uri), 'utf8').split('\n'));
    const index = files.get(uri)!.findIndex((text) => pattern.test(text));
    return index === -1 ? undefined : index + 1;
  };
  const tableNames = new Set<string>(TABLE_SCHEMAS.map((schema) => schema.name));

  return (resourceId) => {
    const constructId = resourceId.split('/')[1] ?? '';
    const quoted = escapeRegExp(`'${constructId}'`);
    if (tableNames.has(constructId)) {
      const line = lineOf(SCHEMA_MAP, new RegExp(`^\\s*name: ${quoted},`));
      if (line) return { uri: SCHEMA_MAP, line };
    }
    const created = constructId ? lineOf(DATA_STACK, new RegExp(`\\(this, ${quoted}`)) : undefined;
    if (created) return { uri: DATA_STACK, line: created };
    return { uri: DATA_STACK, line: lineOf(DATA_STACK, /^export class DataStack\b/) ?? 1 };
  };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
