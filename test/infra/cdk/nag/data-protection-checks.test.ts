// One file: every DataProtection rule runs on fixtures that each change one thing about one compliant table.
import { App, Aspects, RemovalPolicy, Stack, type CfnResource } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import type { SynthesisMessage } from 'aws-cdk-lib/cx-api';
import type { Construct } from 'constructs';
import { DataProtectionChecks } from '../../../../infra/cdk/nag/data-protection-checks';
import { DATA_PROTECTION_RULES } from '../../../../infra/cdk/nag/data-protection-rules';

type Kind = 'Table' | 'GlobalTable';
type Level = 'error' | 'warning';

const TTL_TABLE = 'Expiring';

/** A table that passes every rule; each fixture changes one thing about it. */
function compliantTable(scope: Construct, id: string, overrides: Partial<dynamodb.TableProps> = {}): dynamodb.Table {
  return new dynamodb.Table(scope, id, {
    partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
    billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
    encryptionKey: new kms.Key(scope, `${id}Key`, { enableKeyRotation: true }),
    deletionProtection: true,
    removalPolicy: RemovalPolicy.RETAIN,
    ...overrides,
  });
}

function compliantGlobalTable(scope: Construct, id: string, overrides: Partial<dynamodb.TablePropsV2> = {}): dynamodb.TableV2 {
  return new dynamodb.TableV2(scope, id, {
    partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
    globalSecondaryIndexes: [{ indexName: 'byOwner', partitionKey: { name: 'owner', type: dynamodb.AttributeType.STRING } }],
    billing: dynamodb.Billing.onDemand(),
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    encryption: dynamodb.TableEncryptionV2.customerManagedKey(new kms.Key(scope, `${id}Key`, { enableKeyRotation: true })),
    deletionProtection: true,
    removalPolicy: RemovalPolicy.RETAIN,
    ...overrides,
  });
}

const awsManagedAlias = kms.Alias.fromAliasName(new Stack(), 'AwsManaged', 'alias/aws/dynamodb');
const autoscaled = dynamodb.Capacity.autoscaled({ maxCapacity: 10 });

/** Per-kind props of one fixture, on top of the compliant table. */
interface Variant {
  readonly Table: Partial<dynamodb.TableProps>;
  readonly GlobalTable: Partial<dynamodb.TablePropsV2>;
}

interface TableCase {
  readonly rule: string;
  readonly level: Level;
  readonly description: string;
  readonly stage: 'protected' | 'unprotected';
  readonly fires: boolean;
  readonly variant: Variant;
}

const TABLE_CASES: readonly TableCase[] = [
  {
    rule: 'PITR', level: 'error', stage: 'unprotected', fires: true, description: 'point-in-time recovery off',
    variant: {
      Table: { pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: false } },
      GlobalTable: { pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: false } },
    },
  },
  {
    rule: 'PITR', level: 'error', stage: 'unprotected', fires: false, description: 'point-in-time recovery on',
    variant: { Table: {}, GlobalTable: {} },
  },
  {
    rule: 'CMK', level: 'error', stage: 'unprotected', fires: true, description: 'an AWS-owned key',
    variant: {
      Table: { encryption: dynamodb.TableEncryption.DEFAULT, encryptionKey: undefined },
      GlobalTable: { encryption: dynamodb.TableEncryptionV2.dynamoOwnedKey() },
    },
  },
  {
    rule: 'CMK', level: 'error', stage: 'unprotected', fires: true, description: 'the AWS-managed key',
    variant: {
      Table: { encryption: dynamodb.TableEncryption.AWS_MANAGED, encryptionKey: undefined },
      GlobalTable: { encryption: dynamodb.TableEncryptionV2.awsManagedKey() },
    },
  },
  {
    rule: 'CMK', level: 'error', stage: 'unprotected', fires: true, description: 'the AWS-managed key named by its alias',
    variant: {
      Table: { encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED, encryptionKey: awsManagedAlias },
      GlobalTable: { encryption: dynamodb.TableEncryptionV2.customerManagedKey(awsManagedAlias) },
    },
  },
  {
    rule: 'CMK', level: 'error', stage: 'unprotected', fires: false, description: 'a customer-managed key',
    variant: { Table: {}, GlobalTable: {} },
  },
  {
    rule: 'DeletionProtection', level: 'error', stage: 'protected', fires: true, description: 'deletion protection off in a protected stage',
    variant: { Table: { deletionProtection: false }, GlobalTable: { deletionProtection: false } },
  },
  {
    rule: 'DeletionProtection', level: 'error', stage: 'protected', fires: false, description: 'deletion protection on in a protected stage',
    variant: { Table: {}, GlobalTable: {} },
  },
  {
    rule: 'DeletionProtection', level: 'error', stage: 'unprotected', fires: false, description: 'deletion protection off in an unprotected stage',
    variant: { Table: { deletionProtection: false }, GlobalTable: { deletionProtection: false } },
  },
  {
    rule: 'Retain', level: 'error', stage: 'protected', fires: true, description: 'removal policy DESTROY in a protected stage',
    variant: { Table: { removalPolicy: RemovalPolicy.DESTROY }, GlobalTable: { removalPolicy: RemovalPolicy.DESTROY } },
  },
  {
    rule: 'Retain', level: 'error', stage: 'protected', fires: false, description: 'removal policy RETAIN in a protected stage',
    variant: { Table: {}, GlobalTable: {} },
  },
  {
    rule: 'Retain', level: 'error', stage: 'unprotected', fires: false, description: 'removal policy DESTROY in an unprotected stage',
    variant: { Table: { removalPolicy: RemovalPolicy.DESTROY }, GlobalTable: { removalPolicy: RemovalPolicy.DESTROY } },
  },
  {
    rule: 'Capacity', level: 'warning', stage: 'unprotected', fires: true, description: 'fixed provisioned capacity',
    variant: {
      Table: { billingMode: dynamodb.BillingMode.PROVISIONED, readCapacity: 5, writeCapacity: 5 },
      GlobalTable: { billing: dynamodb.Billing.provisioned({ readCapacity: dynamodb.Capacity.fixed(5), writeCapacity: autoscaled }) },
    },
  },
  {
    rule: 'Capacity', level: 'warning', stage: 'unprotected', fires: false, description: 'on-demand billing',
    variant: { Table: {}, GlobalTable: {} },
  },
  {
    rule: 'Capacity', level: 'warning', stage: 'unprotected', fires: false, description: 'provisioned capacity with autoscaling',
    // The classic table's autoscaling targets are added after construction, in `build`.
    variant: {
      Table: { billingMode: dynamodb.BillingMode.PROVISIONED, readCapacity: 5, writeCapacity: 5 },
      GlobalTable: { billing: dynamodb.Billing.provisioned({ readCapacity: autoscaled, writeCapacity: autoscaled }) },
    },
  },
  {
    rule: 'TTL', level: 'warning', stage: 'unprotected', fires: true, description: 'no TTL where the schema map declares one',
    variant: { Table: { tableName: `${TTL_TABLE}1` }, GlobalTable: { tableName: `${TTL_TABLE}2` } },
  },
  {
    rule: 'TTL', level: 'warning', stage: 'unprotected', fires: false, description: 'the declared TTL attribute',
    variant: {
      Table: { tableName: `${TTL_TABLE}3`, timeToLiveAttribute: 'expiresAt' },
      GlobalTable: { tableName: `${TTL_TABLE}4`, timeToLiveAttribute: 'expiresAt' },
    },
  },
];

interface KeyCase {
  readonly rule: string;
  readonly description: string;
  readonly fires: boolean;
  readonly props: kms.KeyProps;
}

const KEY_CASES: readonly KeyCase[] = [
  { rule: 'KeyRotation', fires: true, description: 'rotation off', props: { enableKeyRotation: false } },
  { rule: 'KeyRotation', fires: false, description: 'rotation on', props: { enableKeyRotation: true } },
  { rule: 'KeyRetain', fires: true, description: 'removal policy DESTROY', props: { enableKeyRotation: true, removalPolicy: RemovalPolicy.DESTROY } },
  { rule: 'KeyRetain', fires: false, description: 'removal policy RETAIN', props: { enableKeyRotation: true, removalPolicy: RemovalPolicy.RETAIN } },
];

const KINDS: readonly Kind[] = ['Table', 'GlobalTable'];
const stacks = {} as Record<TableCase['stage'], Stack>;
const messages = {} as Record<TableCase['stage'], readonly SynthesisMessage[]>;
const fixturePath = new Map<string, string>();

function caseId(kind: string, rule: string, index: number): string {
  return `${kind}${rule}${index}`;
}

function build(stack: Stack, kind: Kind, testCase: TableCase, id: string): CfnResource {
  if (kind === 'GlobalTable') return compliantGlobalTable(stack, id, testCase.variant.GlobalTable).node.defaultChild as CfnResource;
  const table = compliantTable(stack, id, testCase.variant.Table);
  if (testCase.rule === 'Capacity' && !testCase.fires && testCase.variant.Table.billingMode === dynamodb.BillingMode.PROVISIONED) {
    table.autoScaleReadCapacity({ minCapacity: 1, maxCapacity: 10 }).scaleOnUtilization({ targetUtilizationPercent: 70 });
    table.autoScaleWriteCapacity({ minCapacity: 1, maxCapacity: 10 }).scaleOnUtilization({ targetUtilizationPercent: 70 });
  }
  return table.node.defaultChild as CfnResource;
}

beforeAll(() => {
  const app = new App();
  const ttlAttributes = Object.fromEntries([1, 2, 3, 4].map((n) => [`${TTL_TABLE}${n}`, 'expiresAt']));
  for (const stage of ['protected', 'unprotected'] as const) {
    stacks[stage] = new Stack(app, `${stage}Fixtures`, { env: { region: 'us-east-1' } });
    Aspects.of(stacks[stage]).add(
      new DataProtectionChecks({ reports: false, protectData: stage === 'protected', ttlAttributes }),
    );
  }
  TABLE_CASES.forEach((testCase, index) => {
    for (const kind of KINDS) {
      const id = caseId(kind, testCase.rule, index);
      fixturePath.set(id, build(stacks[testCase.stage], kind, testCase, id).node.path);
    }
  });
  KEY_CASES.forEach((testCase, index) => {
    const id = caseId('Key', testCase.rule, index);
    fixturePath.set(id, new kms.Key(stacks.unprotected, id, testCase.props).node.defaultChild!.node.path);
  });
  const backupStacks = buildBackupFixtures(app);
  const assembly = app.synth();
  for (const stage of ['protected', 'unprotected'] as const) {
    // Read from the one synth; Annotations.fromStack would synthesize the app again.
    messages[stage] = assembly.getStackArtifact(stacks[stage].artifactId).messages;
  }
  for (const [name, stack] of Object.entries(backupStacks)) {
    backupMessages.set(name, assembly.getStackArtifact(stack.artifactId).messages);
  }
});

/** How a backup fixture's table is (or is not) put in a backup plan. */
type Selection = 'by reference' | 'by literal ARN' | 'through fromConstruct' | 'by a plan of another stack' | 'not at all';

interface BackupCase {
  readonly selection: Selection;
  readonly requireBackup: boolean;
  /** Whether DataProtection-BackupPlan fires, per kind. */
  readonly fires: Record<Kind, boolean>;
}

const BACKUP_CASES: readonly BackupCase[] = [
  { selection: 'by reference', requireBackup: true, fires: { Table: false, GlobalTable: false } },
  { selection: 'by literal ARN', requireBackup: true, fires: { Table: false, GlobalTable: false } },
  // fromConstruct selects nothing for a TableV2, and fills its list in an Aspect of its own: the rule asks for names.
  { selection: 'through fromConstruct', requireBackup: true, fires: { Table: true, GlobalTable: true } },
  { selection: 'by a plan of another stack', requireBackup: true, fires: { Table: true, GlobalTable: true } },
  { selection: 'not at all', requireBackup: true, fires: { Table: true, GlobalTable: true } },
  { selection: 'not at all', requireBackup: false, fires: { Table: false, GlobalTable: false } },
];

const backupMessages = new Map<string, readonly SynthesisMessage[]>();
const backupStackName = (requireBackup: boolean) => (requireBackup ? 'backupRequired' : 'backupNotRequired');

/** One stack per setting of `requireBackup`, holding a plan in the stack and every case's table selected its way. */
function buildBackupFixtures(app: App): Record<string, Stack> {
  const built: Record<string, Stack> = {};
  for (const requireBackup of [true, false]) {
    const stack = new Stack(app, `${backupStackName(requireBackup)}Fixtures`, { env: { region: 'us-east-1', account: '123456789012' } });
    Aspects.of(stack).add(new DataProtectionChecks({ reports: false, protectData: false, requireBackup }));
    built[backupStackName(requireBackup)] = stack;
    const plan = new backup.BackupPlan(stack, 'Plan', { backupPlanRules: [backup.BackupPlanRule.daily()] });
    const foreignPlan = backup.BackupPlan.fromBackupPlanId(stack, 'ForeignPlan', 'plan-of-another-stack');
    BACKUP_CASES.forEach((testCase, index) => {
      if (testCase.requireBackup !== requireBackup) return;
      for (const kind of KINDS) {
        const id = caseId(kind, 'BackupPlan', index);
        const table = kind === 'Table' ? compliantTable(stack, id, { tableName: id }) : compliantGlobalTable(stack, id, { tableName: id });
        fixturePath.set(id, (table.node.defaultChild as CfnResource).node.path);
        const select = (resource: backup.BackupResource, backupPlan: backup.IBackupPlan = plan) =>
          new backup.BackupSelection(stack, `Select${id}`, { backupPlan, resources: [resource] });
        if (testCase.selection === 'by reference') select(backup.BackupResource.fromDynamoDbTable(table));
        if (testCase.selection === 'by literal ARN') select(backup.BackupResource.fromArn(`arn:aws:dynamodb:us-east-1:123456789012:table/${id}`));
        if (testCase.selection === 'through fromConstruct') select(backup.BackupResource.fromConstruct(table));
        if (testCase.selection === 'by a plan of another stack') select(backup.BackupResource.fromDynamoDbTable(table), foreignPlan);
      }
    });
  }
  return built;
}

/** The messages rule `DataProtection-<rule>` (any rule when absent) left on one fixture, by level. */
function findings(stage: TableCase['stage'], id: string, rule?: string): Record<Level, string[]> {
  const path = `/${fixturePath.get(id)}`;
  const prefix = rule ? `DataProtection-${rule}:` : 'DataProtection-';
  const texts = (level: Level) =>
    messages[stage]
      .filter((message) => message.level === level && message.id === path)
      .map((message) => String(message.entry.data))
      .filter((text) => text.startsWith(prefix));
  return { error: texts('error'), warning: texts('warning') };
}

const verdict = (fires: boolean) => (fires ? 'fires' : 'stays silent');

describe.each(KINDS)('DataProtection rules on an AWS::DynamoDB::%s', (kind) => {
  test.each(TABLE_CASES.map((testCase, index) => ({ ...testCase, index, verdict: verdict(testCase.fires) })))(
    'DataProtection-$rule $verdict ($level) on $description',
    ({ rule, level, stage, fires, index }) => {
      const found = findings(stage, caseId(kind, rule, index), rule);
      const other: Level = level === 'error' ? 'warning' : 'error';
      expect(found[level]).toHaveLength(fires ? 1 : 0);
      expect(found[other]).toEqual([]);
    },
  );
});

describe('DataProtection rules on an AWS::KMS::Key', () => {
  test.each(KEY_CASES.map((testCase, index) => ({ ...testCase, index, verdict: verdict(testCase.fires) })))(
    'DataProtection-$rule $verdict (error) on a key with $description',
    ({ rule, fires, index }) => {
      const found = findings('unprotected', caseId('Key', rule, index), rule);
      expect(found.error).toHaveLength(fires ? 1 : 0);
      expect(found.warning).toEqual([]);
    },
  );
});

describe.each(KINDS)('DataProtection-BackupPlan on an AWS::DynamoDB::%s', (kind) => {
  test.each(
    BACKUP_CASES.map((testCase, index) => ({
      ...testCase,
      index,
      verdict: verdict(testCase.fires[kind]),
      stage: testCase.requireBackup ? 'a stage that requires backups' : 'a stage that does not',
    })),
  )('$verdict (error) on a table selected $selection, in $stage', ({ requireBackup, fires, index }) => {
    const path = `/${fixturePath.get(caseId(kind, 'BackupPlan', index))}`;
    const texts = (level: Level) =>
      backupMessages
        .get(backupStackName(requireBackup))!
        .filter((message) => message.level === level && message.id === path)
        .map((message) => String(message.entry.data))
        .filter((text) => text.startsWith('DataProtection-'));
    expect(texts('error')).toEqual(fires[kind] ? [expect.stringMatching(/^DataProtection-BackupPlan:/)] : []);
    expect(texts('warning')).toEqual([]);
  });
});

test('the unchanged compliant tables draw no DataProtection finding of any rule', () => {
  const baseline = TABLE_CASES.flatMap((testCase, index) =>
    Object.keys(testCase.variant.Table).length === 0 && Object.keys(testCase.variant.GlobalTable).length === 0
      ? KINDS.map((kind) => ({ stage: testCase.stage, id: caseId(kind, testCase.rule, index) }))
      : [],
  );
  expect(baseline.length).toBeGreaterThanOrEqual(8);
  for (const { stage, id } of baseline) expect(findings(stage, id)).toEqual({ error: [], warning: [] });
});

test('every rule has an id, a level, an explanation and a firing fixture', () => {
  const firing = new Set([...TABLE_CASES, ...KEY_CASES].filter((testCase) => testCase.fires).map((testCase) => testCase.rule));
  if (BACKUP_CASES.some((testCase) => testCase.fires.Table && testCase.fires.GlobalTable)) firing.add('BackupPlan');
  for (const rule of DATA_PROTECTION_RULES) {
    expect(rule).toMatchObject({ id: expect.stringMatching(/^\w+$/), level: expect.any(String), explanation: expect.any(String) });
    expect(firing).toContain(rule.id);
  }
});
