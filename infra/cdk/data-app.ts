import { CliCredentialsStackSynthesizer, type App } from 'aws-cdk-lib';
import { applyNag } from './nag/nag';
import type { TableSchema } from '../data/schema-model';
import { TABLE_SCHEMAS } from '../data/schemas';
import { DataStack } from './stacks/data-stack';
import { ConfigError } from '../data/config-error';
import { STAGES, STAGE_NAMES, dataStackName, type StageName } from '../data/stages';
import { validateDataConfig } from '../validation';

/** Options of {@link addDataStacks}. */
export interface DataAppOptions {
  /** Names of the stages to add, as requested (e.g. `-c stage=<name>`); every stage when absent. */
  readonly stages?: readonly string[];
  /** Tables to create; the schema map when absent. */
  readonly schemas?: readonly TableSchema[];
  /** Write nag reports into the cloud assembly. */
  readonly nagReports: boolean;
}

/**
 * Adds one data stack per stage to the app and runs nag over all of them. The schema map, the
 * stage config and the requested stages are validated first; every problem is thrown at once.
 */
export function addDataStacks(app: App, options: DataAppOptions): Record<StageName, DataStack> {
  const schemas = options.schemas ?? TABLE_SCHEMAS;
  const problems = validateDataConfig({ schemas, stages: STAGES, requestedStages: options.stages });
  if (problems.length > 0) throw new ConfigError(problems);

  const stacks = {} as Record<StageName, DataStack>;
  // Requested names are known stages once validation has passed.
  for (const stageName of (options.stages ?? STAGE_NAMES) as readonly StageName[]) {
    const policy = STAGES[stageName];
    const name = dataStackName(stageName);
    stacks[stageName] = new DataStack(app, name, {
      stackName: name,
      description: `Inavor Shuttle ${stageName} data layer: DynamoDB tables and their KMS keys`,
      env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: policy.region },
      // The deployer's own credentials, no CloudFormation execution role: see stackCustodians.
      synthesizer: new CliCredentialsStackSynthesizer(),
      stageName,
      policy,
      schemas,
    });
  }
  applyNag(app, { reports: options.nagReports, dataStacks: Object.values(stacks) });
  return stacks;
}
