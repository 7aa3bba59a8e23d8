import type { AccessRequest, KeyValue } from '../../infra/client';
import packageJson from '../../package.json' with { type: 'json' };
import { ENDPOINT_ENV } from '../shared/clients';

/** Longest JSON argument kept on one line; longer ones get one entry per line. */
const MAX_INLINE_JSON = 72;

/** A key value in DynamoDB JSON, the form the AWS CLI takes. */
function toDynamoJson(value: KeyValue): { S: string } | { N: string } {
  return typeof value === 'number' ? { N: String(value) } : { S: value };
}

function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** JSON with a space after every colon and comma, the way the AWS documentation writes it. */
function spacedJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  return `{${Object.entries(value).map(([key, entry]) => `${JSON.stringify(key)}: ${spacedJson(entry)}`).join(', ')}}`;
}

function jsonArgument(entries: Record<string, unknown>): string {
  const pairs = Object.entries(entries).map(([key, value]) => `${JSON.stringify(key)}: ${spacedJson(value)}`);
  const inline = `{${pairs.join(', ')}}`;
  if (inline.length <= MAX_INLINE_JSON) return shellQuote(inline);
  return shellQuote(`{\n${pairs.map((pair) => `    ${pair}`).join(',\n')}\n  }`);
}

function dynamoJsonMap(values: Record<string, KeyValue>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values).map(([key, value]) => [key, toDynamoJson(value)]));
}

/**
 * Where `npm run local` serves the tables, as the variable `npm run local -- --keep` prints (its
 * port may be any, with --port 0): the AWS CLI needs it as `--endpoint-url` (Debian's CLI 2.9
 * ignores AWS_ENDPOINT_URL_DYNAMODB itself).
 */
export const LOCAL_ENDPOINT = `"$${ENDPOINT_ENV}"`;

/**
 * The request as an `aws dynamodb get-item` or `aws dynamodb query` command, one option per line,
 * sent to `endpoint` when given.
 */
export function cliCommand(request: AccessRequest, endpoint?: string): string {
  const options: string[] = [];
  const option = (flag: string, value?: string) => options.push(value === undefined ? flag : `${flag} ${value}`);
  if (request.operation === 'GetItem') {
    option('--table-name', request.input.TableName);
    option('--key', jsonArgument(dynamoJsonMap(request.input.Key)));
    if (endpoint !== undefined) option('--endpoint-url', endpoint);
    return [`aws dynamodb get-item`, ...options.map((line) => `  ${line}`)].join(' \\\n');
  }
  const { input } = request;
  if (input.ExclusiveStartKey !== undefined) throw new Error('A CLI example cannot show ExclusiveStartKey; the CLI pages with --starting-token.');
  option('--table-name', input.TableName);
  if (input.IndexName !== undefined) option('--index-name', input.IndexName);
  option('--key-condition-expression', shellQuote(input.KeyConditionExpression));
  option('--expression-attribute-names', jsonArgument(input.ExpressionAttributeNames));
  option('--expression-attribute-values', jsonArgument(dynamoJsonMap(input.ExpressionAttributeValues)));
  option(input.ScanIndexForward ? '--scan-index-forward' : '--no-scan-index-forward');
  // With --limit the CLI sends one request and returns one page, as the SDK does.
  if (input.Limit !== undefined) option('--limit', String(input.Limit));
  if (endpoint !== undefined) option('--endpoint-url', endpoint);
  return [`aws dynamodb query`, ...options.map((line) => `  ${line}`)].join(' \\\n');
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** A string as a single-quoted TypeScript literal. */
export function tsString(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** A plain value as a TypeScript literal, objects indented by `indent`. */
function tsLiteral(value: unknown, indent = ''): string {
  if (typeof value === 'string') return tsString(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const inner = `${indent}  `;
    const lines = Object.entries(value).map(
      ([key, entry]) => `${inner}${IDENTIFIER.test(key) ? key : tsString(key)}: ${tsLiteral(entry, inner)},`,
    );
    return `{\n${lines.join('\n')}\n${indent}}`;
  }
  throw new Error(`Cannot write ${JSON.stringify(value)} as a TypeScript literal.`);
}

/** Indents every non-empty line of `text` by `indent`. */
function indented(text: string, indent: string): string {
  return text
    .split('\n')
    .map((line) => (line ? `${indent}${line}` : line))
    .join('\n');
}

/** A complete CommonJS-safe program: imports, then `body` inside an async main (no top-level await). */
function program(imports: readonly string[], setup: readonly string[], body: readonly string[]): string {
  return [
    ...imports,
    '',
    ...setup,
    '',
    'async function main(): Promise<void> {',
    indented(body.join('\n'), '  '),
    '}',
    '',
    'main().catch((error: unknown) => {',
    '  console.error(error);',
    '  process.exitCode = 1;',
    '});',
  ].join('\n');
}

/** The request as a runnable TypeScript program with `@aws-sdk/lib-dynamodb`; it prints what it read. */
export function sdkSnippet(request: AccessRequest, region: string): string {
  const command = request.operation === 'GetItem' ? 'GetCommand' : 'QueryCommand';
  const result = request.operation === 'GetItem' ? 'Item' : 'Items';
  return program(
    [`import { DynamoDBClient } from '@aws-sdk/client-dynamodb';`, `import { DynamoDBDocumentClient, ${command} } from '@aws-sdk/lib-dynamodb';`],
    [
      '// Endpoint and credentials come from the environment (e.g. what `npm run local -- --keep` prints).',
      `const client = DynamoDBDocumentClient.from(new DynamoDBClient({ region: ${tsString(region)} }));`,
    ],
    [`const { ${result} } = await client.send(`, `  new ${command}(${tsLiteral(request.input, '  ')}),`, ');', `console.log(${result});`],
  );
}

/** The module the app imports the client from: this package's `./client` export. */
export const CLIENT_MODULE = `${packageJson.name}/client`;

/** A runnable TypeScript program that calls the data client (`call` is an expression using `data`); it prints the result. */
export function clientSnippet(call: string): string {
  return program(
    [`import { createDataClient, tableNamesFromEnvironment } from '${CLIENT_MODULE}';`],
    ['// Table names from SHOPS_TABLE, JOBS_TABLE, IMPORT_HISTORY_TABLE; endpoint and credentials from the environment.', 'const data = createDataClient({ tables: tableNamesFromEnvironment() });'],
    [`const result = await ${call};`, 'console.log(result);'],
  );
}
