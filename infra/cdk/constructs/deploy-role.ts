import { DefaultStackSynthesizer, Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { dataStackName, deployRoleName, stageResourceName } from '../../data/stages';

/** GitHub's OIDC issuer, as IAM names its identity provider and the token's condition keys. */
export const GITHUB_OIDC_ISSUER = 'token.actions.githubusercontent.com';

/** The audience configure-aws-credentials asks GitHub to put in the token. */
export const GITHUB_OIDC_AUDIENCE = 'sts.amazonaws.com';

/**
 * What CloudFormation calls, with the deploy role's credentials, to create, update and read the
 * stack's resources, by service (IAM aside): the verbs of each resource type's handlers, as families
 * rather than one by one, so that a new property of a resource does not fail a deploy. Nothing that
 * deletes a recovery point or a key is here; the key and vault policies refuse those anyway.
 */
export const DEPLOY_ACTIONS = {
  backup: ['Create*', 'Delete*', 'Describe*', 'Get*', 'List*', 'Put*', 'Update*', 'TagResource', 'UntagResource'],
  'backup-storage': ['MountCapsule'],
  cloudwatch: ['DeleteAlarms', 'DeleteDashboards', 'Describe*', 'GetDashboard', 'List*', 'PutDashboard', 'PutMetricAlarm', 'TagResource', 'UntagResource'],
  dynamodb: ['Create*', 'Delete*', 'Describe*', 'Get*', 'List*', 'Put*', 'Update*', 'TagResource', 'UntagResource'],
  events: ['DeleteRule', 'Describe*', 'List*', 'Put*', 'RemoveTargets', 'TagResource', 'UntagResource'],
  kms: ['Create*', 'DeleteAlias', 'Describe*', 'EnableKeyRotation', 'Get*', 'List*', 'PutKeyPolicy', 'Update*', 'TagResource', 'UntagResource'],
  sns: ['CreateTopic', 'DeleteTopic', 'Get*', 'List*', 'SetTopicAttributes', 'Subscribe', 'TagResource', 'Unsubscribe', 'UntagResource'],
} as const;

/** What CloudFormation calls on the stack's roles and their inline policies. */
const ROLE_ACTIONS = ['Attach*', 'Create*', 'Delete*', 'Detach*', 'Get*', 'List*', 'Put*', 'TagRole', 'UntagRole', 'Update*'].map((verb) => `iam:${verb}`);

/** Every action of the deploy role's policy that holds a wildcard, for the nag suppression that explains them. */
export const DEPLOY_WILDCARD_ACTIONS = [...Object.entries(DEPLOY_ACTIONS).flatMap(([service, verbs]) => verbs.map((verb) => `${service}:${verb}`)), ...ROLE_ACTIONS].filter((action) =>
  action.includes('*'),
);

/** Props of {@link DeployRole}. */
export interface DeployRoleProps {
  /** Name of the stage, carried in the role and stack names. */
  readonly stageName: string;
  /** The repository (`owner/name`) and environment whose jobs may assume the role. */
  readonly deployFrom: { readonly repository: string; readonly environment: string };
}

/**
 * The role the promotion pipeline's deploy job of one stage assumes through GitHub's OIDC provider,
 * and only a job of the stage's repository and environment can: the stack deploys with it directly
 * (no CloudFormation execution role), so every change CloudFormation makes on a deploy's behalf is
 * recorded in CloudTrail under this role, invoked by CloudFormation. It may run change sets on the
 * stage's stack and upload the template to the CDK bootstrap bucket; the stack's resources it may
 * change only through CloudFormation (`aws:CalledViaFirst`), never by calling their APIs itself.
 * The account's GitHub OIDC provider must exist (one per account; see the README).
 */
export class DeployRole extends Construct {
  /** The role. */
  public readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: DeployRoleProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const { repository, environment } = props.deployFrom;
    const provider = stack.formatArn({ service: 'iam', region: '', resource: 'oidc-provider', resourceName: GITHUB_OIDC_ISSUER });
    this.role = new iam.Role(this, 'Role', {
      roleName: deployRoleName(props.stageName),
      assumedBy: new iam.FederatedPrincipal(
        provider,
        {
          StringEquals: {
            [`${GITHUB_OIDC_ISSUER}:aud`]: GITHUB_OIDC_AUDIENCE,
            [`${GITHUB_OIDC_ISSUER}:sub`]: `repo:${repository}:environment:${environment}`,
          },
        },
        'sts:AssumeRoleWithWebIdentity',
      ),
      // A deploy that waits on an index backfill outlasts an hour; CloudFormation works with these credentials throughout.
      maxSessionDuration: Duration.hours(2),
      description: `The ${props.stageName} deploy job of ${repository} (environment ${environment}) deploys ${dataStackName(props.stageName)} under this role`,
    });

    const stackArn = stack.formatArn({ service: 'cloudformation', resource: 'stack', resourceName: `${dataStackName(props.stageName)}/*` });
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'RunChangeSetsOnTheStageStack',
        actions: [
          'cloudformation:CreateChangeSet',
          'cloudformation:DeleteChangeSet',
          'cloudformation:DescribeChangeSet',
          'cloudformation:DescribeStackEvents',
          'cloudformation:DescribeStacks',
          'cloudformation:ExecuteChangeSet',
          'cloudformation:GetTemplate',
          'cloudformation:GetTemplateSummary',
        ],
        resources: [stackArn],
      }),
    );
    const qualifier = DefaultStackSynthesizer.DEFAULT_QUALIFIER;
    const bucket = `arn:${stack.partition}:s3:::cdk-${qualifier}-assets-${stack.account}-${stack.region}`;
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'UploadTheTemplateToTheBootstrapBucket',
        actions: ['s3:GetBucketLocation', 's3:GetObject', 's3:ListBucket', 's3:PutObject'],
        resources: [bucket, `${bucket}/*`],
      }),
    );
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ReadTheBootstrapVersion',
        actions: ['ssm:GetParameter'],
        resources: [stack.formatArn({ service: 'ssm', resource: 'parameter', resourceName: `cdk-bootstrap/${qualifier}/version` })],
      }),
    );
    const throughCloudFormation = { StringEquals: { 'aws:CalledViaFirst': 'cloudformation.amazonaws.com' } };
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ChangeTheStackResourcesThroughCloudFormationOnly',
        actions: Object.entries(DEPLOY_ACTIONS).flatMap(([service, verbs]) => verbs.map((verb) => `${service}:${verb}`)),
        resources: ['*'],
        conditions: throughCloudFormation,
      }),
    );
    // The stack's roles only: its own (inavor-shuttle-<stage>-*) and those CloudFormation names after the stack.
    const stackRoles = [stageRoleArn(stack, `${stageResourceName(props.stageName, '*')}`), stageRoleArn(stack, `${dataStackName(props.stageName)}-*`)];
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ChangeTheStackRolesThroughCloudFormationOnly',
        actions: ROLE_ACTIONS,
        resources: [...stackRoles, stageRoleArn(stack, 'aws-service-role/*')],
        conditions: throughCloudFormation,
      }),
    );
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'PassTheBackupRoleToAwsBackup',
        actions: ['iam:PassRole'],
        resources: stackRoles,
        conditions: { StringEquals: { 'iam:PassedToService': 'backup.amazonaws.com' } },
      }),
    );
  }
}

function stageRoleArn(stack: Stack, pathAndName: string): string {
  return stack.formatArn({ service: 'iam', region: '', resource: 'role', resourceName: pathAndName });
}
