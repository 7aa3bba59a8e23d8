import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { STAGES, STAGE_NAMES, dataRoleName, deployRoleName, physicalTableName } from '../../../infra/data/stages';
import { TABLE_SCHEMAS } from '../../../infra/data/schemas';
import { loadSecurityDocsInput, renderSecurityDocs, tokenReaders, type TokenPrincipal } from '../../../scripts/docs/security-docs';
import { stageTemplateJson } from '../../support/cdk-out';
import { evaluate, type PolicyDocument } from '../../support/iam-policy';
import { DeployedTemplate } from '../../support/template-policies';

const DOCS_PATH = join(__dirname, '..', '..', '..', 'docs', 'security.md');
const ACCOUNT = '111122223333';
const ADMINISTRATOR: PolicyDocument = { Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };
const [SEALED] = TABLE_SCHEMAS.flatMap((schema) =>
  (schema.attributes as readonly { name: string; sealed?: boolean }[]).filter((attribute) => attribute.sealed).map((attribute) => ({ table: schema.name, attribute: attribute.name })),
);

test('docs/security.md is what `npm run docs` renders now', () => {
  expect(readFileSync(DOCS_PATH, 'utf8')).toBe(renderSecurityDocs(loadSecurityDocsInput()));
});

describe.each(STAGE_NAMES)('the %s token key does what "who can read a token" says', (stage) => {
  const deployed = new DeployedTemplate(stageTemplateJson(stage), { account: ACCOUNT, region: STAGES[stage].region, partition: 'aws' });
  const key = deployed.keyWithAlias(`alias/inavor-shuttle/${stage}/tokens`);
  const context = {
    'kms:EncryptionContext:table': physicalTableName(SEALED!.table, stage),
    'kms:EncryptionContext:shop': 'example.myshopify.com',
    'kms:EncryptionContext:attribute': SEALED!.attribute,
  };
  /** The principal as it would call in the stage's account, with the IAM policies it holds there. */
  const caller = (principal: TokenPrincipal): { arn: string; policies: PolicyDocument[] } => {
    switch (principal.kind) {
      case 'dataRole': {
        const name = dataRoleName(stage, principal.purpose);
        return { arn: deployed.roleArn(name), policies: deployed.policiesOfRole(name) };
      }
      case 'breakGlass':
        return { arn: deployed.roleArn('aws-reserved/sso.amazonaws.com/AWSReservedSSO_InavorShuttleBreakGlass_0123abcd'), policies: [ADMINISTRATOR] };
      case 'administrator':
        return { arn: deployed.roleArn('Administrator'), policies: [ADMINISTRATOR] };
      case 'deployer':
        return { arn: deployed.roleArn(deployRoleName(stage)), policies: [ADMINISTRATOR] };
      case 'executionRole':
        return { arn: deployed.roleArn(`cdk-hnb659fds-cfn-exec-role-${ACCOUNT}-${STAGES[stage].region}`), policies: [ADMINISTRATOR] };
      case 'otherRole':
        return { arn: deployed.roleArn('inavor-shuttle-reporting'), policies: [ADMINISTRATOR] };
    }
  };

  test.each(tokenReaders().map((reader) => [reader.who, reader] as const))('%s', (_who, reader) => {
    const { arn, policies } = caller(reader.principal);
    const decide = (action: string) =>
      evaluate({ caller: { kind: 'role', arn }, action, resource: key.arn, context }, { service: 'kms', resourcePolicy: key.policy, identityPolicies: policies }).decision;
    expect({ opens: decide('kms:Decrypt') === 'allow', seals: decide('kms:GenerateDataKey') === 'allow' }).toEqual({ opens: reader.opens, seals: reader.seals });
    // The doc says each refusal holds whatever grants exist: only an explicit Deny of the key policy outranks a grant.
    if (!reader.opens) expect(decide('kms:Decrypt')).toBe('explicitDeny');
  });
});
