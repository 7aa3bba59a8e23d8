import { runCommand, type CliOutput } from '../shared/cli';

/**
 * What moto (5.2) does not implement as AWS does, so the rehearsal reports it as not checked
 * instead of asserting it; docs/decisions/0062-rehearsal-on-moto.md keeps the same list.
 */
export const MOTO_GAPS = {
  restoreOverrides:
    'moto ignores the billing mode and SSE overrides of RestoreTableToPointInTime and RestoreTableFromBackup: a restored table reports no billing mode and no encryption',
  sseChanges: "moto ignores UpdateTable's SSESpecification, so a table's key cannot be switched after creation (the alias is switched instead)",
  disabledKeys: 'moto lets a disabled KMS key encrypt and decrypt, so a disabled token or table key cannot be rehearsed',
  iam: 'moto treats every IAM resource as "*" and evaluates no condition, so the grants and key policies are checked by the template assertions only',
  concurrentConditions: 'moto does not serialize concurrent conditional writes to one item: two racing claims or token refreshes can both succeed there, never on DynamoDB',
} as const;

/** One line per outcome, and the tally the exit code comes from. */
export class Rehearsal {
  private readonly print: (line: string) => void;
  private passed = 0;
  private readonly failures: string[] = [];
  private readonly unchecked = new Set<string>();

  constructor(print: (line: string) => void) {
    this.print = print;
  }

  /** A heading for the checks that follow. */
  section(title: string): void {
    this.print('');
    this.print(`== ${title}`);
  }

  /** Records a check: PASS, or FAIL with what was found. */
  check(name: string, ok: boolean, found?: string): boolean {
    if (ok) this.passed += 1;
    else this.failures.push(name);
    this.print(`${ok ? 'PASS' : 'FAIL'}  ${name}${!ok && found ? `: ${found}` : ''}`);
    return ok;
  }

  /** Something moto cannot answer: said, never asserted. */
  notChecked(name: string, reason: string): void {
    this.unchecked.add(reason);
    this.print(`NOT CHECKED  ${name}: ${reason}`);
  }

  /** A free-form line of context. */
  note(line: string): void {
    this.print(`  ${line}`);
  }

  /** The closing lines; resolves to the exit code (1 when a check failed). */
  finish(seconds: number): number {
    this.section('Summary');
    this.print(`${this.passed} passed, ${this.failures.length} failed in ${seconds.toFixed(1)} s.`);
    if (this.unchecked.size > 0) {
      this.print('Not checked, because moto cannot answer it (docs/decisions/0062-rehearsal-on-moto.md):');
      for (const reason of MOTO_GAPS_ORDER.filter((gap) => this.unchecked.has(gap))) this.print(`  - ${reason}`);
    }
    for (const failure of this.failures) this.print(`FAILED: ${failure}`);
    return this.failures.length > 0 ? 1 : 0;
  }
}

const MOTO_GAPS_ORDER: readonly string[] = Object.values(MOTO_GAPS);

/** A command's main run in this process: its exit code and every line it printed, stdout and stderr. */
export async function runMain(main: (argv: string[], print: (line: string) => void) => Promise<number>, argv: string[]) {
  const lines: string[] = [];
  const output: CliOutput = { stdout: (line) => lines.push(line), stderr: (line) => lines.push(line) };
  const code = await runCommand((args) => main(args, output.stdout), argv, output);
  return { code, lines };
}

/** A verify result line as `formatResults` prints it, read back: status, table and check. */
export interface ResultLine {
  readonly status: string;
  readonly table: string;
  readonly check: string;
}

/** The result lines among a command's output (verify's, or restore's indented copy). */
export function resultLines(lines: readonly string[]): ResultLine[] {
  return lines.flatMap((line) => {
    const match = /^\s*(PASS|FAIL|UNSUPPORTED)\s+(\S+)\s+(\S(?:\S| (?! ))*)/.exec(line);
    return match ? [{ status: match[1]!, table: match[2]!, check: match[3]! }] : [];
  });
}
