import { existsSync, mkdirSync, statSync } from 'node:fs';
import { ACCESS_EXAMPLES, EXAMPLE_NOW, type AccessPatternName } from '../infra/access-examples';
import { tableEnvironmentVariable } from '../infra/client/config';
import { ConfigError } from '../infra/stage-selection';
import { TABLE_SCHEMAS } from '../infra/schemas';
import { STAGES, physicalTableName } from '../infra/stages';
import { parseOptions, runCli } from './lib/cli';
import { LOCAL_CREDENTIALS, createClients } from './lib/clients';
import { seedDemoData } from './lib/demo-data';
import { startLocalEngine } from './lib/local-engine';
import { describeRequest, runExample } from './lib/run-patterns';
import type { CfnTemplate } from '../infra/cfn-template';
import { createTables, tablesFromTemplate } from './lib/template-tables';

const STAGE = 'dev';
const DEFAULT_PORT = 8000;

const USAGE = `Usage: npm run local -- [--port <n>] [--path <dir>] [--keep]

Starts dynalite (a DynamoDB-compatible engine) on 127.0.0.1, creates the ${STAGE} tables from the
synthesized ${STAGE} template, seeds demo data and runs every access pattern of the schema map.

  --port <n>    port to listen on (default ${DEFAULT_PORT}; 0 picks a free one)
  --path <dir>  keep the data in this directory between runs; its parent must exist (in memory by default)
  --keep        leave the engine running and print the settings an app needs; Ctrl-C stops it`;

/**
 * `npm run local`: a local engine with the stage's tables, demo data and every access pattern
 * run once. Resolves to the exit code.
 */
export async function main(
  argv: string[],
  print: (line: string) => void = console.log,
  loadTemplate: () => Promise<CfnTemplate> = synthDevTemplate,
): Promise<number> {
  const options = parseOptions(argv, {
    port: { type: 'string' },
    path: { type: 'string' },
    keep: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (options.help) {
    print(USAGE);
    return 0;
  }
  const port = options.port === undefined ? DEFAULT_PORT : Number(options.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new ConfigError([`--port must be a whole number from 0 to 65535, not "${options.port}".`]);
  }

  if (options.path !== undefined) ensureDataDirectory(options.path);
  const tables = tablesFromTemplate(await loadTemplate());
  const engine = await startLocalEngine({ port, path: options.path }).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EADDRINUSE') throw error;
    throw new ConfigError([`Port ${port} is in use; pass --port <n> (0 picks a free one).`]);
  });
  const { client, doc } = createClients({ region: STAGES[STAGE].region, endpoint: engine.endpoint, local: true });
  try {
    const created = await createTables(client, tables);
    const seeded = await seedDemoData(doc, STAGE);
    print(`dynalite at ${engine.endpoint} (${options.path ? `data in ${options.path}` : 'in memory'})`);
    print(
      `Tables from the ${STAGE} template: ${created.map((table) => `${table.tableName}${table.outcome === 'exists' ? ' (kept)' : ''}`).join(', ')}; ${seeded} demo items written.`,
    );
    print('');
    const rows = [['pattern', 'items', 'read units', 'request']];
    for (const pattern of Object.keys(ACCESS_EXAMPLES) as AccessPatternName[]) {
      const run = await runExample(doc, STAGE, pattern);
      const more = run.lastEvaluatedKey ? '+' : '';
      rows.push([pattern, `${run.items.length}${more}`, String(run.consumedReadUnits ?? '-'), describeRequest(run.request)]);
    }
    for (const line of formatTable(rows)) print(line);
    print('');
    print(`"+": more pages follow (LastEvaluatedKey). Examples run as of ${EXAMPLE_NOW.toISOString()}.`);
    print(`Ready in ${process.uptime().toFixed(1)} s.`);
    if (!options.keep) return 0;

    print('');
    print('The engine keeps running. For an app on this machine:');
    for (const line of environmentFor(engine.endpoint)) print(`  export ${line}`);
    print('Press Ctrl-C to stop.');
    const signal = await new Promise<NodeJS.Signals>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    print(`\n${signal}: stopping the engine${options.path ? ` (data kept in ${options.path})` : ''}.`);
    return 0;
  } finally {
    client.destroy();
    await engine.close();
  }
}

// Loaded on demand: aws-cdk-lib takes a second to load, which --help and tests need not pay.
async function synthDevTemplate(): Promise<CfnTemplate> {
  const { synthStageTemplate } = await import('./lib/stage-template');
  return synthStageTemplate(STAGE);
}

/** The environment an app developer sets to use the local tables, one `NAME=value` a line. */
function environmentFor(endpoint: string): string[] {
  return [
    `AWS_ENDPOINT_URL_DYNAMODB=${endpoint}`,
    `AWS_REGION=${STAGES[STAGE].region}`,
    `AWS_ACCESS_KEY_ID=${LOCAL_CREDENTIALS.accessKeyId}`,
    `AWS_SECRET_ACCESS_KEY=${LOCAL_CREDENTIALS.secretAccessKey}`,
    ...TABLE_SCHEMAS.map((schema) => `${tableEnvironmentVariable(schema.name)}=${physicalTableName(schema.name, STAGE)}`),
  ];
}

function formatTable(rows: readonly string[][]): string[] {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  const line = (row: readonly string[]) => row.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd();
  return [line(rows[0]!), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.slice(1).map(line)];
}

/**
 * Creates the data directory (its parent must exist), or says in one line why it cannot be one.
 * Not recursive: Node's recursive mkdir never returns for some paths, such as under /proc.
 */
function ensureDataDirectory(path: string): void {
  if (existsSync(path)) {
    if (!statSync(path).isDirectory()) throw new ConfigError([`--path ${path} is a file, not a directory.`]);
    return;
  }
  try {
    mkdirSync(path);
  } catch (error) {
    throw new ConfigError([`--path ${path} cannot hold the engine's data: ${(error as Error).message}.`]);
  }
}

if (require.main === module) runCli(main);
