/**
 * The vocabulary of the schema map in `schemas.ts`. Everything the constructs, the docs and the
 * local tooling know about a table comes from a value of these types.
 */

/** DynamoDB scalar types that may be a key: String, Number, Binary. */
export const KEY_ATTRIBUTE_TYPES = ['S', 'N', 'B'] as const;

/** DynamoDB scalar types that may be a key: String, Number, Binary. */
export type KeyAttributeType = (typeof KEY_ATTRIBUTE_TYPES)[number];

/** DynamoDB attribute types a documented (non-key) attribute may have. */
export const ATTRIBUTE_TYPES = [...KEY_ATTRIBUTE_TYPES, 'BOOL', 'M', 'L', 'SS', 'NS'] as const;

/** DynamoDB attribute types a documented (non-key) attribute may have. */
export type AttributeType = (typeof ATTRIBUTE_TYPES)[number];

/** A key attribute: its name and its DynamoDB scalar type. */
export interface KeyAttribute {
  /** Attribute name as stored in the item. */
  readonly name: string;
  /** DynamoDB type of the attribute; keys are S, N or B only. */
  readonly type: KeyAttributeType;
}

/** One documented attribute of an item. */
export interface AttributeSchema {
  /** Attribute name as stored in the item. */
  readonly name: string;
  /** DynamoDB type of the attribute. */
  readonly type: AttributeType;
  /** What the attribute means, for readers of the map and of the generated docs. */
  readonly description: string;
  /** True when the value is a secret or personal data that must never be logged or projected. */
  readonly sensitive?: boolean;
  /**
   * True when the client envelope-encrypts the value under the stage's token key before it is
   * written, so only roles granted token decryption can read it. A sealed attribute is sensitive.
   */
  readonly sealed?: boolean;
}

/** How much of an item a global secondary index copies, and why that much. */
export type ProjectionSchema =
  | {
      /** ALL copies every attribute; KEYS_ONLY copies the table and index keys only. */
      readonly type: 'ALL' | 'KEYS_ONLY';
      /** One line on why this projection was chosen. */
      readonly reason: string;
    }
  | {
      /** INCLUDE copies the keys plus the listed non-key attributes. */
      readonly type: 'INCLUDE';
      /** Non-key attributes copied into the index. */
      readonly attributes: readonly string[];
      /** One line on why this projection was chosen. */
      readonly reason: string;
    };

/** Why a table's or an index's partition key may run hot, which turns Contributor Insights on for it. */
export interface HotKeyProneSchema {
  /** One line on which key values concentrate traffic, and why naming them matters in an incident. */
  readonly reason: string;
}

/** A global secondary index. */
export interface IndexSchema {
  /** Index name, as used in `IndexName` of a Query. */
  readonly name: string;
  /** Partition key of the index. */
  readonly partitionKey: KeyAttribute;
  /** Sort key of the index. */
  readonly sortKey?: KeyAttribute;
  /** What the index copies and why. */
  readonly projection: ProjectionSchema;
  /** Present when a few key values may take most of the index's traffic; see {@link HotKeyProneSchema}. */
  readonly hotKeyProne?: HotKeyProneSchema;
}

/** Seconds in a day, the unit retention is declared in. */
export const SECONDS_PER_DAY = 86_400;

/** Time to live: DynamoDB deletes an item some time after the epoch-seconds value in `attribute`. */
export interface TtlSchema {
  /** Number attribute holding the expiry time in epoch seconds. */
  readonly attribute: string;
  /** Days an item lives, counted from `countedFrom`. */
  readonly retentionDays: number;
  /** The attribute the retention is counted from. */
  readonly countedFrom: string;
}

/** A read the application performs, and the key or index that answers it. */
export interface AccessPatternSchema {
  /** Short camelCase name used in docs, tests and the local runner. */
  readonly name: string;
  /** The question the read answers, in words. */
  readonly description: string;
  /** Index that answers the read; absent when the table's own primary key does. */
  readonly index?: string;
  /** GetItem for a single item by its full key, Query for a range within one partition. */
  readonly operation: 'GetItem' | 'Query';
  /** For a Query: true when results come newest first (ScanIndexForward false). */
  readonly newestFirst?: boolean;
}

/**
 * How deleting a shop's data (Shopify's `shop/redact`) finds one shop's items in a table: `key`
 * when the table's own key is the shop (one DeleteItem), or the access pattern whose Query lists
 * them (each page then deleted with BatchWriteItem).
 */
export type RedactionSchema =
  | { readonly by: 'key' }
  | {
      readonly by: 'accessPattern';
      /** Name of the table's access pattern that lists a shop's items. */
      readonly accessPattern: string;
    };

/** One DynamoDB table, as the application sees it. */
export interface TableSchema {
  /** Logical table name; the physical name is `<name>-<stage>`. */
  readonly name: string;
  /** What the table stores and who uses it. */
  readonly purpose: string;
  /** Partition key of the table. */
  readonly partitionKey: KeyAttribute;
  /** Sort key of the table. */
  readonly sortKey?: KeyAttribute;
  /** Every attribute the application writes, keys included. */
  readonly attributes: readonly AttributeSchema[];
  /** Global secondary indexes. */
  readonly indexes: readonly IndexSchema[];
  /** Why the table has no index, when it has none. */
  readonly noIndexReason?: string;
  /** Time to live, when items expire. */
  readonly ttl?: TtlSchema;
  /** Present when a few key values may take most of the table's traffic; see {@link HotKeyProneSchema}. */
  readonly hotKeyProne?: HotKeyProneSchema;
  /** The reads the table serves. */
  readonly accessPatterns: readonly AccessPatternSchema[];
  /**
   * True when writers only add items (a conditional PutItem) and never change or delete one: roles
   * then get the `append` level on it, never `readWrite`. TTL and shop redaction still remove items.
   */
  readonly appendOnly?: boolean;
  /** How a shop's items are found when its data is deleted; absent when the table holds none. */
  readonly redaction?: RedactionSchema;
  /** Rules every writer of the table must follow. */
  readonly writerRules?: readonly string[];
}

/** The names of a table's sealed attributes (stored only as ciphertext under the token key), in map order. */
export function sealedAttributeNames(schema: Pick<TableSchema, 'attributes'>): string[] {
  return schema.attributes.filter((attribute) => attribute.sealed).map((attribute) => attribute.name);
}
