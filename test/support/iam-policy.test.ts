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

describe('role trust policies: the role\'s policy must name the caller', () => {
  const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/token-role`;
  const assume = (caller: AccessRequest['caller'], context: Record<string, string> = {}, action = 'sts:AssumeRole'): AccessRequest => ({ caller, action, resource: ROLE_ARN, context });
  const lambdaTrust = policy({ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' });

  test('an IAM Allow of sts:AssumeRole on every role does not assume a role whose trust policy does not name the caller', () => {
    expect(evaluate(assume({ kind: 'role', arn: ROLE }), { service: 'trust', resourcePolicy: lambdaTrust, identityPolicies: [ADMIN] })).toEqual({ decision: 'implicitDeny' });
    expect(evaluate(assume({ kind: 'service', service: 'lambda.amazonaws.com' }), { service: 'trust', resourcePolicy: lambdaTrust })).toEqual({ decision: 'allow' });
  });

  test('a trust statement, which names no Resource, applies to its role: naming the caller is enough, naming the account needs IAM too', () => {
    const named = policy({ Effect: 'Allow', Principal: { AWS: ROLE }, Action: 'sts:AssumeRole' });
    expect(evaluate(assume({ kind: 'role', arn: ROLE }), { service: 'trust', resourcePolicy: named })).toEqual({ decision: 'allow' });
    expect(evaluate(assume({ kind: 'role', arn: OTHER_ROLE }), { service: 'trust', resourcePolicy: named, identityPolicies: [ADMIN] })).toEqual({ decision: 'implicitDeny' });
    const account = policy({ Effect: 'Allow', Principal: { AWS: ROOT }, Action: 'sts:AssumeRole' });
    expect(evaluate(assume({ kind: 'role', arn: OTHER_ROLE }), { service: 'trust', resourcePolicy: account })).toEqual({ decision: 'implicitDeny' });
    expect(evaluate(assume({ kind: 'role', arn: OTHER_ROLE }), { service: 'trust', resourcePolicy: account, identityPolicies: [ADMIN] })).toEqual({ decision: 'allow' });
  });

  test('a federated principal is named by its provider, and the token\'s claims are conditions', () => {
    const provider = `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`;
    const github = policy({
      Effect: 'Allow',
      Principal: { Federated: provider },
      Action: 'sts:AssumeRoleWithWebIdentity',
      Condition: { StringEquals: { 'token.actions.githubusercontent.com:sub': 'repo:o/r:environment:prod', 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com' } },
    });
    const job = (sub: string) => assume({ kind: 'federated', provider }, { 'token.actions.githubusercontent.com:sub': sub, 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com' }, 'sts:AssumeRoleWithWebIdentity');
    expect(evaluate(job('repo:o/r:environment:prod'), { service: 'trust', resourcePolicy: github })).toEqual({ decision: 'allow' });
    expect(evaluate(job('repo:o/r:environment:dev'), { service: 'trust', resourcePolicy: github })).toEqual({ decision: 'implicitDeny' });
    expect(evaluate(job('repo:o/r:environment:prod'), { service: 'trust', resourcePolicy: lambdaTrust })).toEqual({ decision: 'implicitDeny' });
  });

  test('a trust statement with a Resource, or another statement without one, is refused rather than guessed', () => {
    const withResource = policy({ Effect: 'Allow', Principal: { AWS: ROLE }, Action: 'sts:AssumeRole', Resource: '*' });
    expect(() => evaluate(assume({ kind: 'role', arn: ROLE }), { service: 'trust', resourcePolicy: withResource })).toThrow('a trust-policy statement names a Resource');
    const withoutResource = policy({ Sid: 'NoResource', Effect: 'Allow', Action: 'kms:Decrypt' });
    expect(() => evaluate(decrypt(), { service: 'other', identityPolicies: [withoutResource] })).toThrow('a statement without Resource or NotResource outside a trust policy (NoResource)');
  });
});

describe('across accounts both the resource policy and the caller\'s IAM must allow', () => {
  const OUTSIDER = 'arn:aws:iam::444455556666:role/admin';
  const VAULT = `arn:aws:backup:us-east-1:${ACCOUNT}:backup-vault:v`;
  const deleteVault = (arn = OUTSIDER): AccessRequest => ({ caller: { kind: 'role', arn }, action: 'backup:DeleteBackupVault', resource: VAULT });

  test('another account\'s administrator is refused a vault whose policy does not name it or its account', () => {
    expect(evaluate(deleteVault(), { service: 'other', identityPolicies: [ADMIN] })).toEqual({ decision: 'implicitDeny' });
    const ownAccountOnly = policy({ Effect: 'Allow', Principal: { AWS: ROOT }, Action: 'backup:*', Resource: '*' });
    expect(evaluate(deleteVault(), { service: 'other', resourcePolicy: ownAccountOnly, identityPolicies: [ADMIN] })).toEqual({ decision: 'implicitDeny' });
  });

  test('a resource policy naming the other account or principal allows only what that principal\'s IAM allows too', () => {
    const outsiders = policy({ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::444455556666:root' }, Action: 'backup:*', Resource: '*' });
    expect(evaluate(deleteVault(), { service: 'other', resourcePolicy: outsiders, identityPolicies: [ADMIN] })).toEqual({ decision: 'allow' });
    expect(evaluate(deleteVault(), { service: 'other', resourcePolicy: outsiders })).toEqual({ decision: 'implicitDeny' });
    const named = policy({ Effect: 'Allow', Principal: { AWS: OUTSIDER }, Action: 'backup:*', Resource: '*' });
    expect(evaluate(deleteVault(), { service: 'other', resourcePolicy: named })).toEqual({ decision: 'implicitDeny' });
    expect(evaluate(deleteVault(), { service: 'other', resourcePolicy: named, identityPolicies: [ADMIN] })).toEqual({ decision: 'allow' });
  });

  test('a key policy that names only its own account refuses another account whatever its IAM allows', () => {
    expect(evaluate(decrypt({}, OUTSIDER), { service: 'kms', resourcePolicy: policy(ACCOUNT_DELEGATES), identityPolicies: [ADMIN] })).toEqual({ decision: 'implicitDeny' });
  });

  test('a resource whose ARN names no account is refused rather than guessed', () => {
    expect(() => evaluate({ ...deleteVault(), resource: 'arn:aws:s3:::bucket' }, { service: 'other', identityPolicies: [ADMIN] })).toThrow('cannot tell the account of arn:aws:s3:::bucket');
    expect(evaluate({ ...deleteVault(), resource: 'arn:aws:s3:::bucket', resourceAccount: '444455556666' }, { service: 'other', identityPolicies: [ADMIN] })).toEqual({ decision: 'allow' });
  });
});

describe('the root user', () => {
  const root = (account = ACCOUNT): AccessRequest => ({ caller: { kind: 'root', account }, action: 'kms:Decrypt', resource: KEY });

  test('is let in by a key policy that names its account, by id as by :root, holding every permission of the account', () => {
    expect(evaluate(root(), { service: 'kms', resourcePolicy: policy(ACCOUNT_DELEGATES) })).toEqual({ decision: 'allow' });
    expect(evaluate(root(), { service: 'kms', resourcePolicy: policy({ ...ACCOUNT_DELEGATES, Principal: { AWS: ACCOUNT } }) })).toEqual({ decision: 'allow' });
  });

  test('is refused by a key policy that names only a role, and by a Deny that does not except it', () => {
    expect(evaluate(root(), { service: 'kms', resourcePolicy: policy({ Effect: 'Allow', Principal: { AWS: ROLE }, Action: 'kms:*', Resource: '*' }) })).toEqual({ decision: 'implicitDeny' });
    const denyAllButRole: Statement = { Sid: 'OnlyTheRole', Effect: 'Deny', Principal: '*', Action: 'kms:*', Resource: '*', Condition: { ArnNotLike: { 'aws:PrincipalArn': ROLE } } };
    expect(evaluate(root(), { service: 'kms', resourcePolicy: policy(ACCOUNT_DELEGATES, denyAllButRole) })).toEqual({ decision: 'explicitDeny', sid: 'OnlyTheRole' });
  });

  test('of another account is refused unless the resource policy names that account', () => {
    expect(evaluate(root('444455556666'), { service: 'kms', resourcePolicy: policy(ACCOUNT_DELEGATES) })).toEqual({ decision: 'implicitDeny' });
  });

  test('has no IAM policies to give', () => {
    expect(() => evaluate(root(), { service: 'kms', resourcePolicy: policy(ACCOUNT_DELEGATES), identityPolicies: [ADMIN] })).toThrow('a root caller has no IAM policies of its own');
  });
});

describe('service control policies', () => {
  const FULL_ACCESS = policy({ Effect: 'Allow', Action: '*', Resource: '*' });
  const noPassRole = policy({ Sid: 'NoPassRole', Effect: 'Deny', Action: 'iam:PassRole', Resource: '*', Condition: { ArnNotLike: { 'aws:PrincipalArn': OTHER_ROLE } } });
  const passRole = (caller: AccessRequest['caller']): AccessRequest => ({ caller, action: 'iam:PassRole', resource: `arn:aws:iam::${ACCOUNT}:role/token-role` });

  test('a Deny in an SCP beats an administrator\'s Allow, the root user\'s included, and spares whom its condition excepts', () => {
    expect(evaluate(passRole({ kind: 'role', arn: ROLE }), { service: 'other', identityPolicies: [ADMIN], scps: [FULL_ACCESS, noPassRole] })).toEqual({ decision: 'explicitDeny', sid: 'NoPassRole' });
    expect(evaluate(passRole({ kind: 'root', account: ACCOUNT }), { service: 'other', scps: [FULL_ACCESS, noPassRole] })).toMatchObject({ decision: 'explicitDeny' });
    expect(evaluate(passRole({ kind: 'role', arn: OTHER_ROLE }), { service: 'other', identityPolicies: [ADMIN], scps: [FULL_ACCESS, noPassRole] })).toEqual({ decision: 'allow' });
  });

  test('a request no SCP allows is refused; AWS services acting as themselves are not restricted', () => {
    expect(evaluate(passRole({ kind: 'role', arn: OTHER_ROLE }), { service: 'other', identityPolicies: [ADMIN], scps: [noPassRole] })).toEqual({ decision: 'implicitDeny' });
    const service: AccessRequest = { caller: { kind: 'service', service: 'events.amazonaws.com' }, action: 'kms:GenerateDataKey', resource: KEY };
    const forEvents = policy({ Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: 'kms:*', Resource: '*' });
    expect(evaluate(service, { service: 'kms', resourcePolicy: forEvents, scps: [policy({ Effect: 'Deny', Action: '*', Resource: '*' })] })).toEqual({ decision: 'allow' });
  });
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
