import { KEY_ALIAS_ACTIONS, KEY_DESTRUCTIVE_ACTIONS, KEY_GRANT_REVOCATION_ACTIONS, VAULT_DESTRUCTIVE_ACTIONS } from '../../../infra/policy/break-glass';
import { DATA_ROLES, tokenRolePurposes, type DataRoleSpec } from '../../../infra/policy/data-roles';
import { sealedAttributeNames } from '../../../infra/data/schema-model';
import { TABLE_SCHEMAS } from '../../../infra/data/schemas';
import { DATA_ROLE_PURPOSES, STAGES, STAGE_NAMES, dataRoleName, deployRoleName, physicalTableName, type StageName } from '../../../infra/data/stages';
import { stageTemplateJson } from '../../support/cdk-out';
import { evaluate, type AccessRequest, type PolicyDocument } from '../../support/iam-policy';
import { DeployedTemplate } from '../../support/template-policies';

/**
 * The synthesized key and vault policies of every stage, evaluated (not read for their shape) with
 * the offline evaluator in test/support/iam-policy.ts, as the stage would run them in an account.
 */

const ACCOUNT = '111122223333';
/** AdministratorAccess: what an account administrator, a PowerUser for KMS, or the deploy path holds in IAM. */
const ADMINISTRATOR: PolicyDocument = { Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };
const SEALED = TABLE_SCHEMAS.flatMap((schema) => sealedAttributeNames(schema).map((attribute) => ({ table: schema.name, attribute })));
const NON_TOKEN_PURPOSES = DATA_ROLE_PURPOSES.filter((purpose) => !tokenRolePurposes().includes(purpose));

describe.each(STAGE_NAMES)('%s', (stage: StageName) => {
  const deployed = new DeployedTemplate(stageTemplateJson(stage), { account: ACCOUNT, region: STAGES[stage].region, partition: 'aws' });
  const admin = deployed.roleArn('Administrator');
  // An Identity Center session of the break-glass permission set, as its role is named in the account.
  const breakGlass = deployed.roleArn('aws-reserved/sso.amazonaws.com/AWSReservedSSO_InavorShuttleBreakGlass_0123456789abcdef');
  // The promotion pipeline's deploy role, under which CloudFormation makes every change of a deploy.
  const deployer = deployed.roleArn(deployRoleName(stage));
  // The CDK bootstrap's execution role: what `update-stack --role-arn` or a bootstrapped `cdk deploy` would act as.
  const executionRole = deployed.roleArn(`cdk-hnb659fds-cfn-exec-role-${ACCOUNT}-${STAGES[stage].region}`);
  const tokenKey = deployed.keyWithAlias(`alias/inavor-shuttle/${stage}/tokens`);
  const tableKey = deployed.keyWithAlias(`alias/inavor-shuttle/${stage}/data`);
  const keys = deployed.keys();
  const { table, attribute } = SEALED[0]!;
  const tokenContext: Record<string, string> = {
    'kms:EncryptionContext:table': physicalTableName(table, stage),
    'kms:EncryptionContext:shop': 'example.myshopify.com',
    'kms:EncryptionContext:attribute': attribute,
  };

  const onKey = (key: { arn: string; policy: PolicyDocument }, arn: string, identity: PolicyDocument[], action: string, context: Record<string, string> = {}) =>
    evaluate({ caller: { kind: 'role', arn }, action, resource: key.arn, context }, { service: 'kms', resourcePolicy: key.policy, identityPolicies: identity }).decision;
  const asRole = (purpose: (typeof DATA_ROLE_PURPOSES)[number]) => {
    const name = dataRoleName(stage, purpose);
    return { arn: deployed.roleArn(name), policies: deployed.policiesOfRole(name) };
  };

  test('an administrator with kms:* on * cannot decrypt a token, even with the right encryption context', () => {
    expect(onKey(tokenKey, admin, [ADMINISTRATOR], 'kms:Decrypt', tokenContext)).toBe('explicitDeny');
    expect(onKey(tokenKey, admin, [ADMINISTRATOR], 'kms:GenerateDataKey', tokenContext)).toBe('explicitDeny');
  });

  test.each([...KEY_DESTRUCTIVE_ACTIONS, 'kms:PutKeyPolicy'])('an administrator with kms:* on * is denied %s on every key', (action) => {
    expect(keys.length).toBeGreaterThanOrEqual(2);
    for (const key of keys) expect([key.id, onKey(key, admin, [ADMINISTRATOR], action)]).toEqual([key.id, 'explicitDeny']);
  });

  test.each([...KEY_DESTRUCTIVE_ACTIONS, 'kms:PutKeyPolicy'])('the break-glass role may still call %s on every key', (action) => {
    for (const key of keys) expect([key.id, onKey(key, breakGlass, [ADMINISTRATOR], action)]).toEqual([key.id, 'allow']);
  });

  test('the deploy role may replace every key policy, so deploys and KMS\'s lockout check pass, and may not disable or delete a key', () => {
    for (const key of keys) {
      expect([key.id, onKey(key, deployer, [ADMINISTRATOR], 'kms:PutKeyPolicy')]).toEqual([key.id, 'allow']);
      for (const action of KEY_DESTRUCTIVE_ACTIONS) expect([key.id, action, onKey(key, deployer, [ADMINISTRATOR], action)]).toEqual([key.id, action, 'explicitDeny']);
    }
  });

  test.each([...KEY_ALIAS_ACTIONS, ...KEY_GRANT_REVOCATION_ACTIONS])('an administrator with kms:* on * is denied %s on every key, and break-glass is not', (action) => {
    for (const key of keys) {
      expect([key.id, onKey(key, admin, [ADMINISTRATOR], action)]).toEqual([key.id, 'explicitDeny']);
      expect([key.id, onKey(key, breakGlass, [ADMINISTRATOR], action)]).toEqual([key.id, 'allow']);
    }
  });

  test('the deploy role may move or delete a key\'s alias (aliases are the stack\'s) and may not revoke a grant', () => {
    for (const key of keys) {
      for (const action of KEY_ALIAS_ACTIONS) expect([key.id, action, onKey(key, deployer, [ADMINISTRATOR], action)]).toEqual([key.id, action, 'allow']);
      for (const action of KEY_GRANT_REVOCATION_ACTIONS) expect([key.id, action, onKey(key, deployer, [ADMINISTRATOR], action)]).toEqual([key.id, action, 'explicitDeny']);
    }
  });

  test('the deploy role cannot decrypt a token', () => {
    expect(onKey(tokenKey, deployer, [ADMINISTRATOR], 'kms:Decrypt', tokenContext)).toBe('explicitDeny');
  });

  test('a stack update through CloudFormation\'s execution role, whoever starts it and however its trust was changed, cannot replace a key policy', () => {
    for (const key of keys) expect([key.id, onKey(key, executionRole, [ADMINISTRATOR], 'kms:PutKeyPolicy')]).toEqual([key.id, 'explicitDeny']);
  });

  describe('the deploy role\'s trust', () => {
    const trust = deployed.trustPolicyOfRole(deployRoleName(stage));
    const provider = `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`;
    const { repository, environment } = STAGES[stage].access.deployFrom;
    const job = (sub: string, aud = 'sts.amazonaws.com') =>
      evaluate(
        { caller: { kind: 'federated', provider }, action: 'sts:AssumeRoleWithWebIdentity', resource: deployer, context: { 'token.actions.githubusercontent.com:sub': sub, 'token.actions.githubusercontent.com:aud': aud } },
        { service: 'trust', resourcePolicy: trust },
      ).decision;

    test('lets in a deploy job of the stage\'s repository and environment, and no other job', () => {
      expect(job(`repo:${repository}:environment:${environment}`)).toBe('allow');
      expect(job(`repo:${repository}:environment:${environment}`, 'https://github.com/inavor')).toBe('implicitDeny');
      expect(job(`repo:${repository}:ref:refs/heads/main`)).toBe('implicitDeny');
      expect(job(`repo:${repository}:pull_request`)).toBe('implicitDeny');
      expect(job(`repo:${repository}-fork:environment:${environment}`)).toBe('implicitDeny');
      for (const other of STAGE_NAMES.filter((name) => STAGES[name].access.deployFrom.environment !== environment)) {
        expect(job(`repo:${repository}:environment:${STAGES[other].access.deployFrom.environment}`)).toBe('implicitDeny');
      }
    });

    test('does not let an administrator assume it, whatever IAM allows', () => {
      const assume = evaluate({ caller: { kind: 'role', arn: admin }, action: 'sts:AssumeRole', resource: deployer }, { service: 'trust', resourcePolicy: trust, identityPolicies: [ADMINISTRATOR] });
      expect(assume).toEqual({ decision: 'implicitDeny' });
    });
  });

  describe.each(tokenRolePurposes())('the %s role', (purpose) => {
    const level = (DATA_ROLES[purpose] as DataRoleSpec).tokens!;
    test.each(SEALED)('decrypts a sealed $table.$attribute with the full encryption context', ({ table: sealedTable, attribute: sealedAttribute }) => {
      const { arn, policies } = asRole(purpose);
      const context = { ...tokenContext, 'kms:EncryptionContext:table': physicalTableName(sealedTable, stage), 'kms:EncryptionContext:attribute': sealedAttribute };
      expect(onKey(tokenKey, arn, policies, 'kms:Decrypt', context)).toBe('allow');
    });

    test.each(['table', 'shop', 'attribute'])('is denied Decrypt when the encryption context lacks %s', (key) => {
      const { arn, policies } = asRole(purpose);
      const { [`kms:EncryptionContext:${key}`]: _dropped, ...context } = tokenContext;
      expect(onKey(tokenKey, arn, policies, 'kms:Decrypt', context)).toBe('explicitDeny');
    });

    test('is denied Decrypt for a ciphertext bound to another table or attribute', () => {
      const { arn, policies } = asRole(purpose);
      expect(onKey(tokenKey, arn, policies, 'kms:Decrypt', { ...tokenContext, 'kms:EncryptionContext:table': `Jobs-${stage}` })).toBe('explicitDeny');
      expect(onKey(tokenKey, arn, policies, 'kms:Decrypt', { ...tokenContext, 'kms:EncryptionContext:attribute': 'name' })).toBe('explicitDeny');
    });

    test(`${level === 'encryptDecrypt' ? 'may' : 'may not'} seal a new token (GenerateDataKey)`, () => {
      const { arn, policies } = asRole(purpose);
      expect(onKey(tokenKey, arn, policies, 'kms:GenerateDataKey', tokenContext)).toBe(level === 'encryptDecrypt' ? 'allow' : 'implicitDeny');
    });
  });

  test.each(NON_TOKEN_PURPOSES)('the %s role, which has no token grant, is denied Decrypt on the token key even with the right context', (purpose) => {
    const { arn, policies } = asRole(purpose);
    expect(onKey(tokenKey, arn, policies, 'kms:Decrypt', tokenContext)).toBe('explicitDeny');
    // Given kms:* in IAM as well, the key policy still refuses it.
    expect(onKey(tokenKey, arn, [...policies, ADMINISTRATOR], 'kms:Decrypt', tokenContext)).toBe('explicitDeny');
  });

  test.each(DATA_ROLE_PURPOSES)('the %s role uses the table key through DynamoDB, and not directly', (purpose) => {
    const { arn, policies } = asRole(purpose);
    const viaDynamoDb = { 'kms:ViaService': `dynamodb.${STAGES[stage].region}.amazonaws.com` };
    expect(onKey(tableKey, arn, policies, 'kms:Decrypt', viaDynamoDb)).toBe('allow');
    expect(onKey(tableKey, arn, policies, 'kms:Decrypt')).not.toBe('allow');
    expect(onKey(tableKey, arn, [ADMINISTRATOR], 'kms:Decrypt')).toBe('explicitDeny');
  });

  if (STAGES[stage].backup.rules.length > 0) {
    describe('the backup vault', () => {
      const vault = deployed.vault();
      const recoveryPoint = `arn:aws:dynamodb:${STAGES[stage].region}:${ACCOUNT}:table/Jobs-${stage}/backup/01700000000000-abcdefgh`;
      const onVault = (arn: string, action: string, resource = vault.arn) =>
        evaluate({ caller: { kind: 'role', arn }, action, resource } satisfies AccessRequest, {
          service: 'other',
          resourcePolicy: vault.policy,
          identityPolicies: [ADMINISTRATOR],
        }).decision;
      const POLICY_ACTIONS = ['backup:PutBackupVaultAccessPolicy', 'backup:DeleteBackupVaultAccessPolicy', 'backup:PutBackupVaultLockConfiguration'];

      test.each([...VAULT_DESTRUCTIVE_ACTIONS, ...POLICY_ACTIONS])('refuses %s to an administrator with backup:* and allows it to break-glass', (action) => {
        const resource = action.includes('RecoveryPoint') ? recoveryPoint : vault.arn;
        expect(onVault(admin, action, resource)).toBe('explicitDeny');
        expect(onVault(breakGlass, action, resource)).toBe('allow');
      });

      test('lets the deploy role replace its policy and lock, and nothing that loses a recovery point', () => {
        for (const action of POLICY_ACTIONS) expect([action, onVault(deployer, action)]).toEqual([action, 'allow']);
        for (const action of VAULT_DESTRUCTIVE_ACTIONS) expect([action, onVault(deployer, action, recoveryPoint)]).toEqual([action, 'explicitDeny']);
      });

      test('refuses every policy, lock and recovery-point change to CloudFormation\'s execution role', () => {
        for (const action of [...POLICY_ACTIONS, ...VAULT_DESTRUCTIVE_ACTIONS]) expect([action, onVault(executionRole, action, recoveryPoint)]).toEqual([action, 'explicitDeny']);
      });

      test('still lets an administrator start a backup or a restore', () => {
        expect(onVault(admin, 'backup:StartBackupJob')).toBe('allow');
        expect(onVault(admin, 'backup:StartRestoreJob', recoveryPoint)).toBe('allow');
      });
    });
  }
});
