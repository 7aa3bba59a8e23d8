import { conditionHolds, evaluate, type AccessRequest, type PolicyDocument, type Statement } from './iam-policy';

/** The evaluator the key-policy tests rest on, held to AWS's documented evaluation rules case by case. */

const ACCOUNT = '111122223333';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/app`;
const OTHER_ROLE = `arn:aws:iam::${ACCOUNT}:role/other`;
const KEY = `arn:aws:kms:us-east-1:${ACCOUNT}:key/k`;
const ROOT = `arn:aws:iam::${ACCOUNT}:root`;

const policy = (...Statement: Statement[]): PolicyDocument => ({ Statement });
const ACCOUNT_DELEGATES: Statement = { Effect: 'Allow', Principal: { AWS: ROOT }, Action: 'kms:*', Resource: '*' };
const ADMIN = policy({ Effect: 'Allow', Action: '*', Resource: '*' });
const decrypt = (context: Record<string, string> = {}, arn = ROLE): AccessRequest => ({
  caller: { kind: 'role', arn },
  action: 'kms:Decrypt',
  resource: KEY,
  context,
});

describe('KMS: the key policy decides together with IAM', () => {
  test('a key policy that names the account allows only what IAM allows', () => {
    expect(evaluate(decrypt(), { service: 'kms', resourcePolicy: policy(ACCOUNT_DELEGATES), identityPolicies: [ADMIN] })).toEqual({ decision: 'allow' });
    expect(evaluate(decrypt(), { service: 'kms', resourcePolicy: policy(ACCOUNT_DELEGATES), identityPolicies: [] })).toEqual({ decision: 'implicitDeny' });
  });

  test('a key policy that names the role allows without IAM', () => {
    const direct: Statement = { Effect: 'Allow', Principal: { AWS: ROLE }, Action: 'kms:Decrypt', Resource: '*' };
    expect(evaluate(decrypt(), { service: 'kms', resourcePolicy: policy(direct) })).toEqual({ decision: 'allow' });
    expect(evaluate(decrypt({}, OTHER_ROLE), { service: 'kms', resourcePolicy: policy(direct) })).toEqual({ decision: 'implicitDeny' });
  });

  test('IAM alone does not open a key whose policy does not allow the account', () => {
    expect(evaluate(decrypt(), { service: 'kms', resourcePolicy: policy(), identityPolicies: [ADMIN] })).toEqual({ decision: 'implicitDeny' });
  });

  test('an explicit Deny in the key policy beats an administrator\'s Allow, and names its Sid', () => {
    const deny: Statement = { Sid: 'NoDecrypt', Effect: 'Deny', Principal: { AWS: '*' }, Action: 'kms:Decrypt', Resource: '*' };
    expect(evaluate(decrypt(), { service: 'kms', resourcePolicy: policy(ACCOUNT_DELEGATES, deny), identityPolicies: [ADMIN] })).toEqual({
      decision: 'explicitDeny',
      sid: 'NoDecrypt',
    });
  });

  test('an explicit Deny in IAM beats the key policy', () => {
    const iamDeny = policy({ Effect: 'Deny', Action: 'kms:*', Resource: KEY });
    expect(evaluate(decrypt(), { service: 'kms', resourcePolicy: policy(ACCOUNT_DELEGATES), identityPolicies: [ADMIN, iamDeny] })).toMatchObject({
      decision: 'explicitDeny',
    });
  });

  test('a service principal matches only a statement that names it', () => {
    const service: AccessRequest = { caller: { kind: 'service', service: 'events.amazonaws.com' }, action: 'kms:GenerateDataKey', resource: KEY };
    const forEvents: Statement = { Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: 'kms:GenerateDataKey*', Resource: '*' };
    expect(evaluate(service, { service: 'kms', resourcePolicy: policy(forEvents) })).toEqual({ decision: 'allow' });
    expect(evaluate(service, { service: 'kms', resourcePolicy: policy(ACCOUNT_DELEGATES) })).toEqual({ decision: 'implicitDeny' });
  });
});

test('outside KMS, within one account, an Allow in the resource policy or in IAM suffices', () => {
  const request: AccessRequest = { caller: { kind: 'role', arn: ROLE }, action: 'backup:DeleteRecoveryPoint', resource: 'arn:aws:backup:us-east-1:111122223333:recovery-point:x' };
  expect(evaluate(request, { service: 'other', identityPolicies: [ADMIN] })).toEqual({ decision: 'allow' });
  expect(evaluate(request, { service: 'other', resourcePolicy: policy({ Effect: 'Allow', Principal: { AWS: ROLE }, Action: 'backup:*', Resource: '*' }) })).toEqual({
    decision: 'allow',
  });
  expect(evaluate(request, { service: 'other' })).toEqual({ decision: 'implicitDeny' });
  // Naming only the account hands the decision to IAM: without an IAM Allow nothing is allowed.
  const accountOnly = policy({ Effect: 'Allow', Principal: { AWS: ROOT }, Action: 'backup:*', Resource: '*' });
  expect(evaluate(request, { service: 'other', resourcePolicy: accountOnly })).toEqual({ decision: 'implicitDeny' });
  expect(evaluate(request, { service: 'other', resourcePolicy: accountOnly, identityPolicies: [ADMIN] })).toEqual({ decision: 'allow' });
});

describe('actions and resources', () => {
  const allow = (statement: Partial<Statement>, request: AccessRequest) =>
    evaluate(request, { service: 'other', identityPolicies: [policy({ Effect: 'Allow', Resource: '*', ...statement })] }).decision;

  test('action wildcards match case-insensitively, and only what they cover', () => {
    expect(allow({ Action: 'KMS:generatedatakey*' }, { ...decrypt(), action: 'kms:GenerateDataKeyWithoutPlaintext' })).toBe('allow');
    expect(allow({ Action: 'kms:GenerateDataKey*' }, decrypt())).toBe('implicitDeny');
  });

  test('NotAction matches every action it does not list', () => {
    expect(allow({ NotAction: 'kms:Decrypt' }, decrypt())).toBe('implicitDeny');
    expect(allow({ NotAction: 'kms:Decrypt' }, { ...decrypt(), action: 'kms:Encrypt' })).toBe('allow');
  });

  test('a resource ARN matches part by part, a wildcard reaching across slashes within a part', () => {
    expect(allow({ Action: '*', Resource: 'arn:aws:dynamodb:us-east-1:*:table/Jobs*' }, { ...decrypt(), resource: 'arn:aws:dynamodb:us-east-1:111122223333:table/Jobs-prod/index/x' })).toBe('allow');
    expect(allow({ Action: '*', Resource: 'arn:aws:dynamodb:us-east-1:*:table/Jobs*' }, { ...decrypt(), resource: 'arn:aws:dynamodb:us-west-2:111122223333:table/Jobs-prod' })).toBe('implicitDeny');
  });
});

describe('conditions', () => {
  test('a positive operator fails on a missing key; a negated one passes', () => {
    expect(conditionHolds('StringEquals', undefined, ['a'])).toBe(false);
    expect(conditionHolds('ArnLike', undefined, ['arn:aws:iam::1:role/x'])).toBe(false);
    expect(conditionHolds('StringNotEquals', undefined, ['a'])).toBe(true);
    expect(conditionHolds('ArnNotLike', undefined, ['arn:aws:iam::1:role/x'])).toBe(true);
  });

  test('...IfExists passes on a missing key and tests a present one', () => {
    expect(conditionHolds('BoolIfExists', undefined, ['false'])).toBe(true);
    expect(conditionHolds('BoolIfExists', 'true', ['false'])).toBe(false);
    expect(conditionHolds('BoolIfExists', 'FALSE', ['false'])).toBe(true);
    expect(conditionHolds('StringNotEqualsIfExists', undefined, ['a'])).toBe(true);
  });

  test('Null tests presence: "true" holds when the key is absent, "false" when present', () => {
    expect(conditionHolds('Null', undefined, ['true'])).toBe(true);
    expect(conditionHolds('Null', 'x', ['true'])).toBe(false);
    expect(conditionHolds('Null', 'x', ['false'])).toBe(true);
    expect(conditionHolds('Null', undefined, ['false'])).toBe(false);
  });

  test('the values of one key are ORed; under a negated operator the key must equal none of them', () => {
    expect(conditionHolds('StringEquals', 'b', ['a', 'b'])).toBe(true);
    expect(conditionHolds('StringNotEquals', 'b', ['a', 'b'])).toBe(false);
    expect(conditionHolds('StringNotEquals', 'c', ['a', 'b'])).toBe(true);
  });

  test('ArnLike wildcards match within a part, across slashes', () => {
    const pattern = 'arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/*AWSReservedSSO_BreakGlass_*';
    expect(conditionHolds('ArnLike', 'arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_BreakGlass_0a1b', [pattern])).toBe(true);
    expect(conditionHolds('ArnLike', 'arn:aws:iam::111122223333:role/AWSReservedSSO_BreakGlass_0a1b', [pattern])).toBe(false);
    expect(conditionHolds('ArnLike', 'arn:aws:iam::444455556666:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_BreakGlass_0a1b', [pattern])).toBe(false);
  });

  test('StringLike takes * and ?, case-sensitively', () => {
    expect(conditionHolds('StringLike', 'Shops-prod', ['Shops-*'])).toBe(true);
    expect(conditionHolds('StringLike', 'shops-prod', ['Shops-*'])).toBe(false);
    expect(conditionHolds('StringLike', 'Shops-p', ['Shops-?'])).toBe(true);
  });

  test('keys within an operator, and operators within a statement, are ANDed; keys are case-insensitive', () => {
    const statement: Statement = {
      Effect: 'Allow',
      Action: 'kms:Decrypt',
      Resource: '*',
      Condition: { StringEquals: { 'kms:EncryptionContext:table': 'Shops', 'kms:ViaService': 'dynamodb.us-east-1.amazonaws.com' }, Null: { 'kms:encryptioncontext:shop': 'false' } },
    };
    const run = (context: Record<string, string>) => evaluate(decrypt(context), { service: 'other', identityPolicies: [policy(statement)] }).decision;
    const all = { 'kms:EncryptionContext:table': 'Shops', 'kms:ViaService': 'dynamodb.us-east-1.amazonaws.com', 'kms:EncryptionContext:shop': 's' };
    expect(run(all)).toBe('allow');
    expect(run({ ...all, 'kms:ViaService': 'kms.us-east-1.amazonaws.com' })).toBe('implicitDeny');
    const { 'kms:EncryptionContext:shop': _shop, ...withoutShop } = all;
    expect(run(withoutShop)).toBe('implicitDeny');
  });

  test('the caller\'s own keys are in the context: aws:PrincipalArn, kms:CallerAccount, aws:PrincipalIsAWSService', () => {
    const deny = (Condition: Statement['Condition']): PolicyDocument => policy({ Effect: 'Deny', Principal: '*', Action: 'kms:*', Resource: '*', Condition }, ACCOUNT_DELEGATES);
    const decide = (Condition: Statement['Condition']) => evaluate(decrypt(), { service: 'kms', resourcePolicy: deny(Condition), identityPolicies: [ADMIN] }).decision;
    expect(decide({ ArnEquals: { 'aws:PrincipalArn': ROLE } })).toBe('explicitDeny');
    expect(decide({ StringEquals: { 'kms:CallerAccount': ACCOUNT } })).toBe('explicitDeny');
    expect(decide({ Bool: { 'aws:PrincipalIsAWSService': 'false' } })).toBe('explicitDeny');
    expect(decide({ ArnEquals: { 'aws:PrincipalArn': OTHER_ROLE } })).toBe('allow');
  });

  test('an operator outside the supported subset is refused, not guessed', () => {
    expect(() => conditionHolds('NumericLessThan', '1', ['2'])).toThrow('condition operator NumericLessThan is not supported');
    expect(() => conditionHolds('ForAnyValue:StringEquals', 'a', ['a'])).toThrow('set operator ForAnyValue:StringEquals is not supported');
  });
});
