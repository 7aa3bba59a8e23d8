import { join, relative } from 'node:path';
import { PROCESS_OUTPUT, parseOptions, runCli, type CliOutput } from '../shared/cli';
import { writeFilesAtomically } from '../shared/files';
import { DECISIONS_DIR, DECISION_INDEX, loadDecisionRecords, renderDecisionIndex } from './decision-index';

const ROOT = join(import.meta.dirname, '..', '..');
const SCHEMA_REFERENCE = join(ROOT, 'docs', 'database-schema.md');
const ALARMS_RUNBOOK = join(ROOT, 'docs', 'alarms-runbook.md');
const SECURITY = join(ROOT, 'docs', 'security.md');
const ORGANIZATION = join(ROOT, 'docs', 'organization-policies.md');
const DECISIONS = join(DECISIONS_DIR, DECISION_INDEX);

const USAGE = `Usage: npm run docs

Regenerates ${relative(ROOT, SCHEMA_REFERENCE)}, ${relative(ROOT, ALARMS_RUNBOOK)}, ${relative(ROOT, SECURITY)},
${relative(ROOT, ORGANIZATION)} and each stage's service control policy under docs/service-control-policies/
from the schema map, the stage config, the grants, the alarm thresholds, the security alarms and the
capacity assumptions, and the index ${relative(ROOT, DECISIONS)} from the decision records beside it.
Run it after changing any of them; npm test fails until you do.`;

/** `npm run docs`: renders the schema reference, the alarms runbook, the security doc, the organization policies and the decisions' index and replaces each file whole. */
export async function main(argv: string[], output: CliOutput = PROCESS_OUTPUT): Promise<number> {
  parseOptions(argv, {}, { usage: USAGE });
  // Read first: a malformed record stops the command before the synthesis is paid for.
  const decisions = renderDecisionIndex(loadDecisionRecords());
  // Loaded after the arguments are read: the render synthesizes the stacks, which --help need not pay for.
  const [{ loadSchemaDocsInput, renderSchemaDocs }, { loadRunbookInput, renderAlarmsRunbook }, { loadSecurityDocsInput, renderSecurityDocs }, organization] =
    await Promise.all([import('./schema-docs'), import('./runbook-docs'), import('./security-docs'), import('./organization-docs')]);
  const { stages } = loadSecurityDocsInput();
  const files = [
    { path: SCHEMA_REFERENCE, text: renderSchemaDocs(loadSchemaDocsInput()) },
    { path: ALARMS_RUNBOOK, text: renderAlarmsRunbook(loadRunbookInput()) },
    { path: SECURITY, text: renderSecurityDocs(loadSecurityDocsInput()) },
    { path: ORGANIZATION, text: organization.renderOrganizationPolicies(stages) },
    ...organization.renderScpFiles(stages).map(({ path, text }) => ({ path: join(ROOT, path), text })),
    { path: DECISIONS, text: decisions },
  ];
  writeFilesAtomically(files);
  for (const { path } of files) output.stdout(`Wrote ${relative(ROOT, path)}`);
  return 0;
}

if (import.meta.main) runCli(main);
