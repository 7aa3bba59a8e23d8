import {
  DescribeContinuousBackupsCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  ResourceNotFoundException,
  UpdateTimeToLiveCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { DescribeKeyCommand, KMSClient, NotFoundException } from '@aws-sdk/client-kms';
import { ConfigError } from '../../infra/data/config-error';
import { selectStages } from '../../infra/data/stage-selection';
import { TABLE_SCHEMAS } from '../../infra/data/schemas';
import { STAGES, STAGE_NAMES, physicalTableName, stageKeyAlias } from '../../infra/data/stages';
import { parseOptions, parseRegion, printable, runCli } from '../shared/cli';
import {
  NETWORK_LIMITS,
  createClients,
  createKmsClient,
  hasEnvironmentCredentials,
  isServiceMissing,
  isUnknownOperation,
  type NetworkLimits,
} from '../shared/clients';
import { createCloudFormationClient, stackDataKey } from '../shared/stage-key-identity';
import { checkKeyAlias, checkTable, formatResults, type Answer, type CheckResult, type TableObservation } from './checks';

const USAGE = `Usage: npm run verify -- --stage <${STAGE_NAMES.join('|')}> [--region <region>] [--endpoint <url>]

Describes the stage's deployed tables (DescribeTable, DescribeTimeToLive,
DescribeContinuousBackups) and its key (KMS DescribeKey of ${stageKeyAlias('<stage>')}, which
must point at the key the stack's outputs name, CloudFormation DescribeStacks), and compares
them with the schema map and the stage policy. Prints one line per check. Checks an
endpoint cannot answer (a local engine has no TTL, PITR or KMS) are reported as UNSUPPORTED,
neither passed nor failed. Each request gives up after ${NETWORK_LIMITS.requestTimeoutMs / 1000} s (${NETWORK_LIMITS.maxAttempts} attempts).
Exit code: 0 no drift found, 1 drift, 2 a usage error or an endpoint that cannot be reached or
refuses the calls.

  --stage <name>    the stage to verify
  --region <name>   AWS region (default: the stage's region)
  --endpoint <url>  another endpoint for DynamoDB, KMS and CloudFormation, e.g. http://127.0.0.1:8000 for
                    npm run local; signed with the environment's credentials (the local
                    engine's own when the environment has none and the URL is loopback)`;

/** `npm run verify`: resolves to the exit code, 1 when a check failed. */
export async function main(
  argv: string[],
  printLine: (line: string) => void = console.log,
  limits: NetworkLimits = NETWORK_LIMITS,
): Promise<number> {
  // Lines quote what the endpoint answered (statuses, names, ARNs): none may act on the terminal.
  const print = (line: string) => printLine(printable(line));
  const options = parseOptions(argv, { stage: { type: 'string' }, region: { type: 'string' }, endpoint: { type: 'string' } }, { usage: USAGE });
  if (options.stage === undefined) throw new ConfigError([`--stage is required; one of ${STAGE_NAMES.join(', ')}.`]);
  const [stage] = selectStages(options.stage);
  const policy = STAGES[stage!];
  const region = options.region === undefined ? policy.region : parseRegion(options.region);
  const endpoint = options.endpoint === undefined ? undefined : parseEndpoint(options.endpoint);
  const target = endpointTarget(region, endpoint, limits);
  const { client } = createClients(target);
  // The stage key is looked up where the tables are: the same endpoint, account and region.
  const kms = createKmsClient(target);
  const cloudformation = createCloudFormationClient(target);

  print(`Verifying stage ${stage} in ${region}${endpoint ? ` at ${endpoint}` : ''}`);
  const results: CheckResult[] = [];
  // AWS's own endpoints have every API; only another endpoint may be an engine without TTL.
  const canSetTtl = endpoint
    ? memo(() => hasOperation(client, new UpdateTimeToLiveCommand({ TableName: '', TimeToLiveSpecification: undefined })))
    : async () => true;
  try {
    const aliasKeyArn = await describeKeyArn(kms, stageKeyAlias(stage!));
    // An alias can be moved: it must point at the key the stack created, which the tables are checked against.
    const stackKey = 'answered' in aliasKeyArn && aliasKeyArn.answered ? await stackDataKey(cloudformation, stage!) : undefined;
    const { result: aliasResult, stageKeyArn } = checkKeyAlias(stage!, aliasKeyArn, stackKey);
    if (aliasResult) results.push(aliasResult);
    for (const schema of TABLE_SCHEMAS) {
      const observation = await observeTable(client, physicalTableName(schema.name, stage!), 'ttl' in schema, canSetTtl);
      results.push(...checkTable(schema, stage!, policy, { ...observation, stageKeyArn }));
    }
  } finally {
    client.destroy();
    kms.destroy();
    cloudformation.destroy();
  }
  for (const line of formatResults(results)) print(line);
  return results.some((result) => result.status === 'FAIL') ? 1 : 0;
}

/**
 * The clients' target for a command given `--endpoint`: signed with the environment's credentials,
 * or, on a loopback endpoint when the environment has none, with the local engine's fixed ones
 * (`npm run local`, which checks no signature). Without an endpoint, AWS and its credential chain.
 */
export function endpointTarget(region: string, endpoint: string | undefined, limits: NetworkLimits = NETWORK_LIMITS) {
  const local = endpoint !== undefined && isLoopback(endpoint) && !hasEnvironmentCredentials();
  return { region, endpoint, local, limits };
}

/** The ARN of the key an alias names, undefined when no key has that alias; unsupported where the endpoint has no KMS. */
async function describeKeyArn(kms: KMSClient, alias: string): Promise<Answer<string | undefined>> {
  try {
    return { answered: (await kms.send(new DescribeKeyCommand({ KeyId: alias }))).KeyMetadata?.Arn };
  } catch (error) {
    if (error instanceof NotFoundException) return { answered: undefined };
    if (isServiceMissing(error)) return { unsupported: 'this endpoint does not answer KMS, so the alias cannot be looked up' };
    throw error;
  }
}

/** Asks the three describe APIs about one table; an API the endpoint lacks becomes `unsupported`. */
export async function observeTable(
  client: DynamoDBClient,
  TableName: string,
  declaresTtl: boolean,
  canSetTtl: () => Promise<boolean>,
): Promise<Omit<TableObservation, 'stageKeyArn'>> {
  let table;
  try {
    ({ Table: table } = await client.send(new DescribeTableCommand({ TableName })));
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
    return { timeToLive: { unsupported: 'table not found' }, continuousBackups: { unsupported: 'table not found' } };
  }
  let timeToLive = await answer('DescribeTimeToLive', async () =>
    (await client.send(new DescribeTimeToLiveCommand({ TableName }))).TimeToLiveDescription ?? {},
  );
  // dynalite answers DescribeTimeToLive with a fixed DISABLED but has no UpdateTimeToLive: on an
  // engine where TTL cannot be set, DISABLED says nothing about a table that should have TTL.
  if (declaresTtl && 'answered' in timeToLive && (timeToLive.answered.TimeToLiveStatus ?? 'DISABLED') === 'DISABLED' && !(await canSetTtl())) {
    timeToLive = { unsupported: 'this endpoint has no UpdateTimeToLive API, so its TTL status (always DISABLED) says nothing' };
  }
  const continuousBackups = await answer('DescribeContinuousBackups', async () =>
    (await client.send(new DescribeContinuousBackupsCommand({ TableName }))).ContinuousBackupsDescription ?? { ContinuousBackupsStatus: undefined },
  );
  return { table, timeToLive, continuousBackups };
}

async function answer<T>(api: string, call: () => Promise<T>): Promise<Answer<T>> {
  try {
    return { answered: await call() };
  } catch (error) {
    if (!isUnknownOperation(error)) throw error;
    return { unsupported: `this endpoint has no ${api} API` };
  }
}

/**
 * Whether the endpoint implements an operation, asked with a request every implementation
 * rejects as invalid (an empty table name), so the probe can change nothing.
 */
async function hasOperation(client: DynamoDBClient, invalidRequest: UpdateTimeToLiveCommand): Promise<boolean> {
  try {
    await client.send(invalidRequest);
  } catch (error) {
    return !isUnknownOperation(error);
  }
  return true;
}

/** An `--endpoint` value: an http or https URL without credentials in it; a refusal never echoes a password. */
export function parseEndpoint(endpoint: string): string {
  let url;
  try {
    url = new URL(endpoint);
  } catch {
    url = undefined;
  }
  // What is echoed never holds a password: everything from `//` to the last `@` is shown as `***@`.
  const shown = endpoint.replace(/(?<=\/\/).*@/, '***@');
  if (!url || !['http:', 'https:'].includes(url.protocol)) {
    throw new ConfigError([`--endpoint must be an http or https URL such as http://127.0.0.1:8000, not "${shown}".`]);
  }
  if (url.username !== '' || url.password !== '') {
    throw new ConfigError([`--endpoint "${shown}" holds a user name or password; requests are signed with the environment's credentials: leave them out of the URL.`]);
  }
  return endpoint;
}

function isLoopback(endpoint: string): boolean {
  return ['127.0.0.1', 'localhost', '[::1]'].includes(new URL(endpoint).hostname);
}

function memo<T>(compute: () => Promise<T>): () => Promise<T> {
  let value: Promise<T> | undefined;
  return () => (value ??= compute());
}

if (import.meta.main) runCli(main);
