/** How closely a stage watches its tables. */
export interface MonitoringPolicy {
  /** True to create the alarm topic, an alarm per table, index and operation, and the dashboard. */
  readonly alarms: boolean;
  /** True to turn Contributor Insights on for the tables and indexes the schema map marks `hotKeyProne`. */
  readonly contributorInsights: boolean;
  /** One line on why the stage watches this much. */
  readonly reason: string;
}

/** How often a backup rule runs; each runs at 05:00 UTC, after the night's imports. */
export const BACKUP_SCHEDULES = ['daily', 'weekly', 'monthly'] as const;

/** How often a backup rule runs. */
export type BackupSchedule = (typeof BACKUP_SCHEDULES)[number];

/** One rule of a stage's AWS Backup plan. */
export interface BackupRuleSpec {
  /** Rule name, unique in the plan (letters, digits, `-`, `_`, `.`). */
  readonly name: string;
  /** How often it runs. */
  readonly schedule: BackupSchedule;
  /** Days each recovery point is kept. */
  readonly retentionDays: number;
  /** One line on why this rule and this retention. */
  readonly reason: string;
}

/**
 * A vault lock. Without `changeableForDays` it is in governance mode: someone allowed to call
 * `backup:DeleteBackupVaultLockConfiguration` can still lift it. With it, it is in compliance
 * mode, which becomes immutable when that grace time ends: nobody, root included, can then lift
 * the lock, shorten a recovery point or delete the vault before its retention ends.
 */
export interface VaultLockSpec {
  /** No recovery point in the vault can be deleted before it is this many days old. */
  readonly minRetentionDays: number;
  /** No recovery point can be kept longer than this many days. */
  readonly maxRetentionDays: number;
  /** Compliance mode: days (3 or more) the lock may still be changed after it is applied. */
  readonly changeableForDays?: number;
  /** One line on why this lock and this mode. */
  readonly reason: string;
}

/** A copy of every recovery point to a vault in another region or account. */
export interface BackupCopySpec {
  /** ARN of the destination vault; its access policy must allow this account to copy into it. */
  readonly destinationVaultArn: string;
  /** Days each copy is kept in the destination. */
  readonly retentionDays: number;
  /** One line on why the copy exists. */
  readonly reason: string;
}

/** What AWS Backup keeps of a stage's tables, beyond point-in-time recovery. */
export interface BackupPolicy {
  /** The plan's rules; none means the stage has no vault and no plan. */
  readonly rules: readonly BackupRuleSpec[];
  /** One line on why the stage gets these rules, or none. */
  readonly reason: string;
  /** The vault lock; absent means no lock. */
  readonly vaultLock?: VaultLockSpec;
  /** A copy to another region or account; off unless set. */
  readonly copy?: BackupCopySpec;
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
  /** AWS Backup plan of the stage's tables. */
  readonly backup: BackupPolicy;
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
    backup: {
      rules: [],
      reason: 'Dev holds seeded test data that npm run local and a redeploy recreate; 7 days of PITR cover mistakes.',
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
    backup: {
      rules: [
        {
          name: 'daily',
          schedule: 'daily',
          retentionDays: 7,
          reason: 'Runs the same plan, vault and selection as prod so restores are rehearsed here; a week is enough to rehearse.',
        },
      ],
      reason: 'Staging protects its data and is where restores are rehearsed, at a week of storage.',
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
    backup: {
      rules: [
        {
          name: 'daily',
          schedule: 'daily',
          retentionDays: 35,
          reason: 'Matches the 35-day PITR window with copies that survive the table being deleted.',
        },
        {
          name: 'monthly',
          schedule: 'monthly',
          retentionDays: 365,
          reason: 'Corruption found after PITR has rolled past it can still be undone for a year.',
        },
      ],
      reason: 'Security Hub DynamoDB.4 asks for every prod table in a backup plan; PITR alone lives and dies with the table.',
      vaultLock: {
        minRetentionDays: 35,
        maxRetentionDays: 365,
        reason: 'Governance mode stops early deletion by anyone without the unlock permission, and stays reversible if a retention proves wrong.',
      },
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

/** Alias of a stage's customer-managed data key, e.g. `alias/inavor-shuttle/prod/data`. */
export function stageKeyAlias(stage: string): string {
  return `alias/inavor-shuttle/${stage}/data`;
}
