import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { CloudAssembly, type SynthesisMessage } from 'aws-cdk-lib/cx-api';
import type { CfnTemplate } from '../../infra/policy/cfn-template';
import { STAGE_NAMES, dataStackName, type StageName } from '../../infra/data/stages';
import { awaitAssembly } from './gate-assembly';

/** Environment variable through which the global setup hands its cloud assembly to the suites. */
export const CDK_OUT_ENV = 'TEST_CDK_OUT';

/** Environment variable naming the run's temporary folder, which the global teardown removes. */
export const TEST_TMP_ENV = 'TEST_RUN_TMP';

/**
 * The folder holding what `cdk synth` writes (every stage's template, manifest and nag reports),
 * synthesized once per test run from the real app (synth-app.ts): by `global-setup.ts`, or under
 * `npm test` by the gate, beside the first suites, in which case this waits for it.
 */
export function cdkOutDir(): string {
  const dir = process.env[CDK_OUT_ENV];
  if (!dir) throw new Error(`${CDK_OUT_ENV} is not set: run the suites through jest.config.ts (globalSetup).`);
  return awaitAssembly(dir);
}

/** One stage's synthesized template as JSON. */
export function stageTemplateJson(stage: StageName): CfnTemplate {
  return JSON.parse(readFileSync(join(cdkOutDir(), `${dataStackName(stage)}.template.json`), 'utf8')) as CfnTemplate;
}

/** Every stage's synthesized template, ready for `Template` assertions. */
export function stageTemplates(): Record<StageName, Template> {
  return Object.fromEntries(STAGE_NAMES.map((stage) => [stage, Template.fromJSON(stageTemplateJson(stage))])) as Record<
    StageName,
    Template
  >;
}

/** The messages (nag findings among them) a stage's synthesis attached to its stack. */
export function stageMessages(stage: StageName): SynthesisMessage[] {
  return new CloudAssembly(cdkOutDir()).getStackByName(dataStackName(stage)).messages;
}
