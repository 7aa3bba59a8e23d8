import { Match, type Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { synthAllStages } from './support/synth';

let template: Template;
beforeAll(() => {
  const { templates } = synthAllStages((stacks) => {
    const readWrite = new iam.Role(stacks.prod, 'AppRunnerInstanceRole', {
      assumedBy: new iam.ServicePrincipal('tasks.apprunner.amazonaws.com'),
    });
    stacks.prod.grantDataAccess(readWrite, 'readWrite');
    const readOnly = new iam.Role(stacks.prod, 'ReportingFunctionRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    });
    stacks.prod.grantDataAccess(readOnly, 'read');
  });
  template = templates.prod;
});

function tableArn(name: string) {
  const [logicalId] = Object.keys(
    template.findResources('AWS::DynamoDB::GlobalTable', { Properties: Match.objectLike({ TableName: name }) }),
  );
  return { 'Fn::GetAtt': [logicalId, 'Arn'] };
}

function indexArn(table: string, index: string) {
  return { 'Fn::Join': ['', [tableArn(table), `/index/${index}`]] };
}

function keyArn() {
  return { 'Fn::GetAtt': [Object.keys(template.findResources('AWS::KMS::Key'))[0], 'Arn'] };
}

function statementsOf(roleId: string): Array<{ Action: string[]; Resource: unknown }> {
  const policies = Object.values(
    template.findResources('AWS::IAM::Policy', {
      Properties: Match.objectLike({ Roles: [{ Ref: Match.stringLikeRegexp(`^${roleId}`) }] }),
    }),
  );
  expect(policies).toHaveLength(1);
  return policies[0]!.Properties.PolicyDocument.Statement;
}

const TABLE_RESOURCES = () => [
  tableArn('Shops-prod'),
  tableArn('Jobs-prod'),
  indexArn('Jobs-prod', 'shopDomain-createdAt'),
  indexArn('Jobs-prod', 'status-createdAt'),
  tableArn('ImportHistory-prod'),
];

test('read-write access lists the item actions on every table and each named index, and no Scan', () => {
  expect(statementsOf('AppRunnerInstanceRole')).toEqual([
    {
      Effect: 'Allow',
      Action: [
        'dynamodb:BatchGetItem',
        'dynamodb:BatchWriteItem',
        'dynamodb:ConditionCheckItem',
        'dynamodb:DeleteItem',
        'dynamodb:DescribeTable',
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:Query',
        'dynamodb:UpdateItem',
      ],
      Resource: TABLE_RESOURCES(),
    },
    {
      Effect: 'Allow',
      Action: ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey'],
      Resource: keyArn(),
    },
  ]);
});

test('read access lists only the read actions and the key decrypt actions', () => {
  expect(statementsOf('ReportingFunctionRole')).toEqual([
    {
      Effect: 'Allow',
      Action: [
        'dynamodb:BatchGetItem',
        'dynamodb:ConditionCheckItem',
        'dynamodb:DescribeTable',
        'dynamodb:GetItem',
        'dynamodb:Query',
      ],
      Resource: TABLE_RESOURCES(),
    },
    { Effect: 'Allow', Action: ['kms:Decrypt', 'kms:DescribeKey'], Resource: keyArn() },
  ]);
});

test('no granted action or resource contains a wildcard', () => {
  const policies = JSON.stringify(template.findResources('AWS::IAM::Policy'));
  expect(policies).not.toContain('*');
});
