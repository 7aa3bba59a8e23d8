import type { App } from 'aws-cdk-lib';
import { applyNag } from './nag';
import type { TableSchema } from './schema-model';
import { TABLE_SCHEMAS } from './schemas';
import { DataStack } from './stacks/data-stack';
import { STAGES, STAGE_NAMES, dataStackName, type StageName } from './stages';

// Kept apart from the CDK code so the scripts can report usage errors without loading aws-cdk-lib.
export { ConfigError, selectStages } from './stage-selection';

/** Options of {@link addDataStacks}. */
export interface DataAppOptions {
  /** Stages to add; all when absent. */
  readonly stages?: readonly StageName[];
  /** Tables to create; the schema map when absent. */
  readonly schemas?: readonly TableSchema[];
  /** Write nag reports into the cloud assembly. */
  readonly nagReports: boolean;
}

/** Adds one data stack per stage to the app and runs nag over all of them. */
export function addDataStacks(app: App, options: DataAppOptions): Record<StageName, DataStack> {
  const stacks = {} as Record<StageName, DataStack>;
  for (const stageName of options.stages ?? STAGE_NAMES) {
    const policy = STAGES[stageName];
    const name = dataStackName(stageName);
    stacks[stageName] = new DataStack(app, name, {
      stackName: name,
      description: `Inavor Shuttle ${stageName} data layer: DynamoDB tables and their KMS key`,
      env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: policy.region },
      stageName,
      policy,
      schemas: options.schemas ?? TABLE_SCHEMAS,
    });
  }
  applyNag(app, { reports: options.nagReports });
  return stacks;
}
