/** The SNS protocols an alarm subscription may use: a mailbox, or an HTTPS endpoint (a paging service's). */
export const ALARM_PROTOCOLS = ['email', 'https'] as const;

/** Who the alarm topic notifies: part of the template, so removing the subscription by hand is drift. */
export interface AlarmSubscription {
  /** `email`: an address, which confirms the subscription from the first message; `https`: a URL. */
  readonly protocol: (typeof ALARM_PROTOCOLS)[number];
  /** The address or URL. */
  readonly endpoint: string;
}

/** How closely a stage watches its tables. */
export interface MonitoringPolicy {
  /** True to create the alarm topic, an alarm per table, index and operation, and the dashboard. */
  readonly alarms: boolean;
  /** The on-call's subscription to the alarm topic; required with `alarms`, absent without. */
  readonly notify?: AlarmSubscription;
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

/**
 * A copy of every recovery point into a logically air-gapped vault of the stage's account: a vault
 * in compliance mode, encrypted with a key AWS owns, whose recovery points no one in the account,
 * root included, can delete or shorten before their retention ends. Each rule's copies are kept as
 * long as the rule keeps its recovery points, so every rule's retention must lie within the vault's.
 */
export interface AirGappedCopySpec {
  /** The vault's shortest retention (AWS Backup: 7 days or more); a copy kept less fails. */
  readonly minRetentionDays: number;
  /** The vault's longest retention; a copy kept longer fails. */
  readonly maxRetentionDays: number;
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
  /** A copy to a logically air-gapped vault of the stage's account; off unless set. */
  readonly airGappedCopy?: AirGappedCopySpec;
}

/** AWS services a data-access role can trust, by the name the stage config uses. */
export const TRUSTED_SERVICES = {
  appRunner: 'tasks.apprunner.amazonaws.com',
  lambda: 'lambda.amazonaws.com',
} as const;

/** A service a data-access role trusts: an App Runner instance role or a Lambda execution role. */
export type TrustedService = keyof typeof TRUSTED_SERVICES;

/** The app's processes that use the data layer, each under a role of its own (see `DATA_ROLES` in infra/policy/table-access.ts). */
export const DATA_ROLE_PURPOSES = ['webApp', 'jobWorker', 'tokenRefresher', 'redaction'] as const;

/** One of the app's processes that use the data layer. */
export type DataRolePurpose = (typeof DATA_ROLE_PURPOSES)[number];

/** Who may use a stage's data and manage its keys and vault. */
export interface AccessPolicy {
  /**
   * Path and name of the break-glass role, the one principal allowed to disable or delete a key,
   * replace a key or vault policy, or delete a recovery point. It may hold `*`, so that an IAM
   * Identity Center role (named with a random suffix under the `aws-reserved/` path, which only
   * Identity Center can create roles in) can be named, e.g.
   * `aws-reserved/sso.amazonaws.com/*AWSReservedSSO_InavorShuttleBreakGlass_*`.
   */
  readonly breakGlassRole: string;
  /** The service each data-access role of the stack trusts. */
  readonly roleTrust: Readonly<Record<DataRolePurpose, TrustedService>>;
  /**
   * The GitHub repository (`owner/name`) and environment whose deploy jobs may assume the stage's
   * deploy role (`inavor-shuttle-<stage>-deploy`), the one principal besides break-glass allowed to
   * replace a key or vault policy.
   */
  readonly deployFrom: { readonly repository: string; readonly environment: string };
  /**
   * Path and name of the role the app's own pipeline deploys its Lambda functions and App Runner
   * services with: the one principal expected to hand a token role to a service or change the code
   * that runs under one.
   */
  readonly appDeployRole: string;
  /** One line on who holds the break-glass role in this stage. */
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
  /** Alarms, dashboard and Contributor Insights; thresholds are in `infra/policy/monitoring.ts`. */
  readonly monitoring: MonitoringPolicy;
  /** AWS Backup plan of the stage's tables. */
  readonly backup: BackupPolicy;
  /** The data-access roles' trust and the break-glass role. */
  readonly access: AccessPolicy;
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
    access: {
      breakGlassRole: 'aws-reserved/sso.amazonaws.com/*AWSReservedSSO_InavorShuttleBreakGlass_*',
      roleTrust: { webApp: 'appRunner', jobWorker: 'lambda', tokenRefresher: 'lambda', redaction: 'lambda' },
      deployFrom: { repository: 'inavor/inavor-shuttle-data', environment: 'dev' },
      appDeployRole: 'inavor-shuttle-app-dev-deploy',
      reason: 'The Identity Center permission set InavorShuttleBreakGlass, assigned in the dev account to the data-layer owners.',
    },
  },
  staging: {
    region: 'us-east-1',
    protectData: true,
    pitrRecoveryPeriodDays: 35,
    tags: { Project: 'inavor-shuttle', Stage: 'staging', DataClassification: 'confidential' },
    monitoring: {
      alarms: true,
      notify: { protocol: 'email', endpoint: 'data-alarms-staging@inavor.example' },
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
    access: {
      breakGlassRole: 'aws-reserved/sso.amazonaws.com/*AWSReservedSSO_InavorShuttleBreakGlass_*',
      roleTrust: { webApp: 'appRunner', jobWorker: 'lambda', tokenRefresher: 'lambda', redaction: 'lambda' },
      deployFrom: { repository: 'inavor/inavor-shuttle-data', environment: 'staging' },
      appDeployRole: 'inavor-shuttle-app-staging-deploy',
      reason: 'The Identity Center permission set InavorShuttleBreakGlass, assigned in the staging account to the data-layer owners.',
    },
  },
  prod: {
    region: 'us-east-1',
    protectData: true,
    pitrRecoveryPeriodDays: 35,
    tags: { Project: 'inavor-shuttle', Stage: 'prod', DataClassification: 'confidential' },
    monitoring: {
      alarms: true,
      notify: { protocol: 'email', endpoint: 'data-oncall@inavor.example' },
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
        reason: 'Governance mode stays reversible if a retention proves wrong; the air-gapped copy is what no one in the account can delete.',
      },
      airGappedCopy: {
        minRetentionDays: 35,
        maxRetentionDays: 365,
        reason: 'An administrator of the prod account, or a deploy that replaces the vault policy, can lift the governance lock; the copies in a logically air-gapped vault outlive both.',
      },
    },
    access: {
      breakGlassRole: 'aws-reserved/sso.amazonaws.com/*AWSReservedSSO_InavorShuttleBreakGlass_*',
      roleTrust: { webApp: 'appRunner', jobWorker: 'lambda', tokenRefresher: 'lambda', redaction: 'lambda' },
      deployFrom: { repository: 'inavor/inavor-shuttle-data', environment: 'prod' },
      appDeployRole: 'inavor-shuttle-app-prod-deploy',
      reason: 'The Identity Center permission set InavorShuttleBreakGlass, assigned in the prod account to two named owners only, with MFA.',
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

/** What every alias of a stage's keys starts with, e.g. `alias/inavor-shuttle/prod/`. */
export function stageKeyAliasPrefix(stage: string): string {
  return `alias/inavor-shuttle/${stage}/`;
}

/** Alias of a stage's customer-managed data key, e.g. `alias/inavor-shuttle/prod/data`. */
export function stageKeyAlias(stage: string): string {
  return `${stageKeyAliasPrefix(stage)}data`;
}

/**
 * Physical name of a stage's resource from its camelCase name, e.g. `inavor-shuttle-prod-token-refresher`;
 * `*` gives the pattern that matches every one of them.
 */
export function stageResourceName(stage: string, name: string): string {
  return `inavor-shuttle-${stage}-${name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`;
}

/** Physical name of a stage's deploy role, which the promotion pipeline's deploy job assumes, e.g. `inavor-shuttle-prod-deploy`. */
export function deployRoleName(stage: string): string {
  return stageResourceName(stage, 'deploy');
}

/** Physical name of a data-access role, e.g. `inavor-shuttle-prod-token-refresher`. */
export function dataRoleName(stage: string, purpose: DataRolePurpose): string {
  return stageResourceName(stage, purpose);
}

/** Id of the output exporting a data-access role's ARN, e.g. `TokenRefresherRoleArn`. */
export function dataRoleOutputId(purpose: DataRolePurpose): string {
  return `${purpose[0]!.toUpperCase()}${purpose.slice(1)}RoleArn`;
}
