import { Match, type Template } from 'aws-cdk-lib/assertions';
import { TABLE_SCHEMAS } from '../../../../infra/data/schemas';
import { DATA_ROLE_PURPOSES, STAGES as STAGE_POLICIES, TRUSTED_SERVICES, dataRoleName, dataRoleOutputId } from '../../../../infra/data/stages';
import { stageTemplates } from '../../../support/cdk-out';

/**
 * What the design and the stage policy require of each stage, written out literally. Deletion and
 * replacement protection is asserted in data-loss-guards.test.ts.
 */
const STAGE_EXPECTATIONS = {
  dev: { pitrDays: 7 },
  staging: { pitrDays: 35 },
  prod: { pitrDays: 35 },
} as const;

type Stage = keyof typeof STAGE_EXPECTATIONS;
const STAGES = Object.keys(STAGE_EXPECTATIONS) as Stage[];

let templates: Record<Stage, Template>;
beforeAll(() => {
  templates = stageTemplates();
});

function tableNamed(template: Template, tableName: string): Record<string, unknown> {
  const found = template.findResources('AWS::DynamoDB::GlobalTable', {
    Properties: Match.objectLike({ TableName: tableName }),
  });
  const resources = Object.values(found);
  expect(resources).toHaveLength(1);
  return resources[0] as Record<string, unknown>;
}

/** The ARN of the key behind an alias (the stage has more than one key). */
function keyArnRef(template: Template, alias: string): { 'Fn::GetAtt': [string, 'Arn'] } {
  const aliases = Object.values(template.findResources('AWS::KMS::Alias', { Properties: { AliasName: alias } }));
  expect(aliases).toHaveLength(1);
  return aliases[0]!.Properties.TargetKeyId as { 'Fn::GetAtt': [string, 'Arn'] };
}

/** The key resource behind an alias. */
function keyWithAlias(template: Template, alias: string): { Properties: Record<string, any>; DeletionPolicy?: string } {
  return template.toJSON().Resources[keyArnRef(template, alias)['Fn::GetAtt'][0]];
}

/** Every table of the schema map: the plan's three and any added since. */
const MAP_TABLES = TABLE_SCHEMAS.map((schema) => schema.name);

describe.each(STAGES)('%s stage', (stage) => {
  const expected = STAGE_EXPECTATIONS[stage];
  let template: Template;
  beforeAll(() => {
    template = templates[stage];
  });

  test('defines the Shops, Jobs and ImportHistory tables, named with the stage, and every other table of the map', () => {
    const names = Object.values(template.findResources('AWS::DynamoDB::GlobalTable')).map(
      (resource) => resource.Properties.TableName,
    );
    expect(names).toEqual(expect.arrayContaining([`Shops-${stage}`, `Jobs-${stage}`, `ImportHistory-${stage}`]));
    expect(names.sort()).toEqual(MAP_TABLES.map((table) => `${table}-${stage}`).sort());
  });

  test('Shops is keyed by domain (S) alone', () => {
    expect(tableNamed(template, `Shops-${stage}`)).toMatchObject({
      Properties: {
        KeySchema: [{ AttributeName: 'domain', KeyType: 'HASH' }],
        AttributeDefinitions: expect.arrayContaining([{ AttributeName: 'domain', AttributeType: 'S' }]),
      },
    });
  });

  test('Jobs is keyed by jobId (S) with TTL on expiresAt', () => {
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      TableName: `Jobs-${stage}`,
      KeySchema: [{ AttributeName: 'jobId', KeyType: 'HASH' }],
      AttributeDefinitions: Match.arrayWith([
        { AttributeName: 'jobId', AttributeType: 'S' },
        { AttributeName: 'shopDomain', AttributeType: 'S' },
        { AttributeName: 'createdAt', AttributeType: 'S' },
        { AttributeName: 'status', AttributeType: 'S' },
      ]),
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    });
  });

  test('Jobs has the shopDomain-createdAt index projecting the job-list columns', () => {
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      TableName: `Jobs-${stage}`,
      GlobalSecondaryIndexes: Match.arrayWith([
        {
          IndexName: 'shopDomain-createdAt',
          KeySchema: [
            { AttributeName: 'shopDomain', KeyType: 'HASH' },
            { AttributeName: 'createdAt', KeyType: 'RANGE' },
          ],
          Projection: {
            ProjectionType: 'INCLUDE',
            NonKeyAttributes: ['type', 'mode', 'status', 'isDryRun', 'totalProducts', 'processedProducts'],
          },
        },
      ]),
    });
  });

  test('Jobs has the status-createdAt index projecting keys only', () => {
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      TableName: `Jobs-${stage}`,
      GlobalSecondaryIndexes: Match.arrayWith([
        {
          IndexName: 'status-createdAt',
          KeySchema: [
            { AttributeName: 'status', KeyType: 'HASH' },
            { AttributeName: 'createdAt', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'KEYS_ONLY' },
        },
      ]),
    });
  });

  test('ImportHistory is keyed by shopDomain (S) and timestamp (N) with TTL on expiresAt', () => {
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      TableName: `ImportHistory-${stage}`,
      KeySchema: [
        { AttributeName: 'shopDomain', KeyType: 'HASH' },
        { AttributeName: 'timestamp', KeyType: 'RANGE' },
      ],
      AttributeDefinitions: Match.arrayWith([
        { AttributeName: 'shopDomain', AttributeType: 'S' },
        { AttributeName: 'timestamp', AttributeType: 'N' },
      ]),
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    });
  });

  test.each(MAP_TABLES)(
    '%s is on-demand, encrypted with the stage key, with PITR',
    (table) => {
      template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
        TableName: `${table}-${stage}`,
        BillingMode: 'PAY_PER_REQUEST',
        SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
        Replicas: [
          Match.objectLike({
            Region: STAGE_POLICIES[stage].region,
            SSESpecification: { KMSMasterKeyId: keyArnRef(template, `alias/inavor-shuttle/${stage}/data`) },
            PointInTimeRecoverySpecification: {
              PointInTimeRecoveryEnabled: true,
              RecoveryPeriodInDays: expected.pitrDays,
            },
          }),
        ],
      });
    },
  );

  test.each(['data', 'tokens'])('the %s key rotates, is retained and has a stage alias', (purpose) => {
    expect(keyWithAlias(template, `alias/inavor-shuttle/${stage}/${purpose}`)).toMatchObject({
      Properties: { EnableKeyRotation: true },
      DeletionPolicy: 'Retain',
    });
  });

  test('the token key is not the table key', () => {
    expect(keyArnRef(template, `alias/inavor-shuttle/${stage}/tokens`)).not.toEqual(keyArnRef(template, `alias/inavor-shuttle/${stage}/data`));
  });

  const DENY_GRANTS_EXCEPT_FOR_AWS_SERVICES = {
    Sid: 'DenyGrantsExceptForAwsServices',
    Effect: 'Deny',
    Principal: { AWS: '*' },
    Action: 'kms:CreateGrant',
    Resource: '*',
    Condition: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
  };
  const ACCOUNT_ROOT = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, ':root']] };
  const ACCOUNT_MAY_USE_IAM = { Effect: 'Allow', Principal: { AWS: ACCOUNT_ROOT }, Action: 'kms:*', Resource: '*' };

  const statementsOf = (purpose: string): { Sid?: string }[] =>
    keyWithAlias(template, `alias/inavor-shuttle/${stage}/${purpose}`).Properties.KeyPolicy.Statement;
  /** The statements every key carries; what they allow and refuse is evaluated in key-policies.test.ts. */
  const EVERY_KEY = [
    'DenyGrantsExceptForAwsServices',
    'DenyDisableOrDeletionExceptBreakGlass',
    'DenyPolicyChangeExceptDeployAndBreakGlass',
    'DenyAliasChangeExceptDeployAndBreakGlass',
    'DenyGrantRevocationExceptBreakGlass',
  ];

  test('the table key lets IAM grant it, lets only AWS services create grants, and is used for data only through DynamoDB', () => {
    const statements = statementsOf('data');
    expect(statements.map((statement) => statement.Sid)).toEqual([undefined, ...EVERY_KEY, 'DenyDataUseExceptThroughService']);
    expect(statements).toEqual(
      expect.arrayContaining([
        ACCOUNT_MAY_USE_IAM,
        DENY_GRANTS_EXCEPT_FOR_AWS_SERVICES,
        {
          Sid: 'DenyDataUseExceptThroughService',
          Effect: 'Deny',
          Principal: { AWS: '*' },
          Action: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey*', 'kms:ReEncrypt*'],
          Resource: '*',
          Condition: {
            StringNotEquals: { 'kms:ViaService': `dynamodb.${STAGE_POLICIES[stage].region}.amazonaws.com` },
            StringEquals: { 'kms:CallerAccount': { Ref: 'AWS::AccountId' } },
            BoolIfExists: { 'aws:PrincipalIsAWSService': 'false' },
          },
        },
      ]),
    );
  });

  test('the token key lets IAM grant it, lets only AWS services create grants, and refuses data use to all but its named roles and without the token context', () => {
    const statements = statementsOf('tokens');
    expect(statements.map((statement) => statement.Sid)).toEqual([
      undefined,
      ...EVERY_KEY,
      'DenyDataUseExceptNamedPrincipals',
      'DenyDataUseWithoutTableContext',
      'DenyDataUseWithoutShopContext',
      'DenyDataUseWithoutAttributeContext',
    ]);
    expect(statements).toEqual(expect.arrayContaining([ACCOUNT_MAY_USE_IAM, DENY_GRANTS_EXCEPT_FOR_AWS_SERVICES]));
  });

  test.each(DATA_ROLE_PURPOSES)('defines the %s role, named with the stage, trusted only by the service the stage config gives it, and exports its ARN', (purpose) => {
    const roleName = dataRoleName(stage, purpose);
    const roles = template.findResources('AWS::IAM::Role', { Properties: Match.objectLike({ RoleName: roleName }) });
    const [logicalId] = Object.keys(roles);
    expect(Object.keys(roles)).toHaveLength(1);
    expect(roles[logicalId!]!.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      { Effect: 'Allow', Principal: { Service: TRUSTED_SERVICES[STAGE_POLICIES[stage].access.roleTrust[purpose]] }, Action: 'sts:AssumeRole' },
    ]);
    template.hasOutput(dataRoleOutputId(purpose), {
      Value: { 'Fn::GetAtt': [logicalId, 'Arn'] },
      Export: { Name: `InavorShuttleData-${stage}-${dataRoleOutputId(purpose)}` },
    });
  });

  test('tables carry the project and stage tags', () => {
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      TableName: `Jobs-${stage}`,
      Replicas: [
        Match.objectLike({
          Tags: Match.arrayWith([
            { Key: 'Project', Value: 'inavor-shuttle' },
            { Key: 'Stage', Value: stage },
          ]),
        }),
      ],
    });
  });

  test.each(MAP_TABLES)(
    'exports the %s table name and ARN under stage-qualified names',
    (table) => {
      const [logicalId] = Object.keys(
        template.findResources('AWS::DynamoDB::GlobalTable', {
          Properties: Match.objectLike({ TableName: `${table}-${stage}` }),
        }),
      );
      template.hasOutput(`${table}TableName`, {
        Value: { Ref: logicalId },
        Export: { Name: `InavorShuttleData-${stage}-${table}TableName` },
      });
      template.hasOutput(`${table}TableArn`, {
        Value: { 'Fn::GetAtt': [logicalId, 'Arn'] },
        Export: { Name: `InavorShuttleData-${stage}-${table}TableArn` },
      });
    },
  );

  test.each([
    ['DataKeyArn', 'data'],
    ['TokenKeyArn', 'tokens'],
  ])('exports %s, the %s key, under a stage-qualified name', (output, purpose) => {
    template.hasOutput(output, {
      Value: keyArnRef(template, `alias/inavor-shuttle/${stage}/${purpose}`),
      Export: { Name: `InavorShuttleData-${stage}-${output}` },
    });
  });
});
