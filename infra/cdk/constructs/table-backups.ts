import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { denyStatement, type Custodians } from '../custodians';
import { VAULT_DESTRUCTIVE_ACTIONS, VAULT_POLICY_ACTIONS } from '../../policy/break-glass';
import { stageKeyAliasPrefix, stageResourceName, type BackupPolicy, type BackupSchedule } from '../../data/stages';
import { StageKey } from './stage-key';

/** Props of {@link TableBackups}. */
export interface TableBackupsProps {
  /** Name of the stage, carried in the vault, plan and key alias names. */
  readonly stageName: string;
  /** The stage's backup policy; it must have at least one rule. */
  readonly policy: BackupPolicy;
  /** Every table of the stage; each is selected by its ARN. */
  readonly tables: readonly dynamodb.ITableV2[];
  /** Who may still delete recovery points or the vault (break-glass) and replace its policy or lock (also the deploy path). */
  readonly custodians: Custodians;
}

/** Every schedule runs at 05:00 UTC, after the night's imports and before the US working day. */
const SCHEDULES: Record<BackupSchedule, events.CronOptions> = {
  daily: { minute: '0', hour: '5' },
  weekly: { minute: '0', hour: '5', weekDay: 'SUN' },
  monthly: { minute: '0', hour: '5', day: '1' },
};

/**
 * AWS Backup for a stage's tables: a vault encrypted with its own customer-managed key (and
 * locked where the policy asks) whose access policy refuses to everyone but the custodians what
 * would lose a recovery point, a logically air-gapped vault the recovery points are copied to
 * (where the policy asks), a plan with the policy's rules (and copies, where set), and a
 * selection that names every table by ARN. `BackupResource.fromConstruct` is not used: it
 * silently selects nothing for a `TableV2`.
 */
export class TableBackups extends Construct {
  /** The vault every recovery point goes to. */
  public readonly vault: backup.BackupVault;
  /** The key encrypting the vault's recovery points. */
  public readonly key: StageKey;
  /** The plan of the policy's rules. */
  public readonly plan: backup.BackupPlan;
  /** The role AWS Backup assumes to back the tables up and to restore them. */
  public readonly role: iam.Role;
  /** The logically air-gapped vault every recovery point is copied to; absent unless the policy asks. */
  public readonly airGappedVault?: backup.CfnLogicallyAirGappedBackupVault;
  /** The names of the stage's vaults: the vault, and the air-gapped vault where there is one. */
  public readonly vaultNames: readonly string[];

  constructor(scope: Construct, id: string, props: TableBackupsProps) {
    super(scope, id);
    const { stageName, policy } = props;
    if (policy.rules.length === 0) throw new Error(`TableBackups: stage ${stageName} has no backup rule`);

    this.key = new StageKey(this, 'VaultKey', {
      alias: `${stageKeyAliasPrefix(stageName)}backup`,
      description: `Encrypts the Inavor Shuttle ${stageName} AWS Backup vault`,
      custodians: props.custodians,
    });
    const { breakGlass, deployer } = props.custodians;
    const deny = (sid: string, actions: readonly string[], except: string[]) => denyStatement(sid, actions, { ArnNotLike: { 'aws:PrincipalArn': except } });
    // Same-account IAM (an administrator's backup:*) would otherwise allow these; only a Deny here
    // outranks it. AWS Backup's own lifecycle deletions are not calls by a principal and go on.
    const accessPolicy = new iam.PolicyDocument({
      statements: [
        deny('DenyRecoveryPointLossExceptBreakGlass', VAULT_DESTRUCTIVE_ACTIONS, [breakGlass]),
        deny('DenyPolicyChangeExceptDeployAndBreakGlass', VAULT_POLICY_ACTIONS, [breakGlass, deployer]),
      ],
    });
    const lock = policy.vaultLock;
    this.vault = new backup.BackupVault(this, 'Vault', {
      backupVaultName: `inavor-shuttle-${stageName}`,
      encryptionKey: this.key,
      accessPolicy,
      lockConfiguration: lock && {
        minRetention: Duration.days(lock.minRetentionDays),
        maxRetention: Duration.days(lock.maxRetentionDays),
        changeableFor: lock.changeableForDays === undefined ? undefined : Duration.days(lock.changeableForDays),
      },
    });

    const copyDestination = policy.copy && backup.BackupVault.fromBackupVaultArn(this, 'CopyDestination', policy.copy.destinationVaultArn);
    const airGapped = policy.airGappedCopy;
    if (airGapped) {
      // Compliance mode and a key AWS owns come with the vault type: no one in the account can shorten
      // or delete a copy before its retention, nor disable the key that encrypts it.
      this.airGappedVault = new backup.CfnLogicallyAirGappedBackupVault(this, 'AirGappedVault', {
        backupVaultName: stageResourceName(stageName, 'airGapped'),
        minRetentionDays: airGapped.minRetentionDays,
        maxRetentionDays: airGapped.maxRetentionDays,
      });
      // It holds the copies that outlive everything else; CloudFormation never deletes it.
      this.airGappedVault.applyRemovalPolicy(RemovalPolicy.RETAIN);
    }
    const airGappedDestination =
      this.airGappedVault && backup.BackupVault.fromBackupVaultArn(this, 'AirGappedDestination', this.airGappedVault.attrBackupVaultArn);
    this.vaultNames = [this.vault.backupVaultName, ...(this.airGappedVault ? [this.airGappedVault.backupVaultName] : [])];
    this.plan = new backup.BackupPlan(this, 'Plan', {
      backupPlanName: stageResourceName(stageName, 'tables'),
      backupVault: this.vault,
      backupPlanRules: policy.rules.map(
        (rule) =>
          new backup.BackupPlanRule({
            ruleName: rule.name,
            scheduleExpression: events.Schedule.cron(SCHEDULES[rule.schedule]),
            deleteAfter: Duration.days(rule.retentionDays),
            copyActions: nonEmpty([
              ...(copyDestination && policy.copy ? [{ destinationBackupVault: copyDestination, deleteAfter: Duration.days(policy.copy.retentionDays) }] : []),
              // Each copy is kept as long as the rule keeps its recovery point (validated to lie within the vault's retention).
              ...(airGappedDestination ? [{ destinationBackupVault: airGappedDestination, deleteAfter: Duration.days(rule.retentionDays) }] : []),
            ]),
          }),
      ),
    });

    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('backup.amazonaws.com'),
      description: `AWS Backup backs up and restores the Inavor Shuttle ${stageName} tables under this role`,
    });
    this.plan.addSelection('Tables', {
      backupSelectionName: stageResourceName(stageName, 'tables'),
      role: this.role,
      resources: props.tables.map((table) => backup.BackupResource.fromDynamoDbTable(table)),
      // Vault recovery points are restored by AWS Backup itself, under this role.
      allowRestores: true,
    });
  }
}

/** A list, or undefined for none: a rule without copies leaves CopyActions out of the template. */
function nonEmpty<T>(items: T[]): T[] | undefined {
  return items.length > 0 ? items : undefined;
}
