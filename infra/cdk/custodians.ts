import { CliCredentialsStackSynthesizer, Fn, type Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { deployRoleName } from '../data/stages';

/**
 * The principals, as `aws:PrincipalArn` patterns, that key and vault policies still let manage
 * what they protect: the stage's break-glass role, and the deploy role of the promotion pipeline
 * (policy updates only).
 */
export interface Custodians {
  /** The break-glass role (may hold `*`, see `AccessPolicy.breakGlassRole`). */
  readonly breakGlass: string;
  /** The stage's deploy role (`inavor-shuttle-<stage>-deploy`), under which CloudFormation deploys the stack. */
  readonly deployer: string;
}

/**
 * The custodians of a stack's keys and vault, from the stage's break-glass role (path and name).
 * The stack must deploy with the credentials of whoever deploys it, no CloudFormation execution
 * role between: only then is the deploy role the caller of every change CloudFormation makes.
 */
export function stackCustodians(stack: Stack, stageName: string, breakGlassRole: string): Custodians {
  if (!(stack.synthesizer instanceof CliCredentialsStackSynthesizer)) {
    throw new Error(`${stack.stackName}: the key policies let the deploy role, not a CloudFormation execution role, replace them; synthesize the stack with CliCredentialsStackSynthesizer`);
  }
  const role = (pathAndName: string) => Fn.sub(`arn:\${AWS::Partition}:iam::\${AWS::AccountId}:role/${pathAndName}`);
  return { breakGlass: role(breakGlassRole), deployer: role(deployRoleName(stageName)) };
}

/**
 * A resource-policy Deny of `actions` to every principal for which `conditions` hold: what outranks
 * an administrator's IAM Allow in the same account, where an Allow of the resource would not.
 */
export function denyStatement(sid: string, actions: readonly string[], conditions: Record<string, unknown>): iam.PolicyStatement {
  return new iam.PolicyStatement({ sid, effect: iam.Effect.DENY, principals: [new iam.AnyPrincipal()], actions: [...actions], resources: ['*'], conditions });
}
