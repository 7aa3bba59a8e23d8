import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadSchemaDocsInput, renderSchemaDocs } from './lib/schema-docs';

const target = join(__dirname, '..', 'docs', 'database-schema.md');
writeFileSync(target, renderSchemaDocs(loadSchemaDocsInput()));
console.log('Wrote docs/database-schema.md');
