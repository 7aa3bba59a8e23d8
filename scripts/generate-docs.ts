import { join, relative } from 'node:path';
import { PROCESS_OUTPUT, parseOptions, runCli, type CliOutput } from './lib/cli';
import { writeFilesAtomically } from './lib/files';

const ROOT = join(__dirname, '..');
const TARGET = join(ROOT, 'docs', 'database-schema.md');

const USAGE = `Usage: npm run docs

Regenerates ${relative(ROOT, TARGET)} from the schema map, the stage config and the capacity
assumptions. Run it after changing infra/schemas.ts, infra/stages.ts or
scripts/lib/capacity-assumptions.ts; npm test fails until you do.`;

/** `npm run docs`: renders the schema reference and replaces the committed file whole. */
export async function main(argv: string[], output: CliOutput = PROCESS_OUTPUT): Promise<number> {
  parseOptions(argv, {}, { usage: USAGE });
  // Loaded after the arguments are read: the render synthesizes the stacks, which --help need not pay for.
  const { loadSchemaDocsInput, renderSchemaDocs } = await import('./lib/schema-docs');
  writeFilesAtomically([{ path: TARGET, text: renderSchemaDocs(loadSchemaDocsInput()) }]);
  output.stdout(`Wrote ${relative(ROOT, TARGET)}`);
  return 0;
}

if (require.main === module) runCli(main);
