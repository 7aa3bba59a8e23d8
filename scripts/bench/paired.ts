/** The data client, or the same request written by hand with lib-dynamodb. */
export type Form = 'client' | 'hand';

/** One operation in both forms, each called with a job id (claim and progress) or an unused one. */
export interface Operation {
  readonly name: string;
  readonly client: (id: string) => Promise<unknown>;
  readonly hand: (id: string) => Promise<unknown>;
}

/** Per operation: every pair's ratio, and per round each form's median call time and the median of its pairs' ratios. */
export type Results = Map<string, { pairs: number[]; rounds: { client: number; hand: number; ratio: number }[] }>;

/**
 * Nanoseconds of each call of one round, per form, the two forms' calls alternated one by one
 * (A B A B …), so a busy moment of the machine reaches both alike.
 */
export async function pairedRound(operation: Operation, ids: Record<Form, readonly string[]>, first: Form): Promise<Record<Form, number[]>> {
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

/** Adds one round of `calls` to the operation's results. */
export function record(results: Results, name: string, calls: Record<Form, number[]>): void {
  const pairs = calls.hand.map((hand, call) => hand / calls.client[call]!);
  const result = results.get(name) ?? { pairs: [], rounds: [] };
  result.pairs.push(...pairs);
  result.rounds.push({ client: quantile(calls.client, 0.5), hand: quantile(calls.hand, 0.5), ratio: quantile(pairs, 0.5) });
  results.set(name, result);
}

/** The `q` quantile (0 to 1) of `values`, interpolated between neighbours. */
export function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (sorted.length - 1) * q;
  const below = Math.floor(at);
  return sorted[below]! + (sorted[Math.min(below + 1, sorted.length - 1)]! - sorted[below]!) * (at - below);
}

/**
 * The table of `results`: per operation, both forms' rates, the median pair ratio (client speed
 * over hand-written), the spread of the rounds, and whether it is at least `bar`. Returns whether
 * every operation is.
 */
export function printResults(results: Results, bar: (name: string) => number, print: (line: string) => void, unit = 'ops/s'): boolean {
  print(`| operation | data client ${unit} | hand-written ${unit} | client / hand (median of pairs) | rounds: middle half | rounds: lowest–highest | at its bar |`);
  print('| --- | ---: | ---: | ---: | ---: | ---: | --- |');
  let allWithin = true;
  for (const [name, { pairs, rounds: rows }] of results) {
    const perSecond = (form: Form) => 1e9 / quantile(rows.map((round) => round[form]), 0.5);
    const ratio = quantile(pairs, 0.5);
    const within = ratio >= bar(name);
    allWithin &&= within;
    const ratios = rows.map((round) => round.ratio);
    const spread = (low: number, high: number) => `${quantile(ratios, low).toFixed(2)}–${quantile(ratios, high).toFixed(2)}`;
    print(`| ${name} | ${perSecond('client').toFixed(unit === 'ops/s' ? 0 : 2)} | ${perSecond('hand').toFixed(unit === 'ops/s' ? 0 : 2)} | ${ratio.toFixed(2)} | ${spread(0.25, 0.75)} | ${spread(0, 1)} | ${within ? `yes (${bar(name).toFixed(2)})` : `no (${bar(name).toFixed(2)})`} |`);
  }
  return allWithin;
}
