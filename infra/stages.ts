/** How closely a stage watches its tables. */
export interface MonitoringPolicy {
  /** True to create the alarm topic, an alarm per table, index and operation, and the dashboard. */
  readonly alarms: boolean;
  /** True to turn Contributor Insights on for the tables and indexes the schema map marks `hotKeyProne`. */
  readonly contributorInsights: boolean;
  /** One line on why the stage watches this much. */
  readonly reason: string;
}

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
  /** Alarms, dashboard and Contributor Insights; thresholds are in `infra/monitoring.ts`. */
  readonly monitoring: MonitoringPolicy;
}

/** The deployment stages. Every one is synthesized on every PR, so prod's policy is always checked. */
export const STAGES = {
  dev: {
    region: 'us-east-1',
    protectData: false,
    pitrRecoveryPeriodDays: 7,
    tags: { Project: 'inavor-shuttle', Stage: 'dev', DataClassification: 'test' },
    monitoring: {
      alarms: false,
      contributorInsights: false,
      reason: 'No one is on call for dev and its load is one developer\'s: alarms would be noise, and a broken dev table is seen at once.',
    },
  },
  staging: {
    region: 'us-east-1',
    protectData: true,
    pitrRecoveryPeriodDays: 35,
    tags: { Project: 'inavor-shuttle', Stage: 'staging', DataClassification: 'confidential' },
    monitoring: {
      alarms: true,
      contributorInsights: false,
      reason: 'The same alarms as prod prove the wiring and catch a load test reaching a ceiling before prod does; no real traffic to rank keys by.',
    },
  },
  prod: {
    region: 'us-east-1',
    protectData: true,
    pitrRecoveryPeriodDays: 35,
    tags: { Project: 'inavor-shuttle', Stage: 'prod', DataClassification: 'confidential' },
    monitoring: {
      alarms: true,
      contributorInsights: true,
      reason: 'Merchants wait on prod: a stall must page someone, and naming the hot key during an incident is worth the Contributor Insights rules.',
    },
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

/** Ids of the outputs a stage's data stack exports for one table: its physical name and its ARN. */
export function tableOutputIds(table: string): [name: string, arn: string] {
  return [`${table}TableName`, `${table}TableArn`];
}

/** Export name of a data-stack output, e.g. `InavorShuttleData-prod-JobsTableArn`; other apps import by it. */
export function dataExportName(stage: string, outputId: string): string {
  return `${dataStackName(stage)}-${outputId}`;
}
