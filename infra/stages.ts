/** What a deployment stage decides about its tables. */
export interface StagePolicy {
  /** AWS region the stage deploys to; fixed here, since a customer-managed key on TableV2 needs an explicit region. */
  readonly region: string;
  /** True when the tables and their data must survive a stack delete or a replacement. */
  readonly protectData: boolean;
  /** Days of point-in-time recovery history kept (DynamoDB allows 1 to 35). */
  readonly pitrRecoveryPeriodDays: number;
  /** Tags applied to every resource of the stage. */
  readonly tags: Readonly<Record<string, string>>;
}

/** The deployment stages. Every one is synthesized on every PR, so prod's policy is always checked. */
export const STAGES = {
  dev: {
    region: 'us-east-1',
    protectData: false,
    pitrRecoveryPeriodDays: 7,
    tags: { Project: 'inavor-shuttle', Stage: 'dev', DataClassification: 'test' },
  },
  staging: {
    region: 'us-east-1',
    protectData: true,
    pitrRecoveryPeriodDays: 35,
    tags: { Project: 'inavor-shuttle', Stage: 'staging', DataClassification: 'confidential' },
  },
  prod: {
    region: 'us-east-1',
    protectData: true,
    pitrRecoveryPeriodDays: 35,
    tags: { Project: 'inavor-shuttle', Stage: 'prod', DataClassification: 'confidential' },
  },
} as const satisfies Record<string, StagePolicy>;

/** Name of a deployment stage. */
export type StageName = keyof typeof STAGES;

/** Every stage name, in promotion order. */
export const STAGE_NAMES = Object.keys(STAGES) as StageName[];

/** Physical name of a table in a stage, e.g. `Jobs-prod`. */
export function physicalTableName(table: string, stage: string): string {
  return `${table}-${stage}`;
}

/** CloudFormation stack name of a stage's data stack, e.g. `InavorShuttleData-prod`. */
export function dataStackName(stage: string): string {
  return `InavorShuttleData-${stage}`;
}

/** Alias of a stage's customer-managed data key, e.g. `alias/inavor-shuttle/prod/data`. */
export function stageKeyAlias(stage: string): string {
  return `alias/inavor-shuttle/${stage}/data`;
}
