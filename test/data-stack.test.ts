import { Match, type Template } from 'aws-cdk-lib/assertions';
import { synthAllStages } from './support/synth';

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
  ({ templates } = synthAllStages());
});

function tableNamed(template: Template, tableName: string): Record<string, unknown> {
  const found = template.findResources('AWS::DynamoDB::GlobalTable', {
    Properties: Match.objectLike({ TableName: tableName }),
  });
  const resources = Object.values(found);
  expect(resources).toHaveLength(1);
  return resources[0] as Record<string, unknown>;
}

/** The table key, found by its alias: the stage has other keys (the backup vault's). */
function keyArnRef(template: Template, stage: string): { 'Fn::GetAtt': [string, 'Arn'] } {
  const aliases = Object.values(template.findResources('AWS::KMS::Alias', {
    Properties: { AliasName: `alias/inavor-shuttle/${stage}/data` },
  }));
  expect(aliases).toHaveLength(1);
  return aliases[0]!.Properties.TargetKeyId;
}

describe.each(STAGES)('%s stage', (stage) => {
  const expected = STAGE_EXPECTATIONS[stage];
  let template: Template;
  beforeAll(() => {
    template = templates[stage];
  });

  test('defines exactly the Shops, Jobs and ImportHistory tables, named with the stage', () => {
    const names = Object.values(template.findResources('AWS::DynamoDB::GlobalTable'))
      .map((resource) => resource.Properties.TableName)
      .sort();
    expect(names).toEqual([`ImportHistory-${stage}`, `Jobs-${stage}`, `Shops-${stage}`]);
  });

  test('Shops is keyed by domain (S) alone, with no index and no TTL', () => {
    expect(tableNamed(template, `Shops-${stage}`)).toMatchObject({
      Properties: {
        KeySchema: [{ AttributeName: 'domain', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'domain', AttributeType: 'S' }],
      },
    });
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      TableName: `Shops-${stage}`,
      GlobalSecondaryIndexes: Match.absent(),
      TimeToLiveSpecification: Match.absent(),
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

  test('Jobs has exactly two indexes', () => {
    const jobs = tableNamed(template, `Jobs-${stage}`) as { Properties: { GlobalSecondaryIndexes: unknown[] } };
    expect(jobs.Properties.GlobalSecondaryIndexes).toHaveLength(2);
  });

  test('ImportHistory is keyed by shopDomain (S) and timestamp (N) with TTL on expiresAt and no index', () => {
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      TableName: `ImportHistory-${stage}`,
      KeySchema: [
        { AttributeName: 'shopDomain', KeyType: 'HASH' },
        { AttributeName: 'timestamp', KeyType: 'RANGE' },
      ],
      AttributeDefinitions: [
        { AttributeName: 'shopDomain', AttributeType: 'S' },
        { AttributeName: 'timestamp', AttributeType: 'N' },
      ],
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      GlobalSecondaryIndexes: Match.absent(),
    });
  });

  test.each(['Shops', 'Jobs', 'ImportHistory'])(
    '%s is on-demand, encrypted with the stage key, with PITR',
    (table) => {
      template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
        TableName: `${table}-${stage}`,
        BillingMode: 'PAY_PER_REQUEST',
        SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
        Replicas: [
          Match.objectLike({
            Region: 'us-east-1',
            SSESpecification: { KMSMasterKeyId: keyArnRef(template, stage) },
            PointInTimeRecoverySpecification: {
              PointInTimeRecoveryEnabled: true,
              RecoveryPeriodInDays: expected.pitrDays,
            },
          }),
        ],
      });
    },
  );

  test('the KMS key rotates and has a stage alias', () => {
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    template.hasResourceProperties('AWS::KMS::Alias', {
      AliasName: `alias/inavor-shuttle/${stage}/data`,
      TargetKeyId: Match.anyValue(),
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

  test.each(['Shops', 'Jobs', 'ImportHistory'])(
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

  test('exports the key ARN under a stage-qualified name', () => {
    template.hasOutput('DataKeyArn', {
      Value: keyArnRef(template, stage),
      Export: { Name: `InavorShuttleData-${stage}-DataKeyArn` },
    });
  });
});
