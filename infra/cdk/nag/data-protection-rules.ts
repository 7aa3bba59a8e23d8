import { CfnResource, Stack } from 'aws-cdk-lib';
import { NagMessageLevel, NagRuleCompliance, rules } from 'cdk-nag';
import { DYNAMODB_TABLE, DYNAMODB_TABLE_TYPES } from '../../policy/cfn-template';

const KMS_KEY = 'AWS::KMS::Key';
const BACKUP_PLAN = 'AWS::Backup::BackupPlan';
const BACKUP_SELECTION = 'AWS::Backup::BackupSelection';

/** A resource as it goes into the template: CloudFormation casing, escape-hatch overrides applied. */
export interface RenderedResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly DeletionPolicy?: string;
  readonly UpdateReplacePolicy?: string;
}

/** What a rule knows besides the resource. */
export interface RuleContext {
  /** The L1 resource under check. */
  readonly node: CfnResource;
  /** True when the stage protects its data. */
  readonly protectData: boolean;
  /** TTL attribute each table must expire items by, keyed by physical table name. */
  readonly ttlAttributes: Readonly<Record<string, string>>;
  /** True when the stage's tables must be selected by an AWS Backup plan in the same stack. */
  readonly requireBackup: boolean;
}

/** One rule of the data-protection pack. */
export interface DataProtectionRule {
  /** Rule id suffix; the full id is `DataProtection-<id>`. */
  readonly id: string;
  /** Error for what can lose or expose data; warning for cost and retention. */
  readonly level: NagMessageLevel;
  /** CloudFormation types the rule checks. */
  readonly resourceTypes: readonly string[];
  /** What is wrong when the rule fires. */
  readonly info: string;
  /** Why the rule exists. */
  readonly explanation: string;
  /** Decides compliance of one resource. */
  readonly check: (resource: RenderedResource, context: RuleContext) => NagRuleCompliance;
}

/**
 * Renders the resource the way the template will hold it. The typed L1 properties would miss
 * `addPropertyOverride` escape hatches, which are exactly how a protection gets switched off.
 */
export function renderResource(node: CfnResource): RenderedResource {
  const rendered = Stack.of(node).resolve(node._toCloudFormation()) as { Resources: Record<string, RenderedResource> };
  return Object.values(rendered.Resources)[0]!;
}

type Json = Record<string, unknown>;

function record(value: unknown): Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : {};
}

function records(value: unknown): Json[] {
  return Array.isArray(value) ? value.map(record) : [];
}

function compliantIf(condition: boolean): NagRuleCompliance {
  return condition ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
}

/**
 * A check that reads a classic table's own properties, or every replica of a global table
 * (where PITR, the KMS key and deletion protection live per replica).
 */
function perTableOrReplica(check: (settings: Json) => boolean) {
  return (resource: RenderedResource): NagRuleCompliance => {
    const properties = record(resource.Properties);
    if (resource.Type === DYNAMODB_TABLE) return compliantIf(check(properties));
    const replicas = records(properties.Replicas);
    return compliantIf(replicas.length > 0 && replicas.every(check));
  };
}

/**
 * A key id that is neither absent (AWS-owned key) nor an AWS-managed `alias/aws/...` key, also
 * when the alias sits inside an ARN built with intrinsics.
 */
function isCustomerManagedKey(keyId: unknown): boolean {
  return keyId !== undefined && !JSON.stringify(keyId).includes('alias/aws/');
}

function isRetained(resource: RenderedResource): boolean {
  return resource.DeletionPolicy === 'Retain' && resource.UpdateReplacePolicy === 'Retain';
}

function onlyWhereDataIsProtected(
  check: (resource: RenderedResource, context: RuleContext) => NagRuleCompliance,
): DataProtectionRule['check'] {
  return (resource, context) => (context.protectData ? check(resource, context) : NagRuleCompliance.NOT_APPLICABLE);
}

function hasCustomerManagedEncryption(resource: RenderedResource): NagRuleCompliance {
  const sse = record(resource.Properties?.SSESpecification);
  const kmsEnabled = sse.SSEEnabled === true && (sse.SSEType ?? 'KMS') === 'KMS';
  if (resource.Type === DYNAMODB_TABLE) return compliantIf(kmsEnabled && isCustomerManagedKey(sse.KMSMasterKeyId));
  const replicas = records(resource.Properties?.Replicas);
  return compliantIf(
    kmsEnabled &&
      replicas.length > 0 &&
      replicas.every((replica) => isCustomerManagedKey(record(replica.SSESpecification).KMSMasterKeyId)),
  );
}

function hasElasticCapacity(resource: RenderedResource, context: RuleContext): NagRuleCompliance {
  const properties = record(resource.Properties);
  if (properties.BillingMode === 'PAY_PER_REQUEST') return NagRuleCompliance.COMPLIANT;
  // A classic table scales through separate scalable targets, which cdk-nag's own rule matches.
  if (resource.Type === DYNAMODB_TABLE) return rules.dynamodb.DynamoDBAutoScalingEnabled(context.node);
  // A provisioned global table scales writes at table and index level, and reads per replica.
  const writesScale = [properties, ...records(properties.GlobalSecondaryIndexes)].every(
    (target) => record(target.WriteProvisionedThroughputSettings).WriteCapacityAutoScalingSettings !== undefined,
  );
  const indexNames = records(properties.GlobalSecondaryIndexes).map((index) => index.IndexName);
  const readsScale = records(properties.Replicas).every((replica) => {
    const replicaIndexes = records(replica.GlobalSecondaryIndexes);
    const targets = [replica, ...indexNames.map((name) => replicaIndexes.find((index) => index.IndexName === name) ?? {})];
    return targets.every(
      (target) => record(target.ReadProvisionedThroughputSettings).ReadCapacityAutoScalingSettings !== undefined,
    );
  });
  return compliantIf(writesScale && readsScale);
}

function hasDeclaredTtl(resource: RenderedResource, context: RuleContext): NagRuleCompliance {
  const properties = record(resource.Properties);
  const expected = typeof properties.TableName === 'string' ? context.ttlAttributes[properties.TableName] : undefined;
  if (expected === undefined) return NagRuleCompliance.NOT_APPLICABLE;
  const ttl = record(properties.TimeToLiveSpecification);
  return compliantIf(ttl.Enabled === true && ttl.AttributeName === expected);
}

/**
 * Whether a backup selection of a plan in the table's own stack names the table, by a reference
 * to it or by an ARN ending in its name. A tag-based selection does not count (it selects
 * whatever carries the tag at backup time, which no template can prove), nor does
 * `BackupResource.fromConstruct`, which fills its list in an Aspect of its own and skips TableV2.
 */
function isSelectedByBackupPlan(resource: RenderedResource, context: RuleContext): NagRuleCompliance {
  if (!context.requireBackup) return NagRuleCompliance.NOT_APPLICABLE;
  const stack = Stack.of(context.node);
  const logicalId = stack.resolve(context.node.logicalId) as string;
  const tableName = record(resource.Properties).TableName;
  const names = (entry: unknown): boolean => {
    const ref = record(entry)['Fn::GetAtt'];
    if (Array.isArray(ref)) return ref[0] === logicalId && ref[1] === 'Arn';
    return typeof tableName === 'string' && JSON.stringify(entry).includes(`:table/${tableName}"`);
  };
  const resources = stack.node.findAll().filter((construct): construct is CfnResource => construct instanceof CfnResource);
  const plans = new Set(
    resources.filter((candidate) => candidate.cfnResourceType === BACKUP_PLAN).map((plan) => stack.resolve(plan.logicalId)),
  );
  return compliantIf(
    resources
      .filter((candidate) => candidate.cfnResourceType === BACKUP_SELECTION)
      .some((selection) => {
        const properties = record(renderResource(selection).Properties);
        const plan = record(properties.BackupPlanId)['Fn::GetAtt'];
        const selected = record(properties.BackupSelection).Resources;
        return Array.isArray(plan) && plans.has(plan[0]) && Array.isArray(selected) && selected.some(names);
      }),
  );
}

/** The rules of the DataProtection pack, in the order they are reported. */
export const DATA_PROTECTION_RULES: readonly DataProtectionRule[] = [
  {
    id: 'PITR',
    level: NagMessageLevel.ERROR,
    resourceTypes: DYNAMODB_TABLE_TYPES,
    info: 'The DynamoDB table does not have point-in-time recovery enabled (on every replica, for a global table).',
    explanation:
      'Without PITR a bad write, a faulty migration or a deleted table cannot be rolled back: the data is gone. ' +
      'A global table keeps this setting per replica, where the AwsSolutions pack does not look.',
    check: perTableOrReplica((settings) => record(settings.PointInTimeRecoverySpecification).PointInTimeRecoveryEnabled === true),
  },
  {
    id: 'CMK',
    level: NagMessageLevel.ERROR,
    resourceTypes: DYNAMODB_TABLE_TYPES,
    info: 'The DynamoDB table is not encrypted with a customer-managed KMS key (on every replica, for a global table).',
    explanation:
      'With an AWS-owned or AWS-managed key, access to the data cannot be revoked or audited apart from access to ' +
      'the table. The tables hold merchants\' access tokens, so their key must be one this account controls.',
    check: hasCustomerManagedEncryption,
  },
  {
    id: 'DeletionProtection',
    level: NagMessageLevel.ERROR,
    resourceTypes: DYNAMODB_TABLE_TYPES,
    info: 'The DynamoDB table has no deletion protection (on every replica, for a global table) in a stage that protects its data.',
    explanation:
      'Deletion protection stops a console click, an API call or a stack change from deleting the table and every item in it.',
    check: onlyWhereDataIsProtected(perTableOrReplica((settings) => settings.DeletionProtectionEnabled === true)),
  },
  {
    id: 'Retain',
    level: NagMessageLevel.ERROR,
    resourceTypes: DYNAMODB_TABLE_TYPES,
    info: 'The DynamoDB table is not retained on stack deletion and replacement (DeletionPolicy and UpdateReplacePolicy Retain) in a stage that protects its data.',
    explanation:
      'With any other policy, deleting the stack or a change that replaces the table deletes the table and its data.',
    check: onlyWhereDataIsProtected((resource) => compliantIf(isRetained(resource))),
  },
  {
    id: 'Capacity',
    level: NagMessageLevel.WARN,
    resourceTypes: DYNAMODB_TABLE_TYPES,
    info: 'The DynamoDB table uses provisioned capacity without autoscaling on every table, index and replica.',
    explanation:
      'Fixed capacity throttles writes at a traffic peak (jobs and imports then fail) and is paid for when idle; ' +
      'on-demand billing or autoscaling follows the load.',
    check: hasElasticCapacity,
  },
  {
    id: 'TTL',
    level: NagMessageLevel.WARN,
    resourceTypes: DYNAMODB_TABLE_TYPES,
    info: 'The DynamoDB table does not expire items by the TTL attribute the schema map declares for it.',
    explanation:
      'Items past their retention must be deleted: keeping them costs storage and keeps personal data longer than promised.',
    check: hasDeclaredTtl,
  },
  {
    id: 'BackupPlan',
    level: NagMessageLevel.ERROR,
    resourceTypes: DYNAMODB_TABLE_TYPES,
    info: 'The DynamoDB table is not named by a backup selection of an AWS Backup plan in its stack, in a stage that requires backups.',
    explanation:
      'PITR lives in the table\'s account and region, is capped at 35 days and goes with the table; a backup plan keeps ' +
      'recovery points in a vault apart from it (Security Hub DynamoDB.4). BackupResource.fromConstruct selects nothing ' +
      'for a TableV2, so the selection must name each table.',
    check: isSelectedByBackupPlan,
  },
  {
    id: 'KeyRotation',
    level: NagMessageLevel.ERROR,
    resourceTypes: [KMS_KEY],
    info: 'The symmetric KMS key does not have automatic rotation enabled.',
    explanation: 'Rotation limits how much data one key version encrypts and is required for keys protecting stored data.',
    check: (resource) => {
      const properties = record(resource.Properties);
      if ((properties.KeySpec ?? 'SYMMETRIC_DEFAULT') !== 'SYMMETRIC_DEFAULT') return NagRuleCompliance.NOT_APPLICABLE;
      return compliantIf(properties.EnableKeyRotation === true);
    },
  },
  {
    id: 'KeyRetain',
    level: NagMessageLevel.ERROR,
    resourceTypes: [KMS_KEY],
    info: 'The KMS key is not retained on stack deletion and replacement (DeletionPolicy and UpdateReplacePolicy Retain).',
    explanation:
      'Deleting the key makes every table, backup and export encrypted with it unreadable, in every stage.',
    check: (resource) => compliantIf(isRetained(resource)),
  },
];
