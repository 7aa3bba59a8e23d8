import { Aspects } from 'aws-cdk-lib';
import { AwsSolutionsChecks, NagReportFormat, NagSuppressions, type NagPackProps } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { DataProtectionChecks } from './nag/data-protection-checks';
import type { DataStack } from './stacks/data-stack';
import { physicalTableName } from './stages';

/** How nag runs. */
export interface NagOptions {
  /** Write JSON and CSV reports next to the templates; off in tests that synth to a temp folder. */
  readonly reports: boolean;
  /** Data stacks to hold to the DataProtection pack, each by its own stage's policy. */
  readonly dataStacks?: readonly DataStack[];
}

/**
 * All cdk-nag wiring lives here. cdk-nag 2.x runs packs as Aspects; 3.x runs them as a policy
 * validation plugin instead, and moving to it means changing only this function.
 */
export function applyNag(scope: IConstruct, options: NagOptions): void {
  const packProps: NagPackProps = {
    verbose: true,
    reports: options.reports,
    reportFormats: [NagReportFormat.JSON, NagReportFormat.CSV],
  };
  Aspects.of(scope).add(new AwsSolutionsChecks(packProps));
  // One pack per stack: whether deletion protection is required depends on that stack's stage.
  for (const stack of options.dataStacks ?? []) {
    const { stageName, policy, schemas } = stack;
    const ttlAttributes = Object.fromEntries(
      schemas.flatMap((schema) => (schema.ttl ? [[physicalTableName(schema.name, stageName), schema.ttl.attribute]] : [])),
    );
    Aspects.of(stack).add(
      new DataProtectionChecks({ ...packProps, protectData: policy.protectData, ttlAttributes, requireBackup: policy.backup.rules.length > 0 }),
    );
    if (stack.backups) suppressBackupRoleFindings(stack.backups.role);
  }
}

const BACKUP_MANAGED_POLICIES = ['AWSBackupServiceRolePolicyForBackup', 'AWSBackupServiceRolePolicyForRestores'];

function suppressBackupRoleFindings(role: IConstruct): void {
  NagSuppressions.addResourceSuppressions(role, [
    {
      id: 'AwsSolutions-IAM4',
      reason:
        'AWS Backup service role, assumable only by backup.amazonaws.com and used only by this stack\'s table selection. ' +
        'AWS maintains these two policies as the permissions backup and restore need per service (e.g. DynamoDB advanced ' +
        'backup and its KMS grants); a hand-written copy that missed one action would fail the nightly jobs unseen.',
      appliesTo: BACKUP_MANAGED_POLICIES.map((name) => `Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/${name}`),
    },
  ]);
}
