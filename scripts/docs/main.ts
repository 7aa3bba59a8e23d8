import { join, relative } from 'node:path';
import { PROCESS_OUTPUT, parseOptions, runCli, type CliOutput } from '../shared/cli';
import { writeFilesAtomically } from '../shared/files';

const ROOT = join(__dirname, '..', '..');
const SCHEMA_REFERENCE = join(ROOT, 'docs', 'database-schema.md');
const ALARMS_RUNBOOK = join(ROOT, 'docs', 'alarms-runbook.md');
const SECURITY = join(ROOT, 'docs', 'security.md');

const USAGE = `Usage: npm run docs

Regenerates ${relative(ROOT, SCHEMA_REFERENCE)}, ${relative(ROOT, ALARMS_RUNBOOK)} and ${relative(ROOT, SECURITY)}
from the schema map, the stage config, the grants, the alarm thresholds, the security alarms and the
capacity assumptions. Run it after changing any of them; npm test fails until you do.`;

/** `npm run docs`: renders the schema reference, the alarms runbook and the security doc and replaces each file whole. */
export async function main(argv: string[], output: CliOutput = PROCESS_OUTPUT): Promise<number> {
  parseOptions(argv, {}, { usage: USAGE });
  // Loaded after the arguments are read: the render synthesizes the stacks, which --help need not pay for.
  const [{ loadSchemaDocsInput, renderSchemaDocs }, { loadRunbookInput, renderAlarmsRunbook }, { loadSecurityDocsInput, renderSecurityDocs }] =
    await Promise.all([import('./schema-docs'), import('./runbook-docs'), import('./security-docs')]);
  const files = [
    { path: SCHEMA_REFERENCE, text: renderSchemaDocs(loadSchemaDocsInput()) },
    { path: ALARMS_RUNBOOK, text: renderAlarmsRunbook(loadRunbookInput()) },
    { path: SECURITY, text: renderSecurityDocs(loadSecurityDocsInput()) },
  ];
  writeFilesAtomically(files);
  for (const { path } of files) output.stdout(`Wrote ${relative(ROOT, path)}`);
  return 0;
}

if (require.main === module) runCli(main);
