import type { CfnTemplate } from '../../infra/cfn-template';

/** Environment variable through which the global setup hands the template to the suites. */
export const DEV_TEMPLATE_ENV = 'TEST_DEV_TEMPLATE_JSON';

/** The dev stage's template, synthesized once for the whole test run by `global-setup.ts`. */
export function devTemplate(): CfnTemplate {
  const json = process.env[DEV_TEMPLATE_ENV];
  if (!json) throw new Error(`${DEV_TEMPLATE_ENV} is not set: run the suites through jest.config.ts (globalSetup).`);
  return JSON.parse(json) as CfnTemplate;
}
