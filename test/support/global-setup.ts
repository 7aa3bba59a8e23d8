import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { synthStageTemplate } from '../../scripts/lib/stage-template';
import { DEV_TEMPLATE_ENV } from './dev-template';

/** Synthesizes the dev stage once per test run for every suite that creates tables from it. */
export default function globalSetup(): void {
  const path = join(mkdtempSync(join(tmpdir(), 'dev-template-')), 'InavorShuttleData-dev.template.json');
  writeFileSync(path, JSON.stringify(synthStageTemplate('dev')));
  process.env[DEV_TEMPLATE_ENV] = path;
}
