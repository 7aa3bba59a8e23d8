import type { CfnTemplate } from '../../infra/policy/cfn-template';
import type { PolicyDocument } from './iam-policy';

/** Attributes AWS generates when it creates a resource, by resource type. */
const GENERATED_IDS: Record<string, readonly string[]> = { 'AWS::Backup::BackupPlan': ['BackupPlanId'] };

/** The account, partition and region a template is read as deployed to. */
export interface DeployedAs {
  readonly account: string;
  readonly region: string;
  readonly partition: string;
}

/**
 * A synthesized template read as deployed: its intrinsics resolved to the values CloudFormation
 * would give them, so its policies can be evaluated. A role's ARN is built from its RoleName (or,
 * without one, from its logical id); other resources' ARNs from their logical id.
 */
export class DeployedTemplate {
  private readonly template: CfnTemplate;
  public readonly env: DeployedAs;

  constructor(template: CfnTemplate, env: DeployedAs) {
    this.template = template;
    this.env = env;
  }

  /** ARN of a role named `name` in this account. */
  public roleArn(name: string): string {
    return `arn:${this.env.partition}:iam::${this.env.account}:role/${name}`;
  }

  /** The logical id of the key an alias points at. */
  public keyIdOfAlias(alias: string): string {
    const found = this.resourcesOfType('AWS::KMS::Alias').find(([, resource]) => resource.Properties?.AliasName === alias);
    if (!found) throw new Error(`no alias ${alias} in the template`);
    const [keyId] = (found[1].Properties!.TargetKeyId as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'];
    return keyId;
  }

  /** Every key of the template: its logical id, ARN and resolved policy. */
  public keys(): { id: string; arn: string; policy: PolicyDocument }[] {
    return this.resourcesOfType('AWS::KMS::Key').map(([id, resource]) => ({
      id,
      arn: this.arnOf(id),
      policy: this.resolve(resource.Properties!.KeyPolicy) as PolicyDocument,
    }));
  }

  /** The key an alias points at. */
  public keyWithAlias(alias: string): { id: string; arn: string; policy: PolicyDocument } {
    const id = this.keyIdOfAlias(alias);
    return this.keys().find((key) => key.id === id)!;
  }

  /** The one backup vault: its ARN and resolved access policy. */
  public vault(): { arn: string; policy: PolicyDocument | undefined } {
    const vaults = this.resourcesOfType('AWS::Backup::BackupVault');
    if (vaults.length !== 1) throw new Error(`expected one backup vault, found ${vaults.length}`);
    const [id, resource] = vaults[0]!;
    return { arn: this.arnOf(id), policy: this.resolve(resource.Properties!.AccessPolicy) as PolicyDocument | undefined };
  }

  /** The resolved trust policy of the role with this RoleName. */
  public trustPolicyOfRole(roleName: string): PolicyDocument {
    const role = this.resourcesOfType('AWS::IAM::Role').find(([, resource]) => resource.Properties?.RoleName === roleName);
    if (!role) throw new Error(`no role named ${roleName} in the template`);
    return this.resolve(role[1].Properties!.AssumeRolePolicyDocument) as PolicyDocument;
  }

  /** The resolved IAM policies attached to the role with this RoleName (inline policies and AWS::IAM::Policy resources). */
  public policiesOfRole(roleName: string): PolicyDocument[] {
    const role = this.resourcesOfType('AWS::IAM::Role').find(([, resource]) => resource.Properties?.RoleName === roleName);
    if (!role) throw new Error(`no role named ${roleName} in the template`);
    const [roleId, resource] = role;
    const inline = ((resource.Properties!.Policies as { PolicyDocument: unknown }[] | undefined) ?? []).map((policy) => policy.PolicyDocument);
    const attached = this.resourcesOfType('AWS::IAM::Policy')
      .filter(([, policy]) => JSON.stringify(policy.Properties?.Roles) === JSON.stringify([{ Ref: roleId }]))
      .map(([, policy]) => policy.Properties!.PolicyDocument);
    return [...inline, ...attached].map((document) => this.resolve(document) as PolicyDocument);
  }

  /** The properties of every resource of a type, resolved. */
  public resolvedOfType(type: string): { id: string; properties: Record<string, any> }[] {
    return this.resourcesOfType(type).map(([id, resource]) => ({ id, properties: this.resolve(resource.Properties ?? {}) as Record<string, any> }));
  }

  /** A value of the template with `Ref`, `Fn::GetAtt`, `Fn::Join` and `Fn::Sub` resolved. */
  public resolve(value: unknown): unknown {
    if (Array.isArray(value)) return value.map((item) => this.resolve(item));
    if (typeof value !== 'object' || value === null) return value;
    const entries = Object.entries(value);
    if (entries.length === 1 && (entries[0]![0].startsWith('Fn::') || entries[0]![0] === 'Ref')) {
      const [name, argument] = entries[0]!;
      switch (name) {
        case 'Ref':
          return this.ref(argument as string);
        case 'Fn::GetAtt': {
          const [id, attribute] = argument as [string, string];
          if (attribute === 'Arn' || attribute === 'BackupVaultArn') return this.arnOf(id);
          // An id AWS generates (e.g. a backup plan's), stood in for by one made from the logical id.
          if (GENERATED_IDS[this.template.Resources?.[id]?.Type ?? '']?.includes(attribute)) return `${id}-${attribute}`;
          // A name attribute a resource was given literally (e.g. BackupVaultName).
          const value = this.template.Resources?.[id]?.Properties?.[attribute];
          if (typeof value !== 'string') throw new Error(`Fn::GetAtt ${id}.${attribute} is not supported`);
          return value;
        }
        case 'Fn::Join': {
          const [separator, parts] = argument as [string, unknown[]];
          return parts.map((part) => this.resolve(part)).join(separator);
        }
        case 'Fn::Sub':
          return (argument as string).replace(/\$\{([^}]+)\}/g, (_, name: string) =>
            name.endsWith('.Arn') ? this.arnOf(name.slice(0, -4)) : this.ref(name),
          );
        default:
          throw new Error(`${name} is not supported`);
      }
    }
    return Object.fromEntries(entries.map(([key, item]) => [key, this.resolve(item)]));
  }

  private ref(name: string): string {
    const pseudo: Record<string, string> = {
      'AWS::AccountId': this.env.account,
      'AWS::Region': this.env.region,
      'AWS::Partition': this.env.partition,
      'AWS::URLSuffix': 'amazonaws.com',
    };
    if (pseudo[name] !== undefined) return pseudo[name];
    const resource = this.template.Resources?.[name];
    if (!resource) throw new Error(`Ref ${name}: no such resource or pseudo parameter`);
    // A topic's Ref is its ARN; a role's, a table's and a vault's, its name.
    if (resource.Type === 'AWS::SNS::Topic') return this.arnOf(name);
    const props = resource.Properties ?? {};
    return ((props.RoleName ?? props.TableName ?? props.BackupVaultName) as string | undefined) ?? name;
  }

  private arnOf(id: string): string {
    const resource = this.template.Resources?.[id];
    if (!resource) throw new Error(`Fn::GetAtt ${id}: no such resource`);
    const { partition, region, account } = this.env;
    switch (resource.Type) {
      case 'AWS::IAM::Role':
        return this.roleArn((resource.Properties?.RoleName as string | undefined) ?? id);
      case 'AWS::KMS::Key':
        return `arn:${partition}:kms:${region}:${account}:key/${id}`;
      case 'AWS::Backup::BackupVault':
      case 'AWS::Backup::LogicallyAirGappedBackupVault':
        return `arn:${partition}:backup:${region}:${account}:backup-vault:${resource.Properties?.BackupVaultName as string}`;
      case 'AWS::SNS::Topic':
        return `arn:${partition}:sns:${region}:${account}:${resource.Properties?.TopicName as string}`;
      case 'AWS::DynamoDB::GlobalTable':
        return `arn:${partition}:dynamodb:${region}:${account}:table/${resource.Properties?.TableName as string}`;
      default:
        return `arn:${partition}:${resource.Type.split('::')[1]!.toLowerCase()}:${region}:${account}:${id}`;
    }
  }

  private resourcesOfType(type: string) {
    return Object.entries(this.template.Resources ?? {}).filter(([, resource]) => resource.Type === type);
  }
}
