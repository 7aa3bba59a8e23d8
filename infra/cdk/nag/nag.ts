import { Aspects, DefaultStackSynthesizer } from 'aws-cdk-lib';
import { AwsSolutionsChecks, NagReportFormat, NagSuppressions, type NagPackProps } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { DEPLOY_WILDCARD_ACTIONS } from '../constructs/deploy-role';
import { DataProtectionChecks } from './data-protection-checks';
import type { DataStack } from '../stacks/data-stack';
import { dataStackName, physicalTableName, stageResourceName } from '../../data/stages';

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
    suppressDeployRoleFindings(stack);
  }
}

/** The deploy role's wildcards, each explained: what a deploy changes is reviewed in its pull request, not enumerated here. */
function suppressDeployRoleFindings(stack: DataStack): void {
  const { stageName, region } = stack;
  NagSuppressions.addResourceSuppressions(
    stack.deployRole,
    [
      {
        id: 'AwsSolutions-IAM5',
        reason:
          'The deploy role of the promotion pipeline, assumable only by the stage\'s GitHub environment. The action families are the ' +
          'create, read and update verbs of the stack\'s resource types, allowed only through CloudFormation (aws:CalledViaFirst), ' +
          'so a deploy can change what its reviewed template says and the role cannot call these APIs itself. Key ARNs and generated ' +
          'names are unknown before CloudFormation creates them (Resource *); roles are limited to the stack\'s names, change sets to ' +
          'the stage\'s stack, objects to the CDK bootstrap bucket.',
        appliesTo: [
          ...DEPLOY_WILDCARD_ACTIONS.map((action) => `Action::${action}`),
          'Resource::*',
          ...[
            `cloudformation:${region}:<AWS::AccountId>:stack/${dataStackName(stageName)}/*`,
            `iam::<AWS::AccountId>:role/${stageResourceName(stageName, '*')}`,
            `iam::<AWS::AccountId>:role/${dataStackName(stageName)}-*`,
            'iam::<AWS::AccountId>:role/aws-service-role/*',
            `s3:::cdk-${DefaultStackSynthesizer.DEFAULT_QUALIFIER}-assets-<AWS::AccountId>-${region}/*`,
            // The partition is a placeholder until the stack's account is known.
          ].map((rest) => ({ regex: `/^Resource::arn:(aws|<AWS::Partition>):${rest.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}$/` })),
        ],
      },
    ],
    true,
  );
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
