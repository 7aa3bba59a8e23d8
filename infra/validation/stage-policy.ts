/** The stage config: stage names and the stack and export names made from them, regions, PITR, data protection and tags. */

import { dataExportName, dataStackName, tableOutputIds } from '../data/stages';
import { isRecord, show, type Report } from './common';
import { validateBackup } from './backup';
import { checkMonitoring, securityRuleNameProblems } from './monitoring';
import { checkAccess, roleNameProblems } from './roles';

const PITR_DAYS = { min: 1, max: 35 };

/**
 * Region names of the commercial, AWS GovCloud (US) and China partitions as of late 2026. Offline on
 * purpose: synth needs no network; a test compares it with the regions aws-cdk-lib knows, so an
 * upgrade that brings a new region says so.
 */
export const AWS_REGIONS = [
  'af-south-1',
  'ap-east-1', 'ap-east-2',
  'ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3',
  'ap-south-1', 'ap-south-2',
  'ap-southeast-1', 'ap-southeast-2', 'ap-southeast-3', 'ap-southeast-4', 'ap-southeast-5', 'ap-southeast-6', 'ap-southeast-7',
  'ca-central-1', 'ca-west-1',
  'eu-central-1', 'eu-central-2',
  'eu-north-1',
  'eu-south-1', 'eu-south-2',
  'eu-west-1', 'eu-west-2', 'eu-west-3',
  'il-central-1',
  'me-central-1', 'me-south-1', 'me-west-1',
  'mx-central-1',
  'sa-east-1',
  'us-east-1', 'us-east-2',
  'us-west-1', 'us-west-2',
  'us-gov-east-1', 'us-gov-west-1',
  'cn-north-1', 'cn-northwest-1',
] as const;

/**
 * Stage names: a lowercase letter, then lowercase letters, digits and single hyphens, no hyphen
 * last. The name is part of the stack name and export names (letters, digits, hyphens only), the
 * KMS alias and the physical table names; lowercase keeps `prod` and `Prod` from being two stages
 * that people read as one, and keeps the name usable in names that must be lowercase (S3 buckets).
 */
const STAGE_NAME_PATTERN = /^[a-z](?:-?[a-z0-9])*$/;
/** CloudFormation's stack name rule. */
const STACK_NAME_PATTERN = /^[A-Za-z][A-Za-z0-9-]*$/;
const MAX_STACK_NAME = 128;
/** CloudFormation's export name rule. */
const EXPORT_NAME_PATTERN = /^[A-Za-z0-9:-]+$/;
const MAX_EXPORT_NAME = 255;

/** AWS tag limits shared by DynamoDB, KMS and CloudFormation. */
const TAGS = {
  maxPerResource: 50,
  maxKey: 128,
  maxValue: 256,
  /** Letters, numbers and spaces in any language, and `_ . : / = + - @`. */
  pattern: /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u,
  reservedPrefix: /^aws:/i,
} as const;

/** Problems of the stage config. */
export function validateStages(stages: unknown): string[] {
  if (!isRecord(stages) || Object.keys(stages).length === 0) return ['stages: expected at least one stage'];
  return Object.entries(stages).flatMap(([name, policy]) => {
    const problems = stageNameProblems(name);
    if (!isRecord(policy)) return [...problems, `stages.${name}: expected a stage policy, got ${show(policy)}`];
    if (typeof policy.region !== 'string' || !(AWS_REGIONS as readonly string[]).includes(policy.region)) {
      problems.push(`stages.${name}.region: ${show(policy.region)} is not an AWS region name (e.g. us-east-1)`);
    }
    const days = policy.pitrRecoveryPeriodDays;
    if (!Number.isInteger(days) || (days as number) < PITR_DAYS.min || (days as number) > PITR_DAYS.max) {
      problems.push(
        `stages.${name}.pitrRecoveryPeriodDays: ${show(days)} is outside ${PITR_DAYS.min}-${PITR_DAYS.max} days (whole days only)`,
      );
    }
    if (typeof policy.protectData !== 'boolean') {
      problems.push(`stages.${name}.protectData: expected true or false, got ${show(policy.protectData)}`);
    }
    return [
      ...problems,
      ...tagProblems(policy.tags, `stages.${name}.tags`),
      ...checkMonitoring(policy.monitoring, `stages.${name}.monitoring`),
      ...(isRecord(policy.monitoring) && policy.monitoring.alarms === true ? securityRuleNameProblems(name) : []),
      ...validateBackup(`stages.${name}.backup`, policy.backup, policy.protectData === true),
      ...checkAccess(policy.access, `stages.${name}.access`),
    ];
  });
}

function stageNameProblems(stage: string): string[] {
  const problems = STAGE_NAME_PATTERN.test(stage)
    ? []
    : [
        `stages.${stage}: ${show(stage)} is not a stage name: a lowercase letter, then lowercase letters, digits and single hyphens, not ending in a hyphen (it becomes part of stack, export, table and KMS alias names)`,
      ];
  return [...problems, ...stackNameProblems(stage), ...roleNameProblems(stage)];
}

/** CloudFormation's rule for the stage's stack name, whatever `dataStackName` makes of the stage name. */
export function stackNameProblems(stage: string): string[] {
  const stackName = dataStackName(stage);
  if (stackName.length > MAX_STACK_NAME) {
    return [`stages.${stage}: stack name ${stackName} is ${stackName.length} characters; CloudFormation allows at most ${MAX_STACK_NAME}`];
  }
  if (!STACK_NAME_PATTERN.test(stackName)) {
    return [`stages.${stage}: stack name ${stackName} breaks CloudFormation's rule: a letter, then letters, digits and hyphens`];
  }
  return [];
}

function tagProblems(tags: unknown, field: string): string[] {
  if (!isRecord(tags)) return [`${field}: expected a map of tag keys to values, got ${show(tags)}`];
  const entries = Object.entries(tags);
  const problems: string[] = [];
  if (entries.length > TAGS.maxPerResource) {
    problems.push(`${field}: ${entries.length} tags; AWS allows at most ${TAGS.maxPerResource} user tags per resource`);
  }
  for (const [key, value] of entries) {
    const at = `${field}[${JSON.stringify(key)}]`;
    // Tag limits count Unicode characters, not UTF-16 units.
    const keyLength = [...key].length;
    if (keyLength < 1 || keyLength > TAGS.maxKey) {
      problems.push(`${at}: the key is ${keyLength} characters; AWS allows 1-${TAGS.maxKey}`);
    }
    if (TAGS.reservedPrefix.test(key)) problems.push(`${at}: keys starting with "aws:" (in any case) are reserved for AWS`);
    if (!TAGS.pattern.test(key)) problems.push(`${at}: the key may hold only letters, digits, spaces and _ . : / = + - @`);
    if (typeof value !== 'string') {
      problems.push(`${at}: expected a string value, got ${show(value)}`);
      continue;
    }
    const valueLength = [...value].length;
    if (valueLength > TAGS.maxValue) {
      problems.push(`${at}: the value is ${valueLength} characters; AWS allows at most ${TAGS.maxValue}`);
    }
    if (!TAGS.pattern.test(value)) problems.push(`${at}: the value may hold only letters, digits, spaces and _ . : / = + - @`);
  }
  return problems;
}

/** The table's export names (e.g. `InavorShuttleData-prod-JobsTableArn`) in every stage with a valid stack name. */
export function checkExportNames(table: string, stageNames: readonly string[], report: Report): void {
  // A stage whose stack name is invalid is reported once, under stages.
  const stages = stageNames.filter((stage) => stackNameProblems(stage).length === 0);
  const exports = stages.flatMap((stage) => tableOutputIds(table).map((id) => ({ stage, name: dataExportName(stage, id) })));
  const badCharacters = exports.find(({ name }) => !EXPORT_NAME_PATTERN.test(name));
  if (badCharacters) {
    report('name', `"${table}" is part of export names such as ${badCharacters.name}, which CloudFormation limits to letters, digits, hyphens and colons`);
  }
  for (const stage of stages) {
    const longest = exports.filter((entry) => entry.stage === stage).reduce((a, b) => (b.name.length > a.name.length ? b : a));
    if (longest.name.length > MAX_EXPORT_NAME) {
      report('name', `export name ${longest.name} of stage ${stage} is ${longest.name.length} characters; CloudFormation allows at most ${MAX_EXPORT_NAME}`);
    }
  }
}
