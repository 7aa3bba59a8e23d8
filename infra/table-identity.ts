/**
 * CloudFormation replaces a DynamoDB table (a new, empty table; the old one deleted or orphaned)
 * when its logical ID, its physical name or its key schema changes. This module extracts that
 * identity from synthesized templates and compares it with a committed baseline.
 */

import { tableResources, type CfnTemplate } from './cfn-template';

/** The committed baseline, relative to the repository root. */
export const IDENTITY_BASELINE_FILE = 'test/baselines/table-identity.json';

/** The command that rewrites the baseline from the current synth. */
const IDENTITY_BASELINE_COMMAND = 'npm run baseline:update';

/** What a table may not change without being replaced. */
export interface TableIdentity {
  /** Logical ID of the table resource in its stack. */
  readonly logicalId: string;
  /** Physical table name. */
  readonly tableName: string;
  /** Key schema, e.g. `HASH shopDomain:S, RANGE timestamp:N`. */
  readonly keySchema: string;
}

/** The identity of every table of one stage. */
export interface StageIdentity {
  /** CloudFormation stack holding the stage's tables. */
  readonly stackName: string;
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

/** The identity of every DynamoDB table (either resource type) in a stack's template. */
export function stageIdentity(stackName: string, template: CfnTemplate): StageIdentity {
  const tables = tableResources(template)
    .map(([logicalId, { Properties = {} }]) => {
      const definitions = (Properties.AttributeDefinitions ?? []) as AttributeDefinition[];
      const typeOf = (name: string) => definitions.find((definition) => definition.AttributeName === name)?.AttributeType;
      const keySchema = ((Properties.KeySchema ?? []) as KeyElement[])
        .map((key) => `${key.KeyType} ${key.AttributeName}:${typeOf(key.AttributeName) ?? '?'}`)
        .join(', ');
      const tableName = typeof Properties.TableName === 'string' ? Properties.TableName : `(generated from ${logicalId})`;
      return { logicalId, tableName, keySchema };
    })
    .sort((a, b) => a.tableName.localeCompare(b.tableName));
  return { stackName, tables };
}

/**
 * Every table in the baseline that the current synth would replace or delete, one line each.
 * New stages, tables and indexes are not problems: they replace nothing.
 */
export function replacementProblems(baseline: IdentityBaseline, current: IdentityBaseline): string[] {
  return Object.entries(baseline).flatMap(([stage, before]) => {
    const after = current[stage];
    if (!after) return [`${stage}: the stage is in the baseline but no longer synthesized.`];
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
  const problems = replacementProblems(baseline, current);
  if (problems.length === 0) return '';
  return [
    'These changes would replace or delete DynamoDB tables, losing their data:',
    ...problems.map((problem) => `- ${problem}`),
    `If that is intended (data migrated or disposable), run \`${IDENTITY_BASELINE_COMMAND}\` and commit ${IDENTITY_BASELINE_FILE} with the change.`,
  ].join('\n');
}
