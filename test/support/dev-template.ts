import type { CfnTemplate } from '../../infra/policy/cfn-template';
import { stageTemplateJson } from './cdk-out';

/** The dev stage's template, synthesized once for the whole test run by `global-setup.ts`. */
export function devTemplate(): CfnTemplate {
  return stageTemplateJson('dev');
}
