import type { App } from 'aws-cdk-lib';
import { applyNag, type NaggedDataStack } from './nag';
import type { TableSchema } from './schema-model';
import { TABLE_SCHEMAS } from './schemas';
import { DataStack } from './stacks/data-stack';
import { STAGES, STAGE_NAMES, dataStackName, type StageName } from './stages';

/** A mistake in what the user asked for or in the configuration; reported without a stack trace. */
export class ConfigError extends Error {
  constructor(public readonly problems: readonly string[]) {
    super(problems.join('\n'));
    this.name = 'ConfigError';
  }
}

/** The stages to synthesize: the one named by `-c stage=<name>`, or every stage. */
export function selectStages(requested: unknown): StageName[] {
  if (requested === undefined) return [...STAGE_NAMES];
  if (typeof requested === 'string' && requested in STAGES) return [requested as StageName];
  throw new ConfigError([`Unknown stage "${String(requested)}"; valid stages: ${STAGE_NAMES.join(', ')}.`]);
}

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
  const dataStacks: NaggedDataStack[] = [];
  const schemas = options.schemas ?? TABLE_SCHEMAS;
  for (const stageName of options.stages ?? STAGE_NAMES) {
    const policy = STAGES[stageName];
    const name = dataStackName(stageName);
    stacks[stageName] = new DataStack(app, name, {
      stackName: name,
      description: `Inavor Shuttle ${stageName} data layer: DynamoDB tables and their KMS key`,
      env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: policy.region },
      stageName,
      policy,
      schemas,
    });
    dataStacks.push({ stack: stacks[stageName], stageName, policy, schemas });
  }
  applyNag(app, { reports: options.nagReports, dataStacks });
  return stacks;
}
