import type { AttributeType } from '../../data/schema-model';
import type { TABLE_SCHEMAS, TableName } from '../../data/schemas';
import type { StageName } from '../../data/stages';

/** The JavaScript type `@aws-sdk/lib-dynamodb` reads and writes for each DynamoDB attribute type. */
export interface NativeTypes {
  S: string;
  N: number;
  B: Uint8Array;
  BOOL: boolean;
  M: Record<string, unknown>;
  L: unknown[];
  SS: Set<string>;
  NS: Set<number>;
}

// Every attribute type of the map has a native type: adding one to ATTRIBUTE_TYPES without it fails here.
type Covered<T extends Record<AttributeType, unknown>> = T;
export type NativeTypeOf<T extends AttributeType> = Covered<NativeTypes>[T];

/** The schema-map entry of a table, with its literal type. */
export type SchemaOf<T extends TableName> = Extract<(typeof TABLE_SCHEMAS)[number], { name: T }>;

type AttributesOf<T extends TableName> = SchemaOf<T>['attributes'][number];

type KeyNamesOf<T extends TableName> =
  | SchemaOf<T>['partitionKey']['name']
  | (SchemaOf<T> extends { sortKey: { name: infer K } } ? K : never);

/** Attribute names of a table, as declared in the map. */
export type AttributeName<T extends TableName> = AttributesOf<T>['name'];

/**
 * A whole item of a table, typed from the map: each attribute's DynamoDB type gives its JS type,
 * key attributes are required and every other attribute is optional (DynamoDB items are sparse).
 * A change to the map's attributes changes this type.
 */
export type Item<T extends TableName> = {
  readonly [A in AttributesOf<T> as A['name'] extends KeyNamesOf<T> ? A['name'] : never]: NativeTypeOf<A['type']>;
} & {
  readonly [A in AttributesOf<T> as A['name'] extends KeyNamesOf<T> ? never : A['name']]?: NativeTypeOf<A['type']>;
};

/** The key of an item of a table. */
export type ItemKey<T extends TableName> = Pick<Item<T>, KeyNamesOf<T> & keyof Item<T>>;

/** Name of an access pattern declared in the map, across tables. */
export type AccessPatternName = (typeof TABLE_SCHEMAS)[number]['accessPatterns'][number]['name'];

/** Name of an access pattern of one table. */
export type PatternOf<T extends TableName> = SchemaOf<T>['accessPatterns'][number]['name'];

export type { StageName, TableName };

type IndexOf<T extends TableName, I extends string> = Extract<SchemaOf<T>['indexes'][number], { name: I }>;

type IndexKeyNames<T extends TableName, I extends string> =
  | KeyNamesOf<T>
  | IndexOf<T, I>['partitionKey']['name']
  | (IndexOf<T, I> extends { sortKey: { name: infer K } } ? K : never);

type ProjectedNames<T extends TableName, I extends string> =
  IndexOf<T, I>['projection'] extends { type: 'INCLUDE'; attributes: readonly (infer A)[] }
    ? A
    : IndexOf<T, I>['projection'] extends { type: 'ALL' }
      ? AttributeName<T>
      : never;

/**
 * What a Query of an index returns per item, typed from the index's keys and projection in the
 * map: its keys and the table's are present; projected attributes are optional, as on the table.
 */
export type IndexEntry<T extends TableName, I extends string> = Required<Pick<Item<T>, IndexKeyNames<T, I> & keyof Item<T>>> &
  Pick<Item<T>, Exclude<ProjectedNames<T, I>, IndexKeyNames<T, I>> & keyof Item<T>>;
