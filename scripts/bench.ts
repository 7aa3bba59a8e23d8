import { PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { JobsClient, type NewJob } from '../infra/client/jobs';
import { expiresAt } from '../infra/client/ttl';
import { tableSchema } from '../infra/schemas';
import { physicalTableName } from '../infra/stages';
import { ConfigError } from '../infra/stage-selection';
import { parseOptions, runCli } from './lib/cli';
import { createClients } from './lib/clients';
import { startLocalEngine } from './lib/local-engine';
import { createTables, tablesFromTemplate } from './lib/template-tables';

const USAGE = `Usage: npm run bench -- [--rounds <n>] [--ops <n>]

Starts dynalite in process with the dev tables and measures operations per second of the data
client's create, claim, progress and list next to the same requests written by hand with
@aws-sdk/lib-dynamodb, interleaved round by round; prints the median of each and whether the
client is within 10% of hand-written.

  --rounds <n>  rounds per operation and form (default 7)
  --ops <n>     sequential operations per round (default 200)`;

const TABLE = physicalTableName('Jobs', 'dev');
const SHOP = 'bench.myshopify.com';
const JOB: NewJob = { shopDomain: SHOP, type: 'import', mode: 'upsert', isDryRun: false, totalProducts: 1000 };
const TOLERANCE = 0.1;

/** One operation in both forms; `prepare` makes the job ids a round works on. */
interface Operation {
  readonly name: string;
  readonly client: (jobId: string) => Promise<unknown>;
  readonly hand: (jobId: string) => Promise<unknown>;
}

function operations(jobs: JobsClient, doc: DynamoDBDocumentClient): Operation[] {
  const ttl = tableSchema('Jobs').ttl;
  const now = () => new Date().toISOString();
  return [
    {
      name: 'create',
      client: () => jobs.create(JOB),
      hand: () => {
        const at = new Date();
        return doc.send(
          new PutCommand({
            TableName: TABLE,
            Item: { jobId: ulid(at.getTime()), ...JOB, createdAt: at.toISOString(), updatedAt: at.toISOString(), status: 'PENDING', processedProducts: 0, expiresAt: expiresAt(ttl, at) },
            ConditionExpression: 'attribute_not_exists(#id)',
            ExpressionAttributeNames: { '#id': 'jobId' },
          }),
        );
      },
    },
    {
      name: 'claim',
      client: (jobId) => jobs.claim(jobId),
      hand: (jobId) =>
        doc.send(
          new UpdateCommand({
            TableName: TABLE,
            Key: { jobId },
            UpdateExpression: 'SET #status = :to, #updatedAt = :now',
            ConditionExpression: '#status = :from',
            ExpressionAttributeNames: { '#status': 'status', '#updatedAt': 'updatedAt' },
            ExpressionAttributeValues: { ':from': 'PENDING', ':to': 'RUNNING', ':now': now() },
            ReturnValues: 'ALL_NEW',
          }),
        ),
    },
    {
      name: 'progress',
      client: (jobId) => jobs.progress(jobId, 10),
      hand: (jobId) =>
        doc.send(
          new UpdateCommand({
            TableName: TABLE,
            Key: { jobId },
            UpdateExpression: 'SET #processed = :processed, #updatedAt = :now',
            ConditionExpression: '#status = :running AND (attribute_not_exists(#processed) OR #processed <= :processed)',
            ExpressionAttributeNames: { '#status': 'status', '#processed': 'processedProducts', '#updatedAt': 'updatedAt' },
            ExpressionAttributeValues: { ':running': 'RUNNING', ':processed': 10, ':now': now() },
            ReturnValues: 'ALL_NEW',
          }),
        ),
    },
    {
      name: 'list',
      client: () => jobs.listByShop(SHOP, { limit: 20 }),
      hand: () =>
        doc.send(
          new QueryCommand({
            TableName: TABLE,
            IndexName: 'shopDomain-createdAt',
            KeyConditionExpression: '#pk = :pk AND #sk >= :from',
            ExpressionAttributeNames: { '#pk': 'shopDomain', '#sk': 'createdAt' },
            ExpressionAttributeValues: { ':pk': SHOP, ':from': new Date(Date.now() - 90 * 86_400_000 + 1000).toISOString() },
            ScanIndexForward: false,
            Limit: 20,
          }),
        ),
    },
  ];
}

/** Operations per second of `ops` sequential calls. */
async function measure(call: (jobId: string) => Promise<unknown>, jobIds: readonly string[]): Promise<number> {
  const start = process.hrtime.bigint();
  for (const jobId of jobIds) await call(jobId);
  return jobIds.length / (Number(process.hrtime.bigint() - start) / 1e9);
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function positiveInteger(value: string | undefined, fallback: number, flag: string): number {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) throw new ConfigError([`${flag} must be a whole number of 1 or more, not "${value}".`]);
  return number;
}

/** `npm run bench`: resolves to the exit code (0 also when the client is slower: the bench reports, it does not gate). */
export async function main(argv: string[], print: (line: string) => void = console.log): Promise<number> {
  const options = parseOptions(argv, { rounds: { type: 'string' }, ops: { type: 'string' } }, { usage: USAGE });
  const rounds = positiveInteger(options.rounds, 7, '--rounds');
  const ops = positiveInteger(options.ops, 200, '--ops');
  const { synthStageTemplate } = await import('./lib/stage-template');
  const tables = tablesFromTemplate(synthStageTemplate('dev')).filter(({ createTable }) => createTable.TableName === TABLE);
  const engine = await startLocalEngine({ port: 0 });
  const { client, doc } = createClients({ region: 'us-east-1', endpoint: engine.endpoint, local: true });
  try {
    await createTables(client, tables);
    const jobs = new JobsClient({ doc, table: TABLE });
    const results = new Map<string, { client: number[]; hand: number[] }>();
    // Fresh PENDING jobs for each claim run; claimed ones for each progress run.
    const pending = async () => Promise.all(Array.from({ length: ops }, () => jobs.create(JOB).then((job) => job.jobId)));
    for (let round = 0; round < rounds; round += 1) {
      for (const operation of operations(jobs, doc)) {
        const result = results.get(operation.name) ?? { client: [], hand: [] };
        // Alternate which form goes first, so neither always meets a warmer engine.
        const forms = round % 2 ? (['hand', 'client'] as const) : (['client', 'hand'] as const);
        for (const form of forms) {
          let ids = Array.from({ length: ops }, () => '');
          if (operation.name === 'claim' || operation.name === 'progress') ids = await pending();
          if (operation.name === 'progress') for (const id of ids) await jobs.claim(id);
          result[form].push(await measure(operation[form], ids));
        }
        results.set(operation.name, result);
      }
    }
    print(`dynalite in process, ${rounds} rounds of ${ops} sequential operations per form; median operations per second.`);
    print('');
    print('| operation | data client | hand-written lib-dynamodb | client / hand | within 10% |');
    print('| --- | ---: | ---: | ---: | --- |');
    let allWithin = true;
    for (const [name, result] of results) {
      const ratio = median(result.client) / median(result.hand);
      const within = ratio >= 1 - TOLERANCE;
      allWithin &&= within;
      print(`| ${name} | ${median(result.client).toFixed(0)} | ${median(result.hand).toFixed(0)} | ${ratio.toFixed(2)} | ${within ? 'yes' : 'no'} |`);
    }
    print('');
    print(allWithin ? 'The client is within 10% of hand-written requests for every operation.' : 'The client is more than 10% slower than hand-written requests for at least one operation.');
    return 0;
  } finally {
    client.destroy();
    await engine.close();
  }
}

if (require.main === module) runCli(main);
