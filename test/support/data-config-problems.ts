import { TABLE_SCHEMAS } from '../../infra/data/schemas';
import { STAGES } from '../../infra/data/stages';
import { validateDataConfig } from '../../infra/validation';

// The map and stage config as plain mutable data, so a test can break them in ways the types forbid.
export type Loose = any;

/** Validates a copy of the real map and stage config after `edit` has broken it. */
export function problemsAfter(edit: (tables: Loose, stages: Loose, schemas: Loose[]) => void, requestedStages?: unknown[]) {
  const schemas: Loose[] = structuredClone(TABLE_SCHEMAS) as Loose;
  const stages: Loose = structuredClone(STAGES);
  edit(Object.fromEntries(schemas.map((table) => [table.name, table])), stages, schemas);
  return validateDataConfig({ schemas, stages, requestedStages });
}

/** Position of a named entry (attribute, index, access pattern) in a list of the map. */
export function at(list: Loose[], name: string): number {
  const position = list.findIndex((entry) => entry.name === name);
  if (position < 0) throw new Error(`no entry named ${name}`);
  return position;
}

/** Total of non-key attributes the table's INCLUDE projections copy. */
export function projectedCount(table: Loose): number {
  return table.indexes.reduce((sum: number, i: Loose) => sum + (i.projection.attributes?.length ?? 0), 0);
}

export function index(name: string, partitionKey: string) {
  return { name, partitionKey: { name: partitionKey, type: 'S' }, projection: { type: 'KEYS_ONLY', reason: 'test' } };
}
