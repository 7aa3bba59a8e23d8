import { TABLE_SCHEMAS, type TableName } from '../../data/schemas';
import { STAGE_NAMES, dataStackName, type StageName } from '../../data/stages';
import { ERRORS_GUIDE } from './errors';

/** The physical name of every table the client uses. */
export type TableNames = Readonly<Record<TableName, string>>;

/** A configuration value the client needs is missing or malformed; the message names it. */
export class ClientConfigError extends Error {
  /** The section of the client's guide that says what to do. */
  public readonly help = `${ERRORS_GUIDE}#clientconfigerror`;

  constructor(message: string) {
    super(message);
    this.name = 'ClientConfigError';
  }
}

/** The environment variable holding a table's name, e.g. `IMPORT_HISTORY_TABLE` (what `npm run local -- --keep` prints). */
export function tableEnvironmentVariable(table: TableName): string {
  return `${table.replace(/(?<=[a-z])(?=[A-Z])/g, '_').toUpperCase()}_TABLE`;
}

/** The output of a stage's data stack holding a table's name, e.g. `InavorShuttleData-prod-JobsTableName`. */
export function tableNameExport(stage: StageName, table: TableName): string {
  return `${dataStackName(stage)}-${table}TableName`;
}

/** Table names from the environment: SHOPS_TABLE, JOBS_TABLE, IMPORT_HISTORY_TABLE. */
export function tableNamesFromEnvironment(env: NodeJS.ProcessEnv = process.env): TableNames {
  return collect((table) => {
    const variable = tableEnvironmentVariable(table);
    const given: unknown = env[variable];
    const value = typeof given === 'string' ? given.trim() : undefined;
    if (!value) throw new ClientConfigError(`Environment variable ${variable} is not set: it names the ${table} table.`);
    return value;
  });
}

/**
 * Table names from a stage's stack outputs, keyed by export name (as `aws cloudformation
 * list-exports` or DescribeStacks report them) or by output key (as `cdk deploy --outputs-file`
 * writes them under the stack name).
 */
export function tableNamesFromStackOutputs(stage: StageName, outputs: Readonly<Record<string, string>>): TableNames {
  if (!STAGE_NAMES.includes(stage)) throw new ClientConfigError(`The stage must be one of ${STAGE_NAMES.join(', ')}.`);
  if (typeof outputs !== 'object' || outputs === null) throw new ClientConfigError('The stack outputs must be an object of output names to values.');
  return collect((table) => {
    const exportName = tableNameExport(stage, table);
    const value = outputs[exportName] ?? outputs[`${table}TableName`];
    if (!value) throw new ClientConfigError(`Stack output ${exportName} is missing: it names the ${stage} ${table} table.`);
    return value;
  });
}

function collect(nameOf: (table: TableName) => string): TableNames {
  return Object.fromEntries(TABLE_SCHEMAS.map((schema) => [schema.name, nameOf(schema.name)])) as TableNames;
}
