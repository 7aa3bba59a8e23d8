import { CfnResource } from 'aws-cdk-lib';
import { NagPack, type NagPackProps } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { DATA_PROTECTION_RULES, renderResource } from './data-protection-rules';
import { DATA_PROTECTION_PACK } from './pack-names';

/** Props of {@link DataProtectionChecks}. */
export interface DataProtectionChecksProps extends NagPackProps {
  /** True when the stage protects its data: tables then need deletion protection and a Retain policy. */
  readonly protectData: boolean;
  /** TTL attribute each table must expire items by, keyed by physical table name; tables not listed are not checked for TTL. */
  readonly ttlAttributes?: Readonly<Record<string, string>>;
  /** True when the stage's tables must be selected by an AWS Backup plan in the same stack. */
  readonly requireBackup?: boolean;
}

/**
 * The project's DynamoDB data-protection pack. It checks `AWS::DynamoDB::Table` and
 * `AWS::DynamoDB::GlobalTable` alike (AwsSolutions has no rule for the latter, which `TableV2`
 * synthesizes) plus the KMS keys that encrypt them. Rule ids are `DataProtection-<id>`.
 */
export class DataProtectionChecks extends NagPack {
  private readonly protectData: boolean;
  private readonly ttlAttributes: Readonly<Record<string, string>>;
  private readonly requireBackup: boolean;

  constructor(props: DataProtectionChecksProps) {
    super(props);
    this.packName = DATA_PROTECTION_PACK;
    this.protectData = props.protectData;
    this.ttlAttributes = props.ttlAttributes ?? {};
    this.requireBackup = props.requireBackup ?? false;
  }

  public visit(node: IConstruct): void {
    if (!(node instanceof CfnResource)) return;
    for (const rule of DATA_PROTECTION_RULES) {
      if (!rule.resourceTypes.includes(node.cfnResourceType)) continue;
      this.applyRule({
        ruleSuffixOverride: rule.id,
        info: rule.info,
        explanation: rule.explanation,
        level: rule.level,
        node,
        rule: (resource: CfnResource) =>
          rule.check(renderResource(resource), {
            node: resource,
            protectData: this.protectData,
            ttlAttributes: this.ttlAttributes,
            requireBackup: this.requireBackup,
          }),
      });
    }
  }
}
