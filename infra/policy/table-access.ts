/**
 * What each grant of the data layer allows, as data: the DynamoDB actions per table and index,
 * the KMS actions on the table key and on the token key. `DataStack` turns these into IAM
 * statements and the docs generator into the "who can read what" table, so the two cannot drift.
 * Scan is never granted: every access pattern in the schema map is a GetItem or a Query.
 */
import type { AttributeSchema, TableSchema } from '../data/schema-model';
import type { TABLE_SCHEMAS, TableName } from '../data/schemas';

type MapTable = (typeof TABLE_SCHEMAS)[number];

/** Tables the schema map declares append-only (`appendOnly: true`). */
export type AppendOnlyTableName = Extract<MapTable, { appendOnly: true }>['name'];

/**
 * How a role may use one table: `read` (GetItem, Query and their batch forms), `readWrite`
 * (plus PutItem, UpdateItem, DeleteItem, BatchWriteItem), or, on an append-only table only,
 * `append` (reads plus PutItem: no UpdateItem or DeleteItem, so a record once written stays).
 */
export type TableAccessLevel = 'read' | 'readWrite' | 'append';

/** The levels a table admits: append-only tables take `append` instead of `readWrite`. */
export type LevelsOf<T extends TableName> = T extends AppendOnlyTableName ? 'read' | 'append' : 'read' | 'readWrite';

/** The tables a role is given and the level on each, e.g. `{ Jobs: 'readWrite', ImportHistory: 'read' }`. */
export type DataAccess = { readonly [T in TableName]?: LevelsOf<T> };

/** Token-key access: `decrypt` opens sealed attributes, `encryptDecrypt` also seals new ones. */
export type TokenAccessLevel = 'decrypt' | 'encryptDecrypt';

/** A table, or one of its indexes when `index` is set. */
export interface GrantTarget {
  readonly table: string;
  readonly index?: string;
}

/** What a grant allows on the tables of a stage. */
export interface TableGrant {
  /** DynamoDB actions per table or index; a target not listed gets nothing. */
  readonly targets: readonly { readonly target: GrantTarget; readonly actions: readonly string[] }[];
  /** KMS actions on the table key, allowed only through DynamoDB. */
  readonly tableKeyActions: readonly string[];
}

const READ_ACTIONS = [
  'dynamodb:BatchGetItem',
  'dynamodb:ConditionCheckItem',
  'dynamodb:DescribeTable',
  'dynamodb:GetItem',
  'dynamodb:Query',
];

/** DynamoDB actions on a table per level. Indexes only ever need Query. */
export const TABLE_ACTIONS: Readonly<Record<TableAccessLevel, readonly string[]>> = {
  read: READ_ACTIONS,
  append: [...READ_ACTIONS, 'dynamodb:PutItem'].sort(),
  readWrite: [...READ_ACTIONS, 'dynamodb:BatchWriteItem', 'dynamodb:DeleteItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'].sort(),
};

/** KMS actions DynamoDB performs with the caller's permissions on a table with a customer-managed key. */
const TABLE_KEY_ACTIONS = {
  read: ['kms:Decrypt', 'kms:DescribeKey'],
  write: ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey'],
} as const;

/**
 * KMS actions on the token key. The Encryption SDK's KMS keyring asks GenerateDataKey for each
 * sealed value and Decrypt to open one; nothing else.
 */
export const TOKEN_KEY_ACTIONS: Readonly<Record<TokenAccessLevel, readonly string[]>> = {
  decrypt: ['kms:Decrypt'],
  encryptDecrypt: ['kms:Decrypt', 'kms:GenerateDataKey'],
};

/**
 * Encryption-context keys every sealed value carries and the token grant checks: the physical
 * table, the shop's domain and the attribute. The token client binds each ciphertext to them.
 */
export const TOKEN_CONTEXT_KEYS = { table: 'table', shop: 'shop', attribute: 'attribute' } as const;

/**
 * Actions that can hand a stored item's attributes back to the caller: reads, and writes with
 * ReturnValues (or ReturnValuesOnConditionCheckFailure) ALL_OLD. BatchWriteItem returns none.
 */
const ITEM_RETURNING_ACTIONS = new Set([
  'dynamodb:BatchGetItem',
  'dynamodb:ConditionCheckItem',
  'dynamodb:DeleteItem',
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:Query',
  'dynamodb:Scan',
  'dynamodb:UpdateItem',
]);

/** The levels a schema admits, in the order the docs show them. */
export function levelsOf(schema: TableSchema): TableAccessLevel[] {
  return schema.appendOnly ? ['read', 'append'] : ['read', 'readWrite'];
}

/**
 * The grant for `access` over `schemas`. Throws on a table that is not in the map or a level
 * the table does not admit (callers outside TypeScript's checks), naming both.
 */
export function dataAccessGrant(access: Readonly<Record<string, string | undefined>>, schemas: readonly TableSchema[]): TableGrant {
  const entries = Object.entries(access).filter((entry): entry is [string, string] => entry[1] !== undefined);
  if (entries.length === 0) throw new Error('A data access grant names no table; name each table and its level.');
  const targets = entries.flatMap(([name, level]) => {
    const schema = schemas.find((candidate) => candidate.name === name);
    if (!schema) throw new Error(`"${name}" is not a table of the schema map; tables are ${schemas.map((s) => s.name).join(', ')}.`);
    const levels = levelsOf(schema);
    if (!(levels as string[]).includes(level)) {
      const why = schema.appendOnly ? ' (it is append-only)' : '';
      throw new Error(`${name} admits the levels ${levels.join(' and ')}${why}, not "${level}".`);
    }
    return [
      { target: { table: name }, actions: TABLE_ACTIONS[level as TableAccessLevel] },
      ...schema.indexes.map((index) => ({ target: { table: name, index: index.name }, actions: ['dynamodb:Query'] })),
    ];
  });
  const writes = entries.some(([, level]) => level !== 'read');
  return { targets, tableKeyActions: writes ? TABLE_KEY_ACTIONS.write : TABLE_KEY_ACTIONS.read };
}

/**
 * The grant that deletes one shop's data, walking each table the way the map's `redaction` says:
 * DeleteItem on a table keyed by the shop; on the others, Query on the index or table that finds
 * the shop's items and BatchWriteItem on the table to delete them. Nothing else: no GetItem, no
 * UpdateItem, no Query of another index.
 */
export function redactionGrant(schemas: readonly TableSchema[]): TableGrant {
  const targets = schemas.flatMap((schema): TableGrant['targets'] => {
    const { redaction } = schema;
    if (!redaction) return [];
    if (redaction.by === 'key') return [{ target: { table: schema.name }, actions: ['dynamodb:DeleteItem'] }];
    const index = schema.accessPatterns.find((candidate) => candidate.name === redaction.accessPattern)?.index;
    // Through the table itself: one target with both actions; through an index: Query there only.
    return index === undefined
      ? [{ target: { table: schema.name }, actions: ['dynamodb:BatchWriteItem', 'dynamodb:Query'] }]
      : [
          { target: { table: schema.name }, actions: ['dynamodb:BatchWriteItem'] },
          { target: { table: schema.name, index }, actions: ['dynamodb:Query'] },
        ];
  });
  return { targets, tableKeyActions: TABLE_KEY_ACTIONS.write };
}

/**
 * Targets that get the same actions, grouped into one statement each, in map order: what
 * `DataStack` writes as IAM statements.
 */
export function groupedStatements(grant: TableGrant): { actions: string[]; targets: GrantTarget[] }[] {
  const groups = new Map<string, { actions: string[]; targets: GrantTarget[] }>();
  for (const { target, actions } of grant.targets) {
    const sorted = [...actions].sort();
    const key = sorted.join(',');
    const group = groups.get(key) ?? { actions: sorted, targets: [] };
    group.targets.push(target);
    groups.set(key, group);
  }
  return [...groups.values()];
}

/** What a grant shows of one attribute: its value, its ciphertext (sealed, no token grant), or nothing. */
export type Visibility = 'plaintext' | 'ciphertext' | 'none';

/**
 * What a role holding `grant` (and the token grant, when `tokens`) reads of `attribute` of
 * `schema`: any item-returning action on the table returns every attribute; a Query of an index
 * returns what the index projects.
 */
export function visibility(grant: TableGrant, schema: TableSchema, attribute: AttributeSchema, tokens: boolean): Visibility {
  const seen = grant.targets.some(({ target, actions }) => {
    if (target.table !== schema.name || !actions.some((action) => ITEM_RETURNING_ACTIONS.has(action))) return false;
    if (target.index === undefined) return true;
    const index = schema.indexes.find((candidate) => candidate.name === target.index);
    return index !== undefined && projects(schema, index, attribute.name);
  });
  if (!seen) return 'none';
  return attribute.sealed && !tokens ? 'ciphertext' : 'plaintext';
}

function projects(schema: TableSchema, index: TableSchema['indexes'][number], attribute: string): boolean {
  const keys = [schema.partitionKey, schema.sortKey, index.partitionKey, index.sortKey].map((key) => key?.name);
  if (keys.includes(attribute) || index.projection.type === 'ALL') return true;
  return index.projection.type === 'INCLUDE' && index.projection.attributes.includes(attribute);
}
