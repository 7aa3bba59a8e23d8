import { randomBytes } from 'node:crypto';
import { createDataClient, JobsClient, rawAesKeyring, TokenCrypto } from '../../infra/client';
import { ConfigError } from '../../infra/data/config-error';
import { parseOptions, runCli } from '../shared/cli';
import { createClients } from '../shared/clients';
import { startLocalEngine } from '../shared/local-engine';
import { createTables, tablesFromTemplate } from '../shared/template-tables';
import { JOB, JOBS_TABLE, SHOPS_TABLE, jobOperations, sessionOperation } from './operations';
import { pairedRound, printResults, record, type Results } from './paired';
import { buildClient, coldStart, unrelatedWork, type ProcessPairs } from './processes';

const USAGE = `Usage: npm run bench -- [--rounds <n>] [--ops <n>] [--observe]

Starts dynalite in process with the dev tables and measures operations per second of the data
client's create, claim, progress and list, and of the session storage's loadSession of a warm
offline session, next to the same requests written by hand with @aws-sdk/lib-dynamodb (for
loadSession: one GetItem of a plain-text item, what a plain-text session storage does). Within a
round the two forms' calls alternate one by one; prints each operation's median ratio over its
pairs of calls, the spread of the rounds, and whether it is at 0.90 or better. Then, in fresh
processes alternated pair by pair: requiring the built client beside requiring lib-dynamodb, and
unrelated work after an observed operation beside the same work alone (bar: 1/1.15 and 0.95).

  --rounds <n>  paired rounds per operation (and process pairs), 1 to 50 (default 9)
  --ops <n>     sequential calls per form and round, 1 to 1000 (default 100)
  --observe     give the data client an observer (every operation reports an event)`;

/** Both forms within 10%: the client at 0.90 of hand-written or better. */
const BAR = 0.9;
/** Cold start within 1.15x of requiring lib-dynamodb; unrelated work within 5% (noise) of untouched. */
const COLD_BAR = 1 / 1.15;
const UNRELATED_BAR = 0.95;
/**
 * Defaults and bounds. The bounds keep the longest run near an hour at the ~300 requests per second
 * dynalite answers here (50 rounds × 5 operations × 2 forms × 1000 calls, plus the jobs that claim
 * and progress rounds need, 2 × ops each) and dynalite's in-memory items to a few hundred MB.
 */
const ROUNDS = { fallback: 9, max: 50 };
const OPS = { fallback: 100, max: 1000 };

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
  const options = parseOptions(argv, { rounds: { type: 'string' }, ops: { type: 'string' }, observe: { type: 'boolean' } }, { usage: USAGE });
  const rounds = boundedInteger(options.rounds, ROUNDS, '--rounds');
  const ops = boundedInteger(options.ops, OPS, '--ops');
  const observe = options.observe ? { observe: () => undefined } : {};
  const { synthStageTemplate } = await import('../shared/stage-template');
  const tables = tablesFromTemplate(synthStageTemplate('dev')).filter(({ createTable }) => [JOBS_TABLE, SHOPS_TABLE].includes(createTable.TableName!));
  const engine = await startLocalEngine({ port: 0 });
  const { client, doc } = createClients({ region: 'us-east-1', endpoint: engine.endpoint, local: true });
  try {
    await createTables(client, tables);
    const jobs = new JobsClient({ doc, table: JOBS_TABLE, ...observe });
    let opened = 0;
    const crypto = new (class extends TokenCrypto {
      override open(...args: Parameters<TokenCrypto['open']>) {
        opened += 1;
        return super.open(...args);
      }
    })(rawAesKeyring(randomBytes(32)));
    const data = createDataClient({ tables: { Shops: SHOPS_TABLE, Jobs: JOBS_TABLE, ImportHistory: 'ImportHistory-dev' }, doc, tokenCrypto: crypto, ...observe });
    const session = await sessionOperation(data, doc, () => opened);
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
    // A call the machine stalled (another process, a GC pause) moves a median by one place, where it
    // would move a sum by its whole stall.
    const results: Results = new Map();
    for (let round = 0; round < rounds; round += 1) {
      for (const operation of [...jobOperations(jobs, doc), session.operation]) {
        const ids = { client: await idsFor(operation.name), hand: await idsFor(operation.name) };
        // Alternate which form opens the round, so neither always meets the warmer engine.
        record(results, operation.name, await pairedRound(operation, ids, round % 2 ? 'hand' : 'client'));
      }
    }
    print(`dynalite in process, ${rounds} rounds of ${ops} calls per form, client and hand-written calls alternated one by one${options.observe ? ', the client with an observer' : ''}.`);
    print('A pair is call i of each form, made side by side; its ratio is hand-written call time over client call time (client ops/s over hand-written ops/s).');
    print("The verdict reads the median of every pair's ratio; the spread is that of the rounds' own medians.");
    print('');
    const within = printResults(results, () => BAR, print);
    print('');
    print(`Values opened (KMS Decrypt requests in AWS) over ${rounds * ops} warm loads: ${session.decrypts()}.`);
    print('');
    const clientDir = await buildClient();
    const processes: ProcessPairs[] = [coldStart(clientDir, rounds), unrelatedWork(clientDir, rounds)];
    const bars = [COLD_BAR, UNRELATED_BAR];
    print(`Fresh processes, ${rounds} pairs alternated; the ratio is the baseline's time over the client's (1 the same, under 1 slower).`);
    print('');
    print('| measure | with the client (ms) | baseline (ms) | baseline / client (median of pairs) | pairs: lowest–highest | at its bar |');
    print('| --- | ---: | ---: | ---: | ---: | --- |');
    let processesWithin = true;
    processes.forEach((pair, i) => {
      const ok = pair.ratio >= bars[i]!;
      processesWithin &&= ok;
      print(`| ${pair.name} | ${(pair.client / 1e6).toFixed(1)} | ${(pair.hand / 1e6).toFixed(1)} | ${pair.ratio.toFixed(2)} | ${pair.low.toFixed(2)}–${pair.high.toFixed(2)} | ${ok ? 'yes' : 'no'} (${bars[i]!.toFixed(2)}) |`);
    });
    print('');
    print(
      within && processesWithin
        ? 'Every measure is at its bar: the client within 10% of hand-written requests, its cold start within 1.15x, unrelated work untouched.'
        : 'At least one measure is below its bar (see the last column).',
    );
    return 0;
  } finally {
    client.destroy();
    await engine.close();
  }
}

if (import.meta.main) runCli(main);
