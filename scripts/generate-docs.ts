import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadRunbookInput, renderAlarmsRunbook } from './lib/runbook-docs';
import { loadSchemaDocsInput, renderSchemaDocs } from './lib/schema-docs';

const docs = join(__dirname, '..', 'docs');
writeFileSync(join(docs, 'database-schema.md'), renderSchemaDocs(loadSchemaDocsInput()));
console.log('Wrote docs/database-schema.md');
writeFileSync(join(docs, 'alarms-runbook.md'), renderAlarmsRunbook(loadRunbookInput()));
console.log('Wrote docs/alarms-runbook.md');
