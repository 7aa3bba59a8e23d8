import { Lazy, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import { denyStatement, type Custodians } from '../custodians';
import { KEY_ALIAS_ACTIONS, KEY_DATA_ACTIONS, KEY_DESTRUCTIVE_ACTIONS, KEY_GRANT_REVOCATION_ACTIONS, KEY_POLICY_ACTIONS } from '../../policy/break-glass';

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
  /**
   * Who may still disable the key, schedule its deletion or revoke a grant (the break-glass role
   * only), or replace its policy or change its alias (the break-glass role and the stage's deploy role).
   */
  readonly custodians: Custodians;
  /**
   * For a key the application calls directly: the principals (`aws:PrincipalArn` patterns) that
   * alone may use it for data; every other principal, administrators included, is denied. Read
   * when the template is synthesized, so principals added after construction count.
   */
  readonly dataUsers?: () => readonly string[];
  /**
   * Encryption context every data use must carry, by key: the values allowed, or an empty list
   * for any value as long as the key is present.
   */
  readonly requiredContext?: Readonly<Record<string, readonly string[]>>;
}

/**
 * A customer-managed key of a stage: rotation on and retained in every stage, since losing a
 * key loses every table, backup and message encrypted with it. Every key of the data layer is
 * one of these, so each gets the same policy: CDK's default (the account may grant the key
 * through IAM) plus the Deny that AWS Control Tower's CT.KMS.PR.3 asks for, so that only AWS
 * services create grants on it, and Denies that keep everyone but the custodians from disabling
 * or deleting the key, revoking its grants, moving or deleting its alias, or replacing its policy
 * (see the decision records 0020, 0067 and 0084 in docs/decisions/).
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
    this.deny('DenyGrantsExceptForAwsServices', ['kms:CreateGrant'], {
      BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' },
    });
    // An IAM policy with kms:* on * (an administrator, a PowerUser) would otherwise allow these:
    // the root statement above hands the decision to IAM, and only a Deny here outranks it.
    this.deny('DenyDisableOrDeletionExceptBreakGlass', KEY_DESTRUCTIVE_ACTIONS, {
      ArnNotLike: { 'aws:PrincipalArn': [props.custodians.breakGlass] },
    });
    // The deploy role stays allowed: CloudFormation updates the policy with its credentials, and
    // KMS refuses a policy that would lock its own caller out of PutKeyPolicy.
    this.deny('DenyPolicyChangeExceptDeployAndBreakGlass', KEY_POLICY_ACTIONS, {
      ArnNotLike: { 'aws:PrincipalArn': [props.custodians.breakGlass, props.custodians.deployer] },
    });
    // Retargeting or deleting the alias would let tools that find the key by alias land on another key.
    this.deny('DenyAliasChangeExceptDeployAndBreakGlass', KEY_ALIAS_ACTIONS, {
      ArnNotLike: { 'aws:PrincipalArn': [props.custodians.breakGlass, props.custodians.deployer] },
    });
    this.deny('DenyGrantRevocationExceptBreakGlass', KEY_GRANT_REVOCATION_ACTIONS, {
      ArnNotLike: { 'aws:PrincipalArn': [props.custodians.breakGlass] },
    });
    const { dataUsers, requiredContext = {} } = props;
    if (dataUsers) {
      this.deny('DenyDataUseExceptNamedPrincipals', KEY_DATA_ACTIONS, {
        ArnNotLike: { 'aws:PrincipalArn': Lazy.list({ produce: () => [...dataUsers()] }) },
      });
    }
    // One statement per context key: keys within one condition would all have to be missing or wrong.
    for (const [key, values] of Object.entries(requiredContext)) {
      const contextKey = `kms:EncryptionContext:${key}`;
      // StringNotEquals is true for a missing key too, so it refuses an absent context key as well as a wrong value.
      this.deny(
        `DenyDataUseWithout${key[0]!.toUpperCase()}${key.slice(1)}Context`,
        KEY_DATA_ACTIONS,
        values.length === 0 ? { Null: { [contextKey]: 'true' } } : { StringNotEquals: { [contextKey]: [...values] } },
      );
    }
    if (props.onlyThroughService) {
      const stack = Stack.of(this);
      // Both string conditions must hold for the Deny to apply: a call from this account that
      // does not come through the service. Service principals and other accounts' calls (which
      // the key policy does not trust anyway) are left to the Allow statements.
      this.deny('DenyDataUseExceptThroughService', KEY_DATA_ACTIONS, {
        StringNotEquals: { 'kms:ViaService': `${props.onlyThroughService}.${stack.region}.amazonaws.com` },
        StringEquals: { 'kms:CallerAccount': stack.account },
        BoolIfExists: { 'aws:PrincipalIsAWSService': 'false' },
      });
    }
  }

  /** A Deny of `actions` on this key to every principal for which `conditions` hold. */
  private deny(sid: string, actions: readonly string[], conditions: Record<string, unknown>): void {
    this.addToResourcePolicy(denyStatement(sid, actions, conditions));
  }
}
