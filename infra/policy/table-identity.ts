/**
 * Guards against deploys that lose data or fail halfway. CloudFormation replaces a DynamoDB table
 * (a new, empty table; the old one deleted or orphaned) when its logical ID, its physical name or
 * its key schema changes, and a stage moved to another region starts with new, empty tables. Some
 * changes that replace nothing still cannot be deployed in one step: DynamoDB creates one index per
 * table update, rebuilds an index whose key or projection changes, and changes TTL only by
 * disabling and enabling it. This module extracts what those checks need from synthesized
 * templates and compares it with a committed baseline: the state last accepted as deployed.
 */

import { readFileSync } from 'node:fs';
import { tableResources, type CfnTemplate } from './cfn-template';
import { ConfigError } from '../data/config-error';
import { isRecord } from '../data/raw';

/** The committed baseline, relative to the repository root. */
export const IDENTITY_BASELINE_FILE = 'test/baselines/table-identity.json';

/** The command that rewrites the baseline from the current synth. */
const IDENTITY_BASELINE_COMMAND = 'npm run baseline:update';

/** A global secondary index as far as a deploy is concerned. */
export interface IndexIdentity {
  /** Index name. */
  readonly name: string;
  /** Key schema, e.g. `HASH status:S, RANGE createdAt:S`. */
  readonly keySchema: string;
  /** Projection, e.g. `KEYS_ONLY` or `INCLUDE type, mode`, attributes in template order. */
  readonly projection: string;
}

/** What a table may not change without being replaced, and what a deploy changes in steps. */
export interface TableIdentity {
  /** Logical ID of the table resource in its stack. */
  readonly logicalId: string;
  /** Physical table name. */
  readonly tableName: string;
  /** Key schema, e.g. `HASH shopDomain:S, RANGE timestamp:N`. */
  readonly keySchema: string;
  /** Global secondary indexes, in template order. */
  readonly indexes: readonly IndexIdentity[];
  /** The enabled TTL attribute; null without TTL. */
  readonly ttlAttribute: string | null;
}

/** The identity of every table of one stage. */
export interface StageIdentity {
  /** CloudFormation stack holding the stage's tables. */
  readonly stackName: string;
  /** Region the stack deploys to. */
  readonly region: string;
  /** The stage's tables, ordered by physical name. */
  readonly tables: readonly TableIdentity[];
}

/** Table identities by stage name: the shape of the baseline file. */
export type IdentityBaseline = Readonly<Record<string, StageIdentity>>;

interface KeyElement {
  readonly AttributeName: string;
  readonly KeyType: string;
}

interface AttributeDefinition {
  readonly AttributeName: string;
  readonly AttributeType: string;
}

interface TemplateIndex {
  readonly IndexName: string;
  readonly KeySchema?: KeyElement[];
  readonly Projection?: { readonly ProjectionType?: string; readonly NonKeyAttributes?: string[] };
}

/** The identity of every DynamoDB table (either resource type) in a stack's template. */
export function stageIdentity(stack: { readonly stackName: string; readonly region: string }, template: CfnTemplate): StageIdentity {
  const tables = tableResources(template)
    .map(([logicalId, { Properties = {} }]): TableIdentity => {
      const definitions = (Properties.AttributeDefinitions ?? []) as AttributeDefinition[];
      const typeOf = (name: string) => definitions.find((definition) => definition.AttributeName === name)?.AttributeType;
      const keySchema = (keys: KeyElement[] = []) =>
        keys.map((key) => `${key.KeyType} ${key.AttributeName}:${typeOf(key.AttributeName) ?? '?'}`).join(', ');
      const tableName = typeof Properties.TableName === 'string' ? Properties.TableName : `(generated from ${logicalId})`;
      const indexes = ((Properties.GlobalSecondaryIndexes ?? []) as TemplateIndex[]).map((index) => ({
        name: index.IndexName,
        keySchema: keySchema(index.KeySchema),
        projection: [index.Projection?.ProjectionType ?? 'KEYS_ONLY', (index.Projection?.NonKeyAttributes ?? []).join(', ')]
          .filter(Boolean)
          .join(' '),
      }));
      const ttl = Properties.TimeToLiveSpecification as { AttributeName?: string; Enabled?: boolean } | undefined;
      const ttlAttribute = ttl?.Enabled && ttl.AttributeName !== undefined ? ttl.AttributeName : null;
      return { logicalId, tableName, keySchema: keySchema(Properties.KeySchema as KeyElement[]), indexes, ttlAttribute };
    })
    .sort((a, b) => a.tableName.localeCompare(b.tableName));
  return { stackName: stack.stackName, region: stack.region, tables };
}

/**
 * Reads the committed baseline. Anything that is not the current shape (a hand edit, a merge
 * conflict, the format before regions, indexes and TTL were recorded) is a ConfigError of one line
 * naming the first field that is wrong.
 */
export function readIdentityBaseline(path: string): IdentityBaseline {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw baselineError(`cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // The parser's message quotes the text, which may span lines.
    throw baselineError('is not valid JSON');
  }
  return parseIdentityBaseline(value);
}

/** Checks that a parsed baseline has the current shape; see {@link readIdentityBaseline}. */
export function parseIdentityBaseline(value: unknown): IdentityBaseline {
  const fail = (field: string, expected: string) => baselineError(`${field} is not ${expected}`);
  if (!isRecord(value)) throw fail('the top level', 'an object of stages');
  for (const [stage, identity] of Object.entries(value)) {
    if (!isRecord(identity)) throw fail(stage, 'an object');
    for (const field of ['stackName', 'region'] as const) {
      if (typeof identity[field] !== 'string') throw fail(`${stage}.${field}`, 'a string');
    }
    if (!Array.isArray(identity.tables)) throw fail(`${stage}.tables`, 'a list');
    identity.tables.forEach((table: unknown, i: number) => {
      const at = `${stage}.tables[${i}]`;
      if (!isRecord(table)) throw fail(at, 'an object');
      for (const field of ['logicalId', 'tableName', 'keySchema'] as const) {
        if (typeof table[field] !== 'string') throw fail(`${at}.${field}`, 'a string');
      }
      if (table.ttlAttribute !== null && typeof table.ttlAttribute !== 'string') throw fail(`${at}.ttlAttribute`, 'a string or null');
      if (!Array.isArray(table.indexes)) throw fail(`${at}.indexes`, 'a list');
      table.indexes.forEach((index: unknown, j: number) => {
        if (!isRecord(index)) throw fail(`${at}.indexes[${j}]`, 'an object');
        for (const field of ['name', 'keySchema', 'projection'] as const) {
          if (typeof index[field] !== 'string') throw fail(`${at}.indexes[${j}].${field}`, 'a string');
        }
      });
    });
  }
  return value as unknown as IdentityBaseline;
}

function baselineError(problem: string): ConfigError {
  return new ConfigError([
    `${IDENTITY_BASELINE_FILE}: ${problem}. Restore it from git, or rewrite it with \`${IDENTITY_BASELINE_COMMAND}\` and review its diff before committing.`,
  ]);
}

/**
 * Every table in the baseline that the current synth would replace, delete or leave behind, one
 * line each. New stages, tables and indexes are not problems: they replace nothing.
 */
export function replacementProblems(baseline: IdentityBaseline, current: IdentityBaseline): string[] {
  return Object.entries(baseline).flatMap(([stage, before]) => {
    const after = current[stage];
    const tableNames = before.tables.map((table) => table.tableName).join(', ');
    if (!after) {
      return [
        `${stage}: the stage is in the baseline but no longer synthesized (renamed or removed in infra/data/stages.ts): its tables ${tableNames} stay in stack ${before.stackName} in ${before.region}, and a renamed stage deploys a new stack with new, empty tables.`,
      ];
    }
    if (after.region !== before.region) {
      return [
        `${stage}: the stage moved from region ${before.region} to ${after.region}: its stack would be created there with new, empty tables, and ${tableNames} would stay behind in ${before.region} with the data.`,
      ];
    }
    const problems: string[] = [];
    if (after.stackName !== before.stackName) {
      problems.push(
        `${stage}: the stack name changed from ${before.stackName} to ${after.stackName}; a new stack would create every table again and deleting the old one would delete or orphan its tables.`,
      );
    }
    for (const table of before.tables) {
      const subject = `${stage}: table ${table.tableName} (${table.logicalId})`;
      const sameId = after.tables.find((candidate) => candidate.logicalId === table.logicalId);
      const sameName = after.tables.find((candidate) => candidate.tableName === table.tableName);
      if (sameId) {
        if (sameId.tableName !== table.tableName) {
          problems.push(`${subject} would be replaced: its physical name changed to ${sameId.tableName}.`);
        }
        if (sameId.keySchema !== table.keySchema) {
          problems.push(`${subject} would be replaced: its key schema changed from ${table.keySchema} to ${sameId.keySchema}.`);
        }
      } else if (sameName) {
        problems.push(
          `${subject} would be replaced: its logical ID changed to ${sameName.logicalId}, as happens when a construct id or its path changes.`,
        );
      } else {
        problems.push(`${subject} would be deleted: no table with that logical ID or name is synthesized.`);
      }
    }
    return problems;
  });
}

/** The replacement problems and how to accept them deliberately; empty when there are none. */
export function replacementReport(baseline: IdentityBaseline, current: IdentityBaseline): string {
  return report(
    'These changes would replace or delete DynamoDB tables, losing their data:',
    replacementProblems(baseline, current),
    `If that is intended (data migrated or disposable), run \`${IDENTITY_BASELINE_COMMAND}\` and commit ${IDENTITY_BASELINE_FILE} with the change.`,
  );
}

/**
 * Changes to tables that stay (same stage, region, logical ID, name and key schema) that one
 * deploy cannot make safely, each with its reason and the safe sequence of deploys. New tables,
 * one new index, removed indexes, new attributes and TTL turned on or off pass.
 */
export function deployHazards(baseline: IdentityBaseline, current: IdentityBaseline): string[] {
  return Object.entries(baseline).flatMap(([stage, before]) => {
    const after = current[stage];
    if (!after || after.region !== before.region || after.stackName !== before.stackName) return [];
    return before.tables.flatMap((table) => {
      const now = after.tables.find((candidate) => candidate.logicalId === table.logicalId);
      if (!now || now.tableName !== table.tableName || now.keySchema !== table.keySchema) return [];
      return tableHazards(`${stage}: table ${table.tableName}`, table, now);
    });
  });
}

function tableHazards(subject: string, before: TableIdentity, after: TableIdentity): string[] {
  const hazards: string[] = [];
  const built: string[] = [];
  for (const index of after.indexes) {
    const old = before.indexes.find((candidate) => candidate.name === index.name);
    if (!old) {
      built.push(`${index.name} (new)`);
      continue;
    }
    const changes = [
      old.keySchema !== index.keySchema && `key from ${old.keySchema} to ${index.keySchema}`,
      old.projection !== index.projection && `projection from ${old.projection} to ${index.projection}`,
    ].filter((change): change is string => change !== false);
    if (changes.length === 0) continue;
    built.push(`${index.name} (rebuilt)`);
    hazards.push(
      `${subject}: index ${index.name} changes its ${changes.join(' and its ')}. DynamoDB deletes and rebuilds the index, and Queries on it fail until the new one is backfilled. Safe sequence: add the new definition as an index under a new name (one deploy), move every reader to it (next deploy), then remove the old index.`,
    );
  }
  if (built.length >= 2) {
    hazards.push(
      `${subject}: ${built.length} indexes would be created in one deploy (${built.join(', ')}). DynamoDB creates one index per table update, so the deploy fails halfway and rolls back. Safe sequence: add one index per deploy, each deployed before the next is added.`,
    );
  }
  if (before.ttlAttribute !== null && after.ttlAttribute !== null && before.ttlAttribute !== after.ttlAttribute) {
    hazards.push(
      `${subject}: the TTL attribute changes from ${before.ttlAttribute} to ${after.ttlAttribute}. DynamoDB changes the TTL attribute only by disabling TTL and enabling it again, and refuses another TTL change on the table for an hour after each one. Safe sequence: remove the TTL from the map and deploy; at least an hour later, add it with the new attribute and deploy again.`,
    );
  }
  return hazards;
}

/** The deploy hazards and how to accept them deliberately; empty when there are none. */
export function hazardReport(baseline: IdentityBaseline, current: IdentityBaseline): string {
  return report(
    'These changes cannot be deployed safely in one step:',
    deployHazards(baseline, current),
    `Split the change as each line says. If the hazard is intended (e.g. the tables are not deployed yet, or the baseline is behind what every stage runs), run \`${IDENTITY_BASELINE_COMMAND}\` and commit ${IDENTITY_BASELINE_FILE} with the change: its diff records the acceptance.`,
  );
}

function report(heading: string, problems: readonly string[], remedy: string): string {
  if (problems.length === 0) return '';
  return [heading, ...problems.map((problem) => `- ${problem}`), remedy].join('\n');
}
