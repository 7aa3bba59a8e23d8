import {
  DATA_ROLES,
  KEY_DESTRUCTIVE_ACTIONS,
  KEY_POLICY_ACTIONS,
  VAULT_DESTRUCTIVE_ACTIONS,
  VAULT_POLICY_ACTIONS,
  type DataRoleSpec,
} from '../../infra/data-access';
import { IAM_EVENTS_REGION, SECURITY_ALARMS, securityRuleName, type SecurityAlarmName, type SecurityAlarmSpec } from '../../infra/security-monitoring';
import { DATA_ROLE_PURPOSES, STAGES, TRUSTED_SERVICES, dataRoleName, type DataRolePurpose, type StagePolicy } from '../../infra/stages';
import { code, markdownTable, paragraph } from '../shared/markdown';

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
      'policy wins. The tests evaluate the synthesized key policy of every stage for each row.',
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
    '## What no one but the break-glass role can do',
    '',
    paragraph([
      'Every key of the data layer (table, token, backup vault and alarm topic keys) and the backup vault carry',
      'Denies that outrank any IAM Allow in the account:',
    ]),
    '',
    markdownTable(
      ['on', 'actions', 'who may still'],
      [
        ['every key', list(KEY_DESTRUCTIVE_ACTIONS), 'the break-glass role'],
        ['every key', list(KEY_POLICY_ACTIONS), 'the break-glass role; the stage\'s deploy role (deploys, and KMS\'s lockout check)'],
        ['the backup vault', list(VAULT_DESTRUCTIVE_ACTIONS), 'the break-glass role'],
        ['the backup vault', list(VAULT_POLICY_ACTIONS), 'the break-glass role; the stage\'s deploy role (deploys)'],
      ],
    ),
    '',
    'The break-glass role of each stage, and its vault lock:',
    '',
    markdownTable(
      ['stage', 'break-glass role (path and name)', 'held by', 'vault lock'],
      Object.entries(input.stages).map(([stage, policy]) => [code(stage), code(policy.access.breakGlassRole), policy.access.reason, vaultLockText(policy)]),
    ),
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

function alarmsSection(input: SecurityDocsInput): string {
  const alarms = Object.entries(SECURITY_ALARMS) as [SecurityAlarmName, SecurityAlarmSpec][];
  const where = (alarm: SecurityAlarmSpec) =>
    Object.entries(input.stages)
      .filter(([, policy]) => policy.monitoring.alarms && hasWhatItNeeds(alarm, policy))
      .map(([stage]) => code(stage))
      .join(', ') || 'none';
  return [
    '## Security alarms',
    '',
    paragraph([
      'EventBridge rules of the stack send these events to the stage\'s alarm topic (stages with `monitoring.alarms`).',
      'KMS, STS, IAM and vault API calls reach EventBridge as "AWS API Call via CloudTrail" events, which exist only',
      'while a CloudTrail trail records the account\'s management events: in an account enrolled in AWS Control Tower',
      'that is the organization trail Control Tower sets up in every account and region; elsewhere, create a trail',
      `(management events, all regions) before relying on them. IAM is global: its events reach EventBridge in ${code(IAM_EVENTS_REGION)}`,
      'only, so the role alarm exists where the stage is in that region. The AWS Backup job events come from the',
      'service itself and need no trail.',
    ]),
    '',
    markdownTable(
      ['alarm', 'rule', 'fires on', 'needs a trail', 'stages'],
      alarms.map(([name, alarm]) => [alarm.title, code(securityRuleName('<stage>', name)), alarm.matches.map(code).join(', '), alarm.source === 'cloudTrail' ? 'yes' : 'no', where(alarm)]),
    ),
    '',
    ...alarms.flatMap(([, alarm]) => [`### ${alarm.title}`, '', paragraph([alarm.means]), '', ...alarm.firstSteps.map((step, i) => `${i + 1}. ${step}`), '']),
  ]
    .join('\n')
    .trimEnd();
}

function hasWhatItNeeds(alarm: SecurityAlarmSpec, policy: StagePolicy): boolean {
  switch (alarm.needs) {
    case 'nothing':
      return true;
    case 'backups':
      return policy.backup.rules.length > 0;
    case 'copies':
      return policy.backup.copy !== undefined;
    case 'iamRegion':
      return policy.region === IAM_EVENTS_REGION;
  }
}

const BREAK_GLASS_STEPS = [
  'Say in the incident channel what you are about to do and why; the break-glass alarm will fire and the on-call will ask.',
  'Sign in through IAM Identity Center and choose the `InavorShuttleBreakGlass` permission set for the stage\'s account (MFA).',
  'Do the one thing the incident needs (e.g. `aws kms cancel-key-deletion`, `aws kms enable-key`, lift the vault lock, or decrypt one shop\'s token with the full encryption context) and nothing else.',
  'Sign out; write down in the incident what was done, with the CloudTrail event ids.',
  'If a key or vault policy was changed by hand, redeploy the stack so the policy is the template\'s again (the key-policy alarm fires once more: expected).',
];

function administratorSection(): string {
  const alarm = (name: SecurityAlarmName) => `the "${SECURITY_ALARMS[name].title}" alarm`;
  return [
    '## The break-glass procedure',
    '',
    ...BREAK_GLASS_STEPS.map((step, i) => `${i + 1}. ${step}`),
    '',
    '## What an account administrator can still do',
    '',
    paragraph([
      'The key and vault policies stop an administrator from using the token key, disabling or deleting a key, and',
      'deleting recovery points. They do not make an administrator powerless; what remains, and what shows it:',
    ]),
    '',
    markdownTable(
      ['an administrator can', 'what shows it'],
      [
        ['Widen a data-access role\'s trust or permissions (IAM), then assume a token role and decrypt tokens as the app does.', `${alarm('dataRoleChanged')} (where IAM's events arrive), then CloudTrail: AssumeRole and Decrypt by that role's sessions.`],
        ['Run code under a token role without changing it: a Lambda function or App Runner service created with the role (`iam:PassRole`).', 'CloudTrail only (CreateFunction, CreateService naming the role): the app\'s own deploys do the same, so no alarm; review in access reviews.'],
        ['Deploy a change of this stack (a new key policy, a grant) through the pipeline or CloudFormation.', `${alarm('keyPolicyChanged')}; the change is in the pull request and its cdk diff.`],
        ['Assign themselves the break-glass permission set in IAM Identity Center.', alarm('breakGlassUsed')],
        ['Read every non-sealed attribute of every table (IAM on DynamoDB, the table key through DynamoDB).', 'CloudTrail data events, if the trail records them for DynamoDB.'],
        ['Silence the alarms: delete or disable the stack\'s EventBridge rules, unsubscribe the on-call, or stop the trail.', 'No alarm of this stack: CloudFormation drift detection shows a changed rule or topic; Control Tower\'s mandatory controls protect its own organization trail.'],
        ['Stop backups (delete the plan or selection) or let PITR lapse by disabling it.', `${alarm('backupJobFailed')} does not fire for a job that never starts; the DataProtection checks and \`npm run verify\` show the drift.`],
      ],
    ),
  ].join('\n');
}

const VAULT_LOCK_TRADE_OFF = [
  'A vault lock in governance mode stops early deletion by anyone the vault policy does not exempt; here only the',
  'break-glass role may call `DeleteBackupVaultLockConfiguration`, so lifting it takes a break-glass session and fires',
  'two alarms. Compliance mode (`vaultLock.changeableForDays` in the stage config) becomes immutable when its grace',
  'time ends: no one, root included, can then delete a recovery point before its retention, shorten one, or delete the',
  'vault while it holds any. That protects against a compromised account as well, and costs what it protects: a',
  'retention set too long is paid for until it ends, a shop\'s data in a recovery point cannot be removed early (a',
  'restore must be followed by `redactShop` again), and the vault cannot be moved or retired early. Prod stays in',
  'governance mode until its retention has been proven by a year of restores; moving it is a one-line stage change.',
];

/** The whole `docs/security.md`, deterministic for a given input. */
export function renderSecurityDocs(input: SecurityDocsInput): string {
  return [
    '# Security of the data layer',
    '',
    '<!-- Generated by `npm run docs` from infra/data-access.ts, infra/stages.ts and infra/security-monitoring.ts; do not edit by hand. -->',
    '',
    paragraph([
      'Who can open the Shopify tokens, what protects the keys and the backup vault from an administrator, the alarms',
      'that show their use, and the break-glass procedure. Generated from the grants (`infra/data-access.ts`), the stage',
      'config (`infra/stages.ts`) and the security alarms (`infra/security-monitoring.ts`); `npm test` fails when it is out of',
      'date or when a synthesized policy disagrees with it.',
    ]),
    '',
    tokenSection(input),
    '',
    protectionSection(input),
    '',
    '## Vault lock: governance or compliance',
    '',
    paragraph(VAULT_LOCK_TRADE_OFF),
    '',
    alarmsSection(input),
    '',
    administratorSection(),
    '',
  ].join('\n');
}
