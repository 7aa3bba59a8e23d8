import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { addDataStacks } from '../../../infra/cdk/data-app';
import { dataAccessGrant, type DataAccess } from '../../../infra/policy/table-access';
import { sealedAttributeNames, type IndexSchema } from '../../../infra/data/schema-model';
import { tableSchema, TABLE_SCHEMAS, type TableName } from '../../../infra/data/schemas';
import type { DataStack } from '../../../infra/cdk/stacks/data-stack';
import { securityRuleName } from '../../../infra/policy/security-monitoring';
import { STAGES } from '../../../infra/data/stages';
import { recordedCall } from '../../support/cloudtrail';
import { eventMatches } from '../../support/event-pattern';
import { evaluate, type PolicyDocument } from '../../support/iam-policy';
import { DeployedTemplate } from '../../support/template-policies';

/** The roles of an application stack that uses the prod tables, each with the grants it is given. */
const ROLES = {
  // Runs imports: updates jobs, appends history, never sees a shop.
  ImportWorkerRole: (stack, role) => stack.grantDataAccess(role, { Jobs: 'readWrite', ImportHistory: 'append' }),
  // Reports: reads everything, tokens stay ciphertext.
  ReportingRole: (stack, role) => stack.grantDataAccess(role, { Shops: 'read', Jobs: 'read', ImportHistory: 'read' }),
  // Installs and refreshes shops: writes Shops and seals tokens.
  ShopAuthRole: (stack, role) => {
    stack.grantDataAccess(role, { Shops: 'readWrite' });
    stack.grantTokenAccess(role, 'encryptDecrypt');
  },
  // Calls Shopify for a shop: reads its tokens, writes nothing.
  ShopifyCallerRole: (stack, role) => {
    stack.grantDataAccess(role, { Shops: 'read' });
    stack.grantTokenAccess(role, 'decrypt');
  },
  // Handles shop/redact.
  RedactionRole: (stack, role) => stack.grantRedaction(role),
} satisfies Record<string, (stack: DataStack, role: iam.Role) => void>;

type RoleName = keyof typeof ROLES;

let prod: Template;
let consumer: Template;
let refusedUnnamed: () => unknown;
beforeAll(() => {
  // The prod stage alone, as `cdk synth -c stage=prod` builds it, and a consumer stack in the same app.
  const app = new App();
  const data = addDataStacks(app, { stages: ['prod'], nagReports: false }).prod;
  const shuttle = new Stack(app, 'ShuttleApp', { env: { region: STAGES.prod.region } });
  // Fixed names: the token key's policy names a token role of another stack by an ARN built from its name.
  for (const [name, grant] of Object.entries(ROLES)) {
    grant(data, new iam.Role(shuttle, name, { roleName: `shuttle-${name}`, assumedBy: new iam.ServicePrincipal('tasks.apprunner.amazonaws.com') }));
  }
  const unnamed = new iam.Role(shuttle, 'UnnamedRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  refusedUnnamed = () => data.grantTokenAccess(unnamed, 'decrypt');
  prod = Template.fromStack(data);
  consumer = Template.fromStack(shuttle);
});

/** How the consumer stack refers to a value the prod stack exports for it. */
function imported(value: unknown) {
  const [name] = Object.values(prod.findOutputs('*', { Value: value }))
    .map((output) => output.Export?.Name as string)
    .filter((exportName) => exportName?.startsWith('InavorShuttleData-prod:'));
  expect(name).toBeDefined();
  return { 'Fn::ImportValue': name };
}

function logicalId(type: string, properties: Record<string, unknown>): string {
  const ids = Object.keys(prod.findResources(type, { Properties: Match.objectLike(properties) }));
  expect(ids).toHaveLength(1);
  return ids[0]!;
}

const table = (name: string) => imported({ 'Fn::GetAtt': [logicalId('AWS::DynamoDB::GlobalTable', { TableName: `${name}-prod` }), 'Arn'] });
const index = (name: string, indexName: string) => ({ 'Fn::Join': ['', [table(name), `/index/${indexName}`]] });
/** Every index the map gives the named tables, in map order: a grant covers them all, however many there are. */
const indexesOf = (...names: TableName[]) =>
  names.flatMap((name) => (tableSchema(name).indexes as readonly IndexSchema[]).map((entry) => index(name, entry.name)));
/** The statement that lets a role Query the named tables' indexes; none when they have no index. */
function queryOnIndexesOf(...names: TableName[]) {
  const resources = indexesOf(...names);
  // IAM statements hold a lone resource as itself, not as a list of one.
  return resources.length === 0 ? [] : [{ Effect: 'Allow', Action: 'dynamodb:Query', Resource: resources.length === 1 ? resources[0] : resources }];
}
function keyWithAlias(alias: string) {
  const [aliasResource] = Object.values(prod.findResources('AWS::KMS::Alias', { Properties: { AliasName: alias } }));
  return imported(aliasResource!.Properties.TargetKeyId);
}
const tableKey = () => keyWithAlias('alias/inavor-shuttle/prod/data');
const tokenKey = () => keyWithAlias('alias/inavor-shuttle/prod/tokens');
const throughDynamoDb = { StringEquals: { 'kms:ViaService': `dynamodb.${STAGES.prod.region}.amazonaws.com` } };

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
}

function statementsOf(role: RoleName): Statement[] {
  const policies = Object.values(
    consumer.findResources('AWS::IAM::Policy', { Properties: Match.objectLike({ Roles: [{ Ref: Match.stringLikeRegexp(`^${role}`) }] }) }),
  );
  expect(policies).toHaveLength(1);
  return policies[0]!.Properties.PolicyDocument.Statement;
}

const actionsOf = (statement: Statement) => [statement.Action].flat();

const READ = ['dynamodb:BatchGetItem', 'dynamodb:ConditionCheckItem', 'dynamodb:DescribeTable', 'dynamodb:GetItem', 'dynamodb:Query'];

test('a role gets exactly the tables it names, at its level on each: Jobs read-write, ImportHistory append', () => {
  expect(statementsOf('ImportWorkerRole')).toEqual([
    {
      Effect: 'Allow',
      Action: [...READ, 'dynamodb:BatchWriteItem', 'dynamodb:DeleteItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'].sort(),
      Resource: table('Jobs'),
    },
    // Policy statements that differ only in resource are merged: one Query statement covers both tables' indexes.
    ...queryOnIndexesOf('Jobs', 'ImportHistory'),
    { Effect: 'Allow', Action: [...READ, 'dynamodb:PutItem'].sort(), Resource: table('ImportHistory') },
    {
      Effect: 'Allow',
      Action: ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey'],
      Resource: tableKey(),
      Condition: throughDynamoDb,
    },
  ]);
});

test('append is reads plus PutItem: no UpdateItem, DeleteItem or BatchWriteItem, so a history record cannot be changed or removed', () => {
  const history = statementsOf('ImportWorkerRole').filter((statement) => JSON.stringify(statement.Resource) === JSON.stringify(table('ImportHistory')));
  expect(history).toHaveLength(1);
  expect(actionsOf(history[0]!)).toEqual(expect.arrayContaining(['dynamodb:PutItem']));
  for (const action of ['dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem']) {
    expect(actionsOf(history[0]!)).not.toContain(action);
  }
});

test('read access lists only the read actions, Query on the indexes, and decrypt on the table key through DynamoDB', () => {
  expect(statementsOf('ReportingRole')).toEqual([
    { Effect: 'Allow', Action: READ, Resource: [table('Shops'), table('Jobs'), table('ImportHistory')] },
    ...queryOnIndexesOf('Shops', 'Jobs', 'ImportHistory'),
    { Effect: 'Allow', Action: ['kms:Decrypt', 'kms:DescribeKey'], Resource: tableKey(), Condition: throughDynamoDb },
  ]);
});

test('the token grant is its own statement on the token key only, bound to the sealed attributes of Shops-prod and to a shop', () => {
  const tokenCondition = {
    StringEquals: {
      'kms:EncryptionContext:table': ['Shops-prod'],
      'kms:EncryptionContext:attribute': TABLE_SCHEMAS.flatMap(sealedAttributeNames),
    },
    Null: { 'kms:EncryptionContext:shop': 'false' },
  };
  expect(statementsOf('ShopifyCallerRole')).toEqual([
    { Effect: 'Allow', Action: READ, Resource: table('Shops') },
    ...queryOnIndexesOf('Shops'),
    { Effect: 'Allow', Action: ['kms:Decrypt', 'kms:DescribeKey'], Resource: tableKey(), Condition: throughDynamoDb },
    { Effect: 'Allow', Action: 'kms:Decrypt', Resource: tokenKey(), Condition: tokenCondition },
  ]);
  expect(statementsOf('ShopAuthRole').at(-1)).toEqual({
    Effect: 'Allow',
    Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
    Resource: tokenKey(),
    Condition: tokenCondition,
  });
});

test('a role that reads Shops without the token grant has no KMS action on the token key', () => {
  for (const role of ['ReportingRole', 'ImportWorkerRole', 'RedactionRole'] as const) {
    const onTokenKey = statementsOf(role).filter((statement) => JSON.stringify(statement.Resource).includes(JSON.stringify(tokenKey())));
    expect(onTokenKey).toEqual([]);
  }
});

test('the redaction grant deletes Shops by key, walks Jobs through its shop index and ImportHistory through its key, and nothing else', () => {
  expect(statementsOf('RedactionRole')).toEqual([
    { Effect: 'Allow', Action: 'dynamodb:DeleteItem', Resource: table('Shops') },
    { Effect: 'Allow', Action: 'dynamodb:BatchWriteItem', Resource: table('Jobs') },
    { Effect: 'Allow', Action: 'dynamodb:Query', Resource: index('Jobs', 'shopDomain-createdAt') },
    { Effect: 'Allow', Action: ['dynamodb:BatchWriteItem', 'dynamodb:Query'], Resource: table('ImportHistory') },
    {
      Effect: 'Allow',
      Action: ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey'],
      Resource: tableKey(),
      Condition: throughDynamoDb,
    },
  ]);
});

test('no granted action or resource contains a wildcard, and no role may Scan', () => {
  const policies = JSON.stringify(consumer.findResources('AWS::IAM::Policy'));
  expect(policies).not.toContain('*');
  expect(policies).not.toContain('dynamodb:Scan');
});

test('the token key\'s policy names each token role of another stack by the ARN of its name, and no other role of that stack', () => {
  const [keyId] = Object.keys(prod.findResources('AWS::KMS::Key', { Properties: { Description: Match.stringLikeRegexp('Shopify tokens') } }));
  const statement = (prod.toJSON().Resources[keyId!].Properties.KeyPolicy.Statement as { Sid?: string; Condition?: any }[]).find(
    (candidate) => candidate.Sid === 'DenyDataUseExceptNamedPrincipals',
  );
  const named = JSON.stringify(statement?.Condition.ArnNotLike['aws:PrincipalArn']);
  for (const role of ['ShopAuthRole', 'ShopifyCallerRole']) {
    expect(named).toContain(`:role/shuttle-${role}`);
  }
  for (const role of ['ImportWorkerRole', 'ReportingRole', 'RedactionRole']) {
    expect(named).not.toContain(`shuttle-${role}`);
  }
});

test('evaluated, the token key lets the token roles of another stack decrypt and refuses its other roles, whatever IAM allows them', () => {
  const deployed = new DeployedTemplate(prod.toJSON(), { account: '111122223333', region: STAGES.prod.region, partition: 'aws' });
  const key = deployed.keyWithAlias('alias/inavor-shuttle/prod/tokens');
  const kmsEverywhere: PolicyDocument = { Statement: [{ Effect: 'Allow', Action: 'kms:*', Resource: '*' }] };
  const context = { 'kms:EncryptionContext:table': 'Shops-prod', 'kms:EncryptionContext:shop': 'example.myshopify.com', 'kms:EncryptionContext:attribute': 'accessToken' };
  const decrypt = (role: RoleName) =>
    evaluate(
      { caller: { kind: 'role', arn: deployed.roleArn(`shuttle-${role}`) }, action: 'kms:Decrypt', resource: key.arn, context },
      { service: 'kms', resourcePolicy: key.policy, identityPolicies: [kmsEverywhere] },
    ).decision;
  expect(decrypt('ShopAuthRole')).toBe('allow');
  expect(decrypt('ShopifyCallerRole')).toBe('allow');
  expect(decrypt('ReportingRole')).toBe('explicitDeny');
  expect(decrypt('ImportWorkerRole')).toBe('explicitDeny');
});

test('the role and function alarms watch the token roles of another stack, and not its other roles', () => {
  const deployed = new DeployedTemplate(prod.toJSON(), { account: '111122223333', region: STAGES.prod.region, partition: 'aws' });
  const rules = deployed.resolvedOfType('AWS::Events::Rule').map(({ properties }) => properties);
  const fired = (call: string, set: Record<string, unknown>, region = STAGES.prod.region) =>
    rules.filter((rule) => eventMatches(rule.EventPattern, recordedCall(call, { account: '111122223333', region, set, caller: { role: deployed.roleArn('Administrator') } }))).map((rule) => rule.Name);
  const changeTrust = (role: RoleName) => fired('iam.UpdateAssumeRolePolicy', { 'requestParameters.roleName': `shuttle-${role}` }, 'us-east-1');
  const changeCode = (role: RoleName) => fired('lambda.UpdateFunctionCode20150331v2', { 'responseElements.role': deployed.roleArn(`shuttle-${role}`) });
  for (const role of ['ShopAuthRole', 'ShopifyCallerRole'] as const) {
    expect(changeTrust(role)).toEqual([securityRuleName('prod', 'roleChanged')]);
    expect(changeCode(role)).toEqual([securityRuleName('prod', 'tokenRoleFunctionChanged')]);
  }
  expect(changeTrust('ReportingRole')).toEqual([]);
  expect(changeCode('ReportingRole')).toEqual([]);
});

test('a token grant to a role of another stack with a generated name is refused, naming the role and the fix', () => {
  expect(refusedUnnamed).toThrow(
    "grantTokenAccess: ShuttleApp/UnnamedRole is a role of another stack with a generated name or a path; give it a fixed roleName and no path so the token key's policy and the role alarm can name it.",
  );
});

describe('levels the map does not allow are refused', () => {
  test('readWrite on an append-only table does not compile, and throws for untyped callers', () => {
    // @ts-expect-error ImportHistory is append-only in the map: its levels are read and append.
    const access: DataAccess = { ImportHistory: 'readWrite' };
    expect(() => dataAccessGrant(access, TABLE_SCHEMAS)).toThrow(
      'ImportHistory admits the levels read and append (it is append-only), not "readWrite".',
    );
  });

  test('append on a table that is not append-only does not compile, and throws for untyped callers', () => {
    // @ts-expect-error Jobs is not append-only: its levels are read and readWrite.
    const access: DataAccess = { Jobs: 'append' };
    expect(() => dataAccessGrant(access, TABLE_SCHEMAS)).toThrow('Jobs admits the levels read and readWrite, not "append".');
  });

  test('a misspelt table does not compile, and throws naming the tables', () => {
    // @ts-expect-error "Job" is not a table of the schema map.
    const access: DataAccess = { Job: 'read' };
    expect(() => dataAccessGrant(access, TABLE_SCHEMAS)).toThrow(
      `"Job" is not a table of the schema map; tables are ${TABLE_SCHEMAS.map((schema) => schema.name).join(', ')}.`,
    );
  });

  test('a grant that names no table throws', () => {
    expect(() => dataAccessGrant({}, TABLE_SCHEMAS)).toThrow('A data access grant names no table; name each table and its level.');
  });
});
