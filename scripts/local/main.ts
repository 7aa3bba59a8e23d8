import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ACCESS_EXAMPLES, EXAMPLE_NOW, type AccessPatternName } from '../../infra/policy/access-examples';
import { LOCAL_WRAPPING_KEY_ENV, rawAesKeyring, tableEnvironmentVariable, TokenCrypto } from '../../infra/client';
import { ConfigError } from '../../infra/data/config-error';
import { TABLE_SCHEMAS } from '../../infra/data/schemas';
import { STAGES, physicalTableName } from '../../infra/data/stages';
import { parsePort, parseOptions, runCli } from '../shared/cli';
import { ENDPOINT_ENV, LOCAL_CREDENTIALS, NETWORK_LIMITS, createClients, type NetworkLimits } from '../shared/clients';
import { seedDemoData } from './demo-data';
import { startLocalEngine, type LocalEngine, type LocalEngineOptions } from '../shared/local-engine';
import { WRAPPING_KEY_FILE, localWrappingKey } from './local-token-key';
import { describeRequest, runExample } from './run-patterns';
import type { CfnTemplate } from '../../infra/policy/cfn-template';
import { createTables, tablesFromTemplate, type CreatedTable, type TemplateTable } from '../shared/template-tables';
import { checkKeysAndIndexes } from '../verify/checks';

const STAGE = 'dev';
const DEFAULT_PORT = 8000;

const USAGE = `Usage: npm run local -- [--port <n>] [--path <dir>] [--keep]

Starts dynalite (a DynamoDB-compatible engine) on 127.0.0.1, creates the ${STAGE} tables from the
synthesized ${STAGE} template, seeds demo data and runs every access pattern of the schema map.

  --port <n>    port to listen on (default ${DEFAULT_PORT}; 0 picks a free one)
  --path <dir>  keep the data in this directory between runs, with the key that seals its demo tokens
                (${WRAPPING_KEY_FILE}); its parent must exist (in memory, with a new key each run, by default);
                a directory made from an older schema map is refused: delete it or use a new one
  --keep        leave the engine running and print the settings an app needs; Ctrl-C stops it`;

/** What `main` runs against; tests replace parts of it. */
export interface LocalDependencies {
  readonly print: (line: string) => void;
  /** The stage's synthesized template. */
  readonly loadTemplate: () => Promise<CfnTemplate>;
  readonly startEngine: (options: LocalEngineOptions) => Promise<LocalEngine>;
  /** Time limits of the clients that talk to the engine. */
  readonly limits: NetworkLimits;
  /** With --keep: resolves, to what stopped it, when the engine is to stop (Ctrl-C or SIGTERM). */
  readonly untilStopped: () => Promise<string>;
}

/** Ctrl-C or SIGTERM, whichever comes first. */
function untilSignal(): Promise<string> {
  return new Promise((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
}

/**
 * `npm run local`: a local engine with the stage's tables, demo data and every access pattern
 * run once. Resolves to the exit code.
 */
export async function main(argv: string[], dependencies: Partial<LocalDependencies> = {}): Promise<number> {
  const { print = console.log, loadTemplate = synthDevTemplate, startEngine = startLocalEngine, limits = NETWORK_LIMITS, untilStopped = untilSignal } = dependencies;
  const options = parseOptions(argv, { port: { type: 'string' }, path: { type: 'string' }, keep: { type: 'boolean' } }, { usage: USAGE });
  const port = options.port === undefined ? DEFAULT_PORT : parsePort(options.port);
  const path = options.path;
  if (path !== undefined) checkDataDirectory(path);

  const tables = tablesFromTemplate(await loadTemplate());
  // A data folder this run creates is removed again if the run fails: no LevelDB files left behind.
  const createdPath = path !== undefined && !existsSync(path) ? createDataDirectory(path) : undefined;
  let engine: LocalEngine | undefined;
  let succeeded = false;
  try {
    engine = await startEngine({ port, path }).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EADDRINUSE') throw error;
      throw new ConfigError([`Port ${port} is in use; pass --port <n> (0 picks a free one).`]);
    });
    // Read or made once the engine holds the folder, so a folder it cannot use gets no key file.
    const wrappingKey = localWrappingKey(path);
    const code = await serve(engine, tables, { path, wrappingKey, keep: options.keep === true, print, limits, untilStopped });
    succeeded = true;
    return code;
  } finally {
    await engine?.close();
    if (!succeeded && createdPath !== undefined) rmSync(createdPath, { recursive: true, force: true });
  }
}

/** Creates the tables, seeds them, runs every access pattern and, with `keep`, waits for Ctrl-C. */
async function serve(
  engine: LocalEngine,
  tables: readonly TemplateTable[],
  {
    path,
    wrappingKey,
    keep,
    print,
    limits,
    untilStopped,
  }: Pick<LocalDependencies, 'print' | 'limits' | 'untilStopped'> & { path: string | undefined; wrappingKey: Buffer; keep: boolean },
): Promise<number> {
  const { client, doc } = createClients({ region: STAGES[STAGE].region, endpoint: engine.endpoint, local: true, limits });
  try {
    const created = await createTables(client, tables);
    if (path !== undefined) await assertTablesCurrent(client, path, created.filter((table) => table.outcome === 'exists'));
    const seeded = await seedDemoData(doc, STAGE, new TokenCrypto(rawAesKeyring(wrappingKey)));
    print(`dynalite at ${engine.endpoint} (${path ? `data in ${path}` : 'in memory'})`);
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
    if (!keep) return 0;

    print('');
    print('The engine keeps running. For an app on this machine:');
    for (const line of environmentFor(engine.endpoint, wrappingKey)) print(`  export ${line}`);
    print('Press Ctrl-C to stop.');
    const signal = await untilStopped();
    print(`\n${signal}: stopping the engine${path ? ` (data kept in ${path})` : ''}.`);
    return 0;
  } finally {
    client.destroy();
  }
}

/**
 * Tables kept from an earlier run must have the keys and indexes of the current map; a folder made
 * from an older map would otherwise fail later with a raw ValidationException.
 */
async function assertTablesCurrent(client: DynamoDBClient, path: string, kept: readonly CreatedTable[]): Promise<void> {
  for (const { tableName } of kept) {
    const schema = TABLE_SCHEMAS.find((candidate) => physicalTableName(candidate.name, STAGE) === tableName)!;
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    const drift = checkKeysAndIndexes(schema, physicalTableName(schema.name, STAGE), Table ?? {}).find((result) => result.status === 'FAIL');
    if (drift) {
      throw new ConfigError([
        `--path ${path} is stale: it was made from an older schema map (${drift.table} ${drift.check}: ${drift.detail}); use a new --path or delete ${path}.`,
      ]);
    }
  }
}

// Loaded on demand: aws-cdk-lib takes a second to load, which --help and tests need not pay.
async function synthDevTemplate(): Promise<CfnTemplate> {
  const { synthStageTemplate } = await import('../shared/stage-template');
  return synthStageTemplate(STAGE);
}

/** The environment an app developer sets to use the local tables, one `NAME=value` a line. */
function environmentFor(endpoint: string, wrappingKey: Buffer): string[] {
  return [
    `${ENDPOINT_ENV}=${endpoint}`,
    `AWS_REGION=${STAGES[STAGE].region}`,
    // AWS CLI v1 reads only this one.
    `AWS_DEFAULT_REGION=${STAGES[STAGE].region}`,
    `AWS_ACCESS_KEY_ID=${LOCAL_CREDENTIALS.accessKeyId}`,
    `AWS_SECRET_ACCESS_KEY=${LOCAL_CREDENTIALS.secretAccessKey}`,
    ...TABLE_SCHEMAS.map((schema) => `${tableEnvironmentVariable(schema.name)}=${physicalTableName(schema.name, STAGE)}`),
    // Local only: it opens the demo tokens of this engine, standing in for the stage's KMS token key.
    `${LOCAL_WRAPPING_KEY_ENV}=${wrappingKey.toString('base64')}`,
  ];
}

function formatTable(rows: readonly string[][]): string[] {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  const line = (row: readonly string[]) => row.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd();
  return [line(rows[0]!), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.slice(1).map(line)];
}

/** Refuses a --path that exists but is not a folder, or whose parent is missing, in one line. */
function checkDataDirectory(path: string): void {
  if (existsSync(path)) {
    if (!statSync(path).isDirectory()) throw new ConfigError([`--path ${path} is a file, not a directory.`]);
  } else if (!existsSync(dirname(resolve(path)))) {
    throw new ConfigError([`--path ${path} cannot hold the engine's data: its parent folder ${dirname(resolve(path))} does not exist.`]);
  }
}

/**
 * Creates the data directory and returns it. Not recursive: Node's recursive mkdir never returns
 * for some paths, such as under /proc.
 */
function createDataDirectory(path: string): string {
  try {
    mkdirSync(path);
  } catch (error) {
    throw new ConfigError([`--path ${path} cannot hold the engine's data: ${(error as Error).message}.`]);
  }
  return path;
}

if (import.meta.main) runCli(main);
