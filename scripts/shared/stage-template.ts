import { App } from 'aws-cdk-lib';
import { addDataStacks } from '../../infra/cdk/data-app';
import { dataStackName, type StageName } from '../../infra/data/stages';
import type { CfnTemplate } from '../../infra/policy/cfn-template';

/**
 * Synthesizes one stage's data stack in process and returns its template: the same template
 * `cdk synth` writes to cdk.out, never stale. The template validator is skipped (as in the unit
 * tests) because this template feeds a local engine, not a deploy.
 */
export function synthStageTemplate(stage: StageName): CfnTemplate {
  process.env.CDK_VALIDATION = 'false';
  const app = new App();
  addDataStacks(app, { stages: [stage], nagReports: false });
  return app.synth().getStackByName(dataStackName(stage)).template as CfnTemplate;
}
