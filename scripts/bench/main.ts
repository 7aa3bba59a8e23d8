import { PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { JobsClient, type NewJob } from '../../infra/client/jobs';
import { expiresAt } from '../../infra/client/ttl';
import { tableSchema } from '../../infra/schemas';
import { physicalTableName } from '../../infra/stages';
import { ConfigError } from '../../infra/stage-selection';
import { parseOptions, runCli } from '../shared/cli';
import { createClients } from '../shared/clients';
import { startLocalEngine } from '../shared/local-engine';
import { createTables, tablesFromTemplate } from '../shared/template-tables';

const USAGE = `Usage: npm run bench -- [--rounds <n>] [--ops <n>]

Starts dynalite in process with the dev tables and measures operations per second of the data
client's create, claim, progress and list next to the same requests written by hand with
@aws-sdk/lib-dynamodb. Within a round the two forms' calls alternate one by one; prints each
operation's median ratio over its pairs of calls, the spread of the rounds, and whether the client
is within 10% of hand-written.

  --rounds <n>  paired rounds per operation, 1 to 50 (default 9)
  --ops <n>     sequential calls per form and round, 1 to 1000 (default 100)`;

const TABLE = physicalTableName('Jobs', 'dev');
const SHOP = 'bench.myshopify.com';
const JOB: NewJob = { shopDomain: SHOP, type: 'import', mode: 'upsert', isDryRun: false, totalProducts: 1000 };
const TOLERANCE = 0.1;
/**
 * Defaults and bounds. The bounds keep the longest run near an hour at the ~300 requests per second
 * dynalite answers here (50 rounds × 4 operations × 2 forms × 1000 calls, plus the jobs that claim
 * and progress rounds need, 2 × ops each) and dynalite's in-memory items to a few hundred MB.
 */
const ROUNDS = { fallback: 9, max: 50 };
const OPS = { fallback: 100, max: 1000 };

/** The data client, or the same request written by hand with lib-dynamodb. */
type Form = 'client' | 'hand';

/** One operation in both forms, each called with a job id (claim and progress) or an unused one. */
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

/**
 * Nanoseconds of each call of one round, per form, the two forms' calls alternated one by one
 * (A B A B …), so a busy moment of the machine reaches both alike.
 */
async function pairedRound(operation: Operation, ids: Record<Form, readonly string[]>, first: Form): Promise<Record<Form, number[]>> {
  const order: readonly Form[] = first === 'client' ? ['client', 'hand'] : ['hand', 'client'];
  const calls: Record<Form, number[]> = { client: [], hand: [] };
  for (let call = 0; call < ids.client.length; call += 1) {
    for (const form of order) {
      const start = process.hrtime.bigint();
      await operation[form](ids[form][call]!);
      calls[form].push(Number(process.hrtime.bigint() - start));
    }
  }
  return calls;
}

/** The `q` quantile (0 to 1) of `values`, interpolated between neighbours. */
function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (sorted.length - 1) * q;
  const below = Math.floor(at);
  return sorted[below]! + (sorted[Math.min(below + 1, sorted.length - 1)]! - sorted[below]!) * (at - below);
}

/** A whole number of `flag` from 1 to `max`, digits only (no sign, exponent or fraction). */
function boundedInteger(value: string | undefined, { fallback, max }: { fallback: number; max: number }, flag: string): number {
  if (value === undefined) return fallback;
  if (!/^\d{1,6}$/.test(value) || Number(value) < 1 || Number(value) > max) {
    throw new ConfigError([`${flag} must be a whole number from 1 to ${max}, not "${value}".`]);
  }
  return Number(value);
}

/** `npm run bench`: resolves to the exit code (0 also when the client is slower: the bench reports, it does not gate). */
export async function main(argv: string[], print: (line: string) => void = console.log): Promise<number> {
  const options = parseOptions(argv, { rounds: { type: 'string' }, ops: { type: 'string' } }, { usage: USAGE });
  const rounds = boundedInteger(options.rounds, ROUNDS, '--rounds');
  const ops = boundedInteger(options.ops, OPS, '--ops');
  const { synthStageTemplate } = await import('../shared/stage-template');
  const tables = tablesFromTemplate(synthStageTemplate('dev')).filter(({ createTable }) => createTable.TableName === TABLE);
  const engine = await startLocalEngine({ port: 0 });
  const { client, doc } = createClients({ region: 'us-east-1', endpoint: engine.endpoint, local: true });
  try {
    await createTables(client, tables);
    const jobs = new JobsClient({ doc, table: TABLE });
    // Fresh PENDING jobs for each claim round; claimed ones for each progress round. Made before the
    // clock starts, one at a time: hundreds of requests at once miss the 3 s connect limit on a busy machine.
    const pending = async () => {
      const ids: string[] = [];
      for (let made = 0; made < ops; made += 1) ids.push((await jobs.create(JOB)).jobId);
      return ids;
    };
    const idsFor = async (name: string): Promise<readonly string[]> => {
      if (name !== 'claim' && name !== 'progress') return Array.from({ length: ops }, () => '');
      const ids = await pending();
      if (name === 'progress') for (const id of ids) await jobs.claim(id);
      return ids;
    };
    // Per operation: every pair's ratio (call i of each form, made side by side), and per round each
    // form's median call time and the median of its pairs' ratios. A call the machine stalled
    // (another process, a GC pause) moves a median by one place, where it would move a sum by its
    // whole stall.
    const results = new Map<string, { pairs: number[]; rounds: { client: number; hand: number; ratio: number }[] }>();
    for (let round = 0; round < rounds; round += 1) {
      for (const operation of operations(jobs, doc)) {
        const ids = { client: await idsFor(operation.name), hand: await idsFor(operation.name) };
        // Alternate which form opens the round, so neither always meets the warmer engine.
        const calls = await pairedRound(operation, ids, round % 2 ? 'hand' : 'client');
        const pairs = calls.hand.map((hand, call) => hand / calls.client[call]!);
        const result = results.get(operation.name) ?? { pairs: [], rounds: [] };
        result.pairs.push(...pairs);
        result.rounds.push({ client: quantile(calls.client, 0.5), hand: quantile(calls.hand, 0.5), ratio: quantile(pairs, 0.5) });
        results.set(operation.name, result);
      }
    }
    print(`dynalite in process, ${rounds} rounds of ${ops} calls per form, client and hand-written calls alternated one by one.`);
    print('A pair is call i of each form, made side by side; its ratio is hand-written call time over client call time (client ops/s over hand-written ops/s).');
    print("The verdict reads the median of every pair's ratio; the spread is that of the rounds' own medians.");
    print('');
    print('| operation | data client ops/s | hand-written ops/s | client / hand (median of pairs) | rounds: middle half | rounds: lowest–highest | within 10% |');
    print('| --- | ---: | ---: | ---: | ---: | ---: | --- |');
    let allWithin = true;
    for (const [name, { pairs, rounds: rows }] of results) {
      const perSecond = (form: Form) => 1e9 / quantile(rows.map((round) => round[form]), 0.5);
      const ratio = quantile(pairs, 0.5);
      const within = ratio >= 1 - TOLERANCE;
      allWithin &&= within;
      const ratios = rows.map((round) => round.ratio);
      const spread = (low: number, high: number) => `${quantile(ratios, low).toFixed(2)}–${quantile(ratios, high).toFixed(2)}`;
      print(`| ${name} | ${perSecond('client').toFixed(0)} | ${perSecond('hand').toFixed(0)} | ${ratio.toFixed(2)} | ${spread(0.25, 0.75)} | ${spread(0, 1)} | ${within ? 'yes' : 'no'} |`);
    }
    print('');
    print(
      allWithin
        ? 'The client is within 10% of hand-written requests for every operation (median pair ratio 0.90 or more).'
        : 'The client is more than 10% slower than hand-written requests for at least one operation (median pair ratio under 0.90).',
    );
    return 0;
  } finally {
    client.destroy();
    await engine.close();
  }
}

if (require.main === module) runCli(main);
