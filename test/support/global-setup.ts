import { synthStageTemplate } from '../../scripts/lib/stage-template';
import { DEV_TEMPLATE_ENV } from './dev-template';

/** Synthesizes the dev stage once per test run for every suite that creates tables from it. */
export default function globalSetup(): void {
  // The environment reaches every test worker; the template is a few kilobytes of JSON.
  process.env[DEV_TEMPLATE_ENV] = JSON.stringify(synthStageTemplate('dev'));
}
