import { KEY_ALIAS_ACTIONS, KEY_DESTRUCTIVE_ACTIONS, KEY_GRANT_REVOCATION_ACTIONS, KEY_POLICY_ACTIONS, VAULT_DESTRUCTIVE_ACTIONS, VAULT_POLICY_ACTIONS } from '../../infra/policy/break-glass';
import { DATA_ROLES, type DataRoleSpec } from '../../infra/policy/data-roles';
import { DATA_ROLE_PURPOSES, STAGES, TRUSTED_SERVICES, dataRoleName, deployRoleName, type DataRolePurpose, type StagePolicy } from '../../infra/data/stages';
import { code, markdownTable, paragraph } from '../shared/markdown';
import { adminPathsSection, alarmsSection } from './security-alarm-docs';

/** Everything the security doc is rendered from. */
export interface SecurityDocsInput {
  /** The stages and their policies. */
  readonly stages: Readonly<Record<string, StagePolicy>>;
}

/** The real inputs. */
export function loadSecurityDocsInput(): SecurityDocsInput {
  return { stages: STAGES };
}

/** A principal the token table speaks of; the tests evaluate the token key's policy for each. */
export type TokenPrincipal =
  | { readonly kind: 'dataRole'; readonly purpose: DataRolePurpose }
  | { readonly kind: 'breakGlass' }
  | { readonly kind: 'administrator' }
  | { readonly kind: 'deployer' }
  | { readonly kind: 'executionRole' }
  | { readonly kind: 'otherRole' };

/** One row of "who can read a token". */
export interface TokenReader {
  readonly who: string;
  readonly principal: TokenPrincipal;
  /** May decrypt a sealed attribute (with the full encryption context). */
  readonly opens: boolean;
  /** May seal a new one (GenerateDataKey). */
  readonly seals: boolean;
  readonly why: string;
}

/**
 * Who can read a token, from `DATA_ROLES` (the same data `DataStack` grants from and names in the
 * token key's policy) and the standing principals of an account. `test/scripts/docs/security-docs.test.ts`
 * evaluates each row against every stage's synthesized token key policy.
 */
export function tokenReaders(): TokenReader[] {
  const roles = DATA_ROLE_PURPOSES.map((purpose): TokenReader => {
    const spec: DataRoleSpec = DATA_ROLES[purpose];
    return {
      who: `${code(purpose)} role`,
      principal: { kind: 'dataRole', purpose },
      opens: spec.tokens !== undefined,
      seals: spec.tokens === 'encryptDecrypt',
      why: spec.tokens ? `${spec.does} Named in the token key's policy; its grant: ${code(spec.tokens)}.` : `${spec.does} Not named in the token key's policy.`,
    };
  });
  return [
    ...roles,
    {
      who: 'break-glass role',
      principal: { kind: 'breakGlass' },
      opens: true,
      seals: true,
      why: 'Named in the token key\'s policy, for emergencies; uses the key as far as its permission set allows, with the full encryption context. Every session fires the break-glass alarm.',
    },
    {
      who: 'an account administrator (`kms:*` or `*` on `*` in IAM)',
      principal: { kind: 'administrator' },
      opens: false,
      seals: false,
      why: 'Refused by the token key\'s policy whatever IAM allows; see what an administrator can still do, below.',
    },
    {
      who: 'the stage\'s deploy role (the promotion pipeline)',
      principal: { kind: 'deployer' },
      opens: false,
      seals: false,
      why: 'May replace the key policy through CloudFormation (the key-policy alarm says so), not use the key.',
    },
    {
      who: 'CloudFormation\'s execution role from the CDK bootstrap',
      principal: { kind: 'executionRole' },
      opens: false,
      seals: false,
      why: 'Refused like any other principal: a stack update under it (`update-stack --role-arn`) cannot replace the key policy either.',
    },
    {
      who: 'any other principal, of this account or another',
      principal: { kind: 'otherRole' },
      opens: false,
      seals: false,
      why: 'Refused by the token key\'s policy; other accounts are not trusted by it at all.',
    },
  ];
}

const yesNo = (value: boolean) => (value ? '**yes**' : 'no');

function tokenSection(input: SecurityDocsInput): string {
  const stages = Object.entries(input.stages);
  return [
    '## Who can read a token',
    '',
    paragraph([
      'A shop\'s access and refresh tokens are sealed under the stage\'s token key',
      '(`alias/inavor-shuttle/<stage>/tokens`). Reading the Shops table, with any grant, returns them as ciphertext;',
      'opening one takes `kms:Decrypt` on the token key, which its key policy refuses to every principal but the roles',
      'below, and to those too unless the request carries the encryption context every sealed value is bound to',
      '(`table`, `shop`, `attribute`). An administrator\'s `kms:*` in IAM does not change that: a Deny in the key',
      'policy wins. The tests evaluate the synthesized key policy of every stage for each row. Their evaluator does',
      'not model KMS grants, which can add an Allow no policy shows; every "no" below is an explicit Deny of the key',
      'policy, which outranks any grant, so it holds whatever grants exist.',
    ]),
    '',
    markdownTable(
      ['who', 'opens a token', 'seals a token', 'why'],
      tokenReaders().map((reader) => [reader.who, yesNo(reader.opens), yesNo(reader.seals), reader.why]),
    ),
    '',
    'The roles per stage, and the service each trusts:',
    '',
    markdownTable(
      ['role', ...stages.map(([stage]) => code(stage))],
      DATA_ROLE_PURPOSES.map((purpose) => [
        code(purpose),
        ...stages.map(([stage, policy]) => `${code(dataRoleName(stage, purpose))}, trusted by ${code(TRUSTED_SERVICES[policy.access.roleTrust[purpose]])}`),
      ]),
    ),
    '',
    paragraph([
      'The stack defines these roles (exported as `InavorShuttleData-<stage>-<Purpose>RoleArn`); the app\'s stacks',
      'import them and add what else the process needs (logs, queues). A role defined elsewhere can still be given',
      '`grantTokenAccess` if it has a fixed role name: the key policy then names it by that name.',
    ]),
  ].join('\n');
}

function protectionSection(input: SecurityDocsInput): string {
  const list = (actions: readonly string[]) => actions.map(code).join(', ');
  return [
    '## What no one but the break-glass and deploy roles can do',
    '',
    paragraph([
      'Every key of the data layer (table, token, backup vault and alarm topic keys) and the backup vault carry',
      'Denies that outrank any IAM Allow in the account:',
    ]),
    '',
    markdownTable(
      ['on', 'actions', 'who may still'],
      [
        ['every key', list([...KEY_DESTRUCTIVE_ACTIONS, ...KEY_GRANT_REVOCATION_ACTIONS]), 'the break-glass role'],
        ['every key', list([...KEY_POLICY_ACTIONS, ...KEY_ALIAS_ACTIONS]), 'the break-glass role; the stage\'s deploy role (deploys, and KMS\'s lockout check)'],
        ['the backup vault', list(VAULT_DESTRUCTIVE_ACTIONS), 'the break-glass role'],
        ['the backup vault', list(VAULT_POLICY_ACTIONS), 'the break-glass role; the stage\'s deploy role (deploys)'],
      ],
    ),
    '',
    'The break-glass role of each stage:',
    '',
    markdownTable(
      ['stage', 'break-glass role (path and name)', 'held by'],
      Object.entries(input.stages).map(([stage, policy]) => [code(stage), code(policy.access.breakGlassRole), policy.access.reason]),
    ),
  ].join('\n');
}

function deploySection(input: SecurityDocsInput): string {
  return [
    '## The deploy role',
    '',
    paragraph([
      'Each stage\'s stack defines the role its deploy job assumes, `inavor-shuttle-<stage>-deploy`, trusted only by',
      'GitHub\'s OIDC provider (`token.actions.githubusercontent.com`, which must exist in the account) for a token with',
      '`aud` `sts.amazonaws.com` and `sub` `repo:<repository>:environment:<environment>`: a job of that repository in that',
      'GitHub environment, where prod waits for a reviewer. The stacks deploy with the deploy job\'s own credentials, no',
      'CloudFormation execution role between: every change CloudFormation makes is recorded in CloudTrail under the deploy',
      'role, invoked by CloudFormation, which is how the alarms tell a deploy from anything else. The role runs change sets',
      'on its stage\'s stack, uploads the template to the CDK bootstrap bucket, and changes the stack\'s resources only',
      'through CloudFormation (`aws:CalledViaFirst`); it cannot delete the stack, use a key for data, disable or delete',
      'one, or revoke a grant. The CDK bootstrap\'s execution role is no longer exempt from any key or vault policy.',
    ]),
    '',
    markdownTable(
      ['stage', 'deploy role', 'assumable from'],
      Object.entries(input.stages).map(([stage, policy]) => [
        code(stage),
        code(deployRoleName(stage)),
        `${code(policy.access.deployFrom.repository)}, environment ${code(policy.access.deployFrom.environment)}`,
      ]),
    ),
    '',
    paragraph([
      'A new stage, and the first deploy of a stage whose key policies still exempt the execution role, is deployed once',
      'as the break-glass role (`cdk deploy -c stage=<stage>` from its session): the old and new policies both let it',
      'replace them, and the break-glass alarm announces it.',
    ]),
  ].join('\n');
}

function recoverySection(input: SecurityDocsInput): string {
  return [
    '## Recovery points no one in the account can delete',
    '',
    markdownTable(
      ['stage', 'vault lock', 'air-gapped copy'],
      Object.entries(input.stages).map(([stage, policy]) => [code(stage), vaultLockText(policy), airGappedText(policy)]),
    ),
    '',
    paragraph(VAULT_LOCK),
    '',
    paragraph(AIR_GAPPED),
  ].join('\n');
}

function vaultLockText(policy: StagePolicy): string {
  if (policy.backup.rules.length === 0) return 'no vault';
  const lock = policy.backup.vaultLock;
  if (!lock) return 'none';
  return lock.changeableForDays === undefined
    ? `governance, ${lock.minRetentionDays}-${lock.maxRetentionDays} days`
    : `compliance after ${lock.changeableForDays} days, ${lock.minRetentionDays}-${lock.maxRetentionDays} days`;
}

function airGappedText(policy: StagePolicy): string {
  const copy = policy.backup.airGappedCopy;
  return copy ? `every recovery point, kept as long as its rule keeps it (${copy.minRetentionDays}-${copy.maxRetentionDays} days): ${copy.reason}` : 'none';
}

const VAULT_LOCK = [
  'A vault lock in governance mode stops early deletion by anyone who may not lift it. The vault',
  'policy lets only the break-glass role call `DeleteBackupVaultLockConfiguration` and `DeleteRecoveryPoint`, but the',
  'deploy role may replace the vault policy: a change merged and deployed through the pipeline can remove that',
  'reservation first (the vault-policy alarm reports it as expected during a deploy), after which an administrator',
  'needs no break-glass session. Governance mode therefore stops an administrator acting alone in the account, not a',
  'change deployed through the pipeline. Compliance mode (`vaultLock.changeableForDays` in the stage config) becomes',
  'immutable when its grace time ends: no one, root included, can then delete a recovery point before its retention,',
  'shorten one, or delete the vault while it holds any. It costs what it protects: a retention set too long is paid for',
  'until it ends, a shop\'s data in a recovery point cannot be removed early (a restore must be followed by',
  '`redactShop` again), and the vault cannot be moved or retired early. Prod stays in governance mode until its',
  'retention has been proven by a year of restores; moving it is a one-line stage change. Staging has no lock and no',
  'air-gapped copy: it holds test data, and its recovery points are as safe as its vault policy.',
];

const AIR_GAPPED = [
  'Where the stage config sets `backup.airGappedCopy` (prod), every rule of the plan also copies its recovery point',
  'into a logically air-gapped vault (`inavor-shuttle-<stage>-air-gapped`): a vault AWS Backup keeps in compliance mode',
  'and encrypts with a key AWS owns, so no one in the account, root and break-glass included, can delete or shorten a',
  'copy before its retention, nor disable its key. Each copy is kept as long as its rule keeps the recovery point, within',
  'the vault\'s minimum and maximum retention. Restoring from a copy is in [the restore runbook](restore-runbook.md).',
  'DynamoDB tables are copied only with AWS Backup\'s advanced DynamoDB backup turned on for the account (the default',
  'for accounts that started using AWS Backup after November 2021); a failed copy fires the copy-job alarm.',
];

const BREAK_GLASS_STEPS = [
  'Say in the incident channel what you are about to do and why; the break-glass alarm will fire and the on-call will ask.',
  'Sign in through IAM Identity Center and choose the `InavorShuttleBreakGlass` permission set for the stage\'s account (MFA).',
  'Do the one thing the incident needs (e.g. `aws kms cancel-key-deletion`, `aws kms enable-key`, lift the vault lock, or decrypt one shop\'s token with the full encryption context) and nothing else.',
  'Sign out; write down in the incident what was done, with the CloudTrail event ids.',
  'If a key or vault policy was changed by hand, let the pipeline deploy main again so the policy is the template\'s (the key-policy alarm reports it as expected during a deploy).',
];

/** The whole `docs/security.md`, deterministic for a given input. */
export function renderSecurityDocs(input: SecurityDocsInput): string {
  return [
    '# Security of the data layer',
    '',
    '<!-- Generated by `npm run docs` from infra/policy/table-access.ts, infra/data/stages.ts, infra/policy/security-monitoring.ts and infra/policy/admin-paths.ts; do not edit by hand. -->',
    '',
    paragraph([
      'Who can open the Shopify tokens, what protects the keys and the backup vault from an administrator, the deploy',
      'role, the recovery points no one in the account can delete, the alarms and how to tell a deploy from an attack,',
      'the break-glass procedure, and every path an administrator still has. Generated from the grants',
      '(`infra/policy/table-access.ts`), the stage config (`infra/data/stages.ts`), the security alarms (`infra/policy/security-monitoring.ts`)',
      'and the paths (`infra/policy/admin-paths.ts`); `npm test` fails when it is out of date or when a synthesized policy, rule',
      'or SCP disagrees with it.',
    ]),
    '',
    tokenSection(input),
    '',
    protectionSection(input),
    '',
    deploySection(input),
    '',
    recoverySection(input),
    '',
    alarmsSection(input.stages),
    '',
    '## The break-glass procedure',
    '',
    ...BREAK_GLASS_STEPS.map((step, i) => `${i + 1}. ${step}`),
    '',
    adminPathsSection(),
    '',
    '## What only the organization can enforce',
    '',
    paragraph([
      'An administrator can always change IAM in the account; only a service control policy of the organization can refuse',
      'it. Each stage\'s SCP, generated from the same role map, refuses the steps marked above; how to attach it is in',
      '[organization policies](organization-policies.md).',
    ]),
    '',
  ].join('\n');
}
