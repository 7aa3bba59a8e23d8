import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { addDataStacks } from '../../infra/cdk/data-app';
import type { DataStack } from '../../infra/cdk/stacks/data-stack';
import { STAGE_NAMES, type StageName } from '../../infra/data/stages';

/** Every stage's data stack in one app, synthesized once, with its template. */
export interface SynthesizedStages {
  readonly app: App;
  readonly stacks: Record<StageName, DataStack>;
  readonly templates: Record<StageName, Template>;
}

/** Options of {@link synthAllStages}. */
export interface SynthOptions {
  /** Synthesize into this folder with the nag reports on, as `cdk synth` does into cdk.out. */
  readonly nagReportDir?: string;
}

/** Builds the real app with every stage (nag included) and synthesizes it once. */
export function synthAllStages(
  customize?: (stacks: Record<StageName, DataStack>) => void,
  options: SynthOptions = {},
): SynthesizedStages {
  const app = new App(options.nagReportDir ? { outdir: options.nagReportDir } : {});
  const stacks = addDataStacks(app, { nagReports: options.nagReportDir !== undefined });
  customize?.(stacks);
  const templates = {} as Record<StageName, Template>;
  for (const stage of STAGE_NAMES) templates[stage] = Template.fromStack(stacks[stage]);
  return { app, stacks, templates };
}
