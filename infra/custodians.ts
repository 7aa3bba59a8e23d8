import { DefaultStackSynthesizer, Fn, type Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';

/**
 * The principals, as `aws:PrincipalArn` patterns, that key and vault policies still let manage
 * what they protect: the stage's break-glass role, and the role CloudFormation deploys the stack
 * under (policy updates only).
 */
export interface Custodians {
  /** The break-glass role (may hold `*`, see `AccessPolicy.breakGlassRole`). */
  readonly breakGlass: string;
  /** CloudFormation's execution role from the CDK bootstrap (`cdk-<qualifier>-cfn-exec-role-<account>-<region>`). */
  readonly deployer: string;
}

/** The custodians of a stack's keys and vault, from the stage's break-glass role (path and name). */
export function stackCustodians(stack: Stack, breakGlassRole: string): Custodians {
  const synthesizer = stack.synthesizer;
  if (!(synthesizer instanceof DefaultStackSynthesizer)) {
    throw new Error(`${stack.stackName}: the key policies name the CDK bootstrap's CloudFormation execution role, which only DefaultStackSynthesizer defines`);
  }
  return {
    breakGlass: Fn.sub(`arn:\${AWS::Partition}:iam::\${AWS::AccountId}:role/${breakGlassRole}`),
    // The synthesizer leaves the account and partition as ${AWS::...} placeholders, for Fn::Sub.
    deployer: Fn.sub(synthesizer.cloudFormationExecutionRoleArn),
  };
}

/**
 * A resource-policy Deny of `actions` to every principal for which `conditions` hold: what outranks
 * an administrator's IAM Allow in the same account, where an Allow of the resource would not.
 */
export function denyStatement(sid: string, actions: readonly string[], conditions: Record<string, unknown>): iam.PolicyStatement {
  return new iam.PolicyStatement({ sid, effect: iam.Effect.DENY, principals: [new iam.AnyPrincipal()], actions: [...actions], resources: ['*'], conditions });
}
