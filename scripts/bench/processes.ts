import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { buildClientPackage } from '../shared/client-build';
import { quantile } from './paired';

const ROOT = join(import.meta.dirname, '..', '..');

/** The client built as the package ships it, under node_modules so that it resolves the installed SDK. */
export async function buildClient(): Promise<string> {
  const outDir = join(ROOT, 'node_modules', '.cache', 'inavor-bench', 'dist');
  await buildClientPackage(outDir);
  return join(outDir, 'client');
}

/** Runs `script` in a new Node process from the repository and returns the number it prints (nanoseconds). */
function timed(script: string): number {
  return Number(execFileSync(process.execPath, ['-e', script], { cwd: ROOT, encoding: 'utf8' }).trim());
}

export interface ProcessPairs {
  readonly name: string;
  /** Median over pairs of the baseline's time over the client's: 1 means the same, under 1 slower. */
  readonly ratio: number;
  readonly client: number;
  readonly hand: number;
  readonly low: number;
  readonly high: number;
}

/** `rounds` pairs of fresh processes, the two scripts alternated; each prints its own time. */
function pairs(name: string, client: string, hand: string, rounds: number): ProcessPairs {
  const times = { client: [] as number[], hand: [] as number[] };
  for (let round = 0; round < rounds; round += 1) {
    const order = round % 2 ? (['hand', 'client'] as const) : (['client', 'hand'] as const);
    for (const form of order) times[form].push(timed(form === 'client' ? client : hand));
  }
  const ratios = times.hand.map((hand, i) => hand / times.client[i]!);
  return { name, ratio: quantile(ratios, 0.5), client: quantile(times.client, 0.5), hand: quantile(times.hand, 0.5), low: Math.min(...ratios), high: Math.max(...ratios) };
}

/**
 * Cold start: requiring the built `./client` (without token crypto) beside requiring the two SDK
 * packages a hand-written client needs, each in a fresh process.
 */
export function coldStart(clientDir: string, rounds: number): ProcessPairs {
  const clock = (body: string) => `const t = process.hrtime.bigint(); ${body}; process.stdout.write(String(process.hrtime.bigint() - t));`;
  return pairs(
    'require at a cold start',
    clock(`require(${JSON.stringify(join(clientDir, 'index.js'))})`),
    clock(`require('@aws-sdk/client-dynamodb'); require('@aws-sdk/lib-dynamodb')`),
    rounds,
  );
}

/**
 * Unrelated work of the app (10,000 awaited promises) in a process where an observed client ran an
 * operation first, beside the same work in a process where none did: the client must leave the
 * rest of the process as fast as it was.
 */
export function unrelatedWork(clientDir: string, rounds: number): ProcessPairs {
  const work = `const t = process.hrtime.bigint(); for (let i = 0; i < 10000; i += 1) await Promise.resolve(i); process.stdout.write(String(process.hrtime.bigint() - t));`;
  const observed = `const { createDataClient } = require(${JSON.stringify(join(clientDir, 'index.js'))});
const data = createDataClient({ tables: { Shops: 's', Jobs: 'j', ImportHistory: 'h' }, observe: () => undefined, doc: { send: async () => ({}) } });
await data.jobs.create({ shopDomain: 'x.myshopify.com', type: 'import', mode: 'create', isDryRun: false, totalProducts: 1 }).catch(() => undefined);`;
  return pairs('unrelated awaits after an observed operation', `(async () => { ${observed} ${work} })()`, `(async () => { ${work} })()`, rounds);
}
