import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { ConfigError } from '../../infra/data/config-error';
import { dataStackName, stageKeyAlias } from '../../infra/data/stages';
import { NETWORK_LIMITS, clientConfig, guardEndpoint, isServiceMissing, type ClientTarget } from './clients';

/** The stack output that names the stage's data key, which the stack created. */
export const DATA_KEY_OUTPUT = 'DataKeyArn';

/**
 * What is known of the stage key beyond its alias: the ARN of the key the stage's stack created
 * (its `DataKeyArn` output); that the stack or its output is missing; or that the endpoint has no
 * CloudFormation to ask.
 */
export type StackKey = { readonly arn: string } | { readonly missing: string } | { readonly unsupported: string };

/** A CloudFormation client for a target, with the same time limits and one-line network errors as the others. */
export function createCloudFormationClient(target: ClientTarget): CloudFormationClient {
  const client = new CloudFormationClient(clientConfig(target));
  guardEndpoint(client, 'CloudFormation', target.limits ?? NETWORK_LIMITS);
  return client;
}

/**
 * The key the stage's stack created, from its outputs: an alias can be moved by anyone allowed to
 * (an administrator, if the key policy did not refuse it), a stack output only by a stack update.
 */
export async function stackDataKey(cloudformation: CloudFormationClient, stage: string): Promise<StackKey> {
  const stackName = dataStackName(stage);
  try {
    const [stack] = (await cloudformation.send(new DescribeStacksCommand({ StackName: stackName }))).Stacks ?? [];
    const arn = stack?.Outputs?.find((output) => output.OutputKey === DATA_KEY_OUTPUT)?.OutputValue;
    return arn ? { arn } : { missing: `the stack ${stackName} has no ${DATA_KEY_OUTPUT} output` };
  } catch (error) {
    if (isServiceMissing(error)) return { unsupported: 'this endpoint does not answer CloudFormation' };
    // CloudFormation answers a stack that does not exist with a ValidationError.
    if ((error as Error).name === 'ValidationError') return { missing: `the stack ${stackName} does not exist` };
    throw error;
  }
}

/**
 * Why the stage alias cannot be trusted, or undefined when it points at the key the stack created.
 * `aliasKeyArn` is the key DescribeKey of the alias named.
 */
export function aliasDistrust(stage: string, aliasKeyArn: string, stackKey: StackKey): string | undefined {
  const alias = stageKeyAlias(stage);
  if (!('arn' in stackKey)) return `${alias} cannot be checked against the key the stack created: ${'missing' in stackKey ? stackKey.missing : stackKey.unsupported}`;
  if (aliasKeyArn === stackKey.arn) return undefined;
  return `${alias} points at ${aliasKeyArn}, not at the key the stack ${dataStackName(stage)} created (${stackKey.arn}): someone moved it`;
}

/** For a command that must not act under a moved alias: refuses, in one line, unless the alias points at the stack's key. */
export async function requireStackKey(cloudformation: CloudFormationClient, stage: string, aliasKeyArn: string): Promise<void> {
  const distrust = aliasDistrust(stage, aliasKeyArn, await stackDataKey(cloudformation, stage));
  if (distrust) throw new ConfigError([`${distrust}. Refusing to use it; see docs/security.md (a stage key alias was moved).`]);
}
