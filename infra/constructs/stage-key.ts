import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';

/** Props of {@link StageKey}. */
export interface StageKeyProps {
  /** Alias, e.g. `alias/inavor-shuttle/prod/data`. */
  readonly alias: string;
  /** What the key encrypts, shown in the KMS console. */
  readonly description: string;
  /**
   * The one AWS service (e.g. `dynamodb`) through which principals of this account may use the
   * key for data: direct Encrypt, Decrypt, ReEncrypt and GenerateDataKey calls, and calls through
   * any other service, are denied. AWS services acting on their own (backups, table-key upkeep)
   * are not affected. Leave it out for a key the application calls directly.
   */
  readonly onlyThroughService?: string;
}

/** Key actions that encrypt or decrypt data, as opposed to managing or describing the key. */
const DATA_KEY_ACTIONS = ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey*', 'kms:ReEncrypt*'];

/**
 * A customer-managed key of a stage: rotation on and retained in every stage, since losing a
 * key loses every table, backup and message encrypted with it. Every key of the data layer is
 * one of these, so each gets the same policy: CDK's default (the account may grant the key
 * through IAM) plus the Deny that AWS Control Tower's CT.KMS.PR.3 asks for, so that only AWS
 * services create grants on it (see docs/decisions.md).
 */
export class StageKey extends kms.Key {
  /** The key's alias. */
  public readonly aliasName: string;

  constructor(scope: Construct, id: string, props: StageKeyProps) {
    super(scope, id, {
      alias: props.alias,
      description: props.description,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.aliasName = props.alias;
    // CT.KMS.PR.3 accepts exactly this form: Deny, any principal, resource *, BoolIfExists on
    // both keys as the string "false". DynamoDB's grants (GrantIsForAWSResource true) and
    // service principals pass; a person or role calling CreateGrant directly does not.
    this.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'DenyGrantsExceptForAwsServices',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['kms:CreateGrant'],
        resources: ['*'],
        conditions: {
          BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' },
        },
      }),
    );
    if (props.onlyThroughService) {
      const stack = Stack.of(this);
      // Both string conditions must hold for the Deny to apply: a call from this account that
      // does not come through the service. Service principals and other accounts' calls (which
      // the key policy does not trust anyway) are left to the Allow statements.
      this.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'DenyDataUseExceptThroughService',
          effect: iam.Effect.DENY,
          principals: [new iam.AnyPrincipal()],
          actions: DATA_KEY_ACTIONS,
          resources: ['*'],
          conditions: {
            StringNotEquals: { 'kms:ViaService': `${props.onlyThroughService}.${stack.region}.amazonaws.com` },
            StringEquals: { 'kms:CallerAccount': stack.account },
            BoolIfExists: { 'aws:PrincipalIsAWSService': 'false' },
          },
        }),
      );
    }
  }
}
