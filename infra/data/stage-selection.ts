// ConfigError lives apart from the CDK code so the scripts can report usage errors without loading aws-cdk-lib.
import { STAGE_NAMES, type StageName } from './stages';

/** A mistake in what the user asked for or in the configuration; reported without a stack trace. */
export class ConfigError extends Error {
  constructor(public readonly problems: readonly string[]) {
    super(problems.join('\n'));
    this.name = 'ConfigError';
  }
}

/**
 * Prints a ConfigError the way every command does: one `Error:` line per problem, no stack trace. A
 * problem that quotes a file or another library's message may hold a line break; it is folded.
 */
export function printConfigError(error: ConfigError, write: (line: string) => void = console.error): void {
  for (const problem of error.problems) write(`Error: ${problem.replace(/\s*\n\s*/g, ' ').trim()}`);
}

/** Runs a synchronous command-line entry: a ConfigError is printed and exits 1. */
export function runReportingConfigErrors(main: () => void): void {
  try {
    main();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    printConfigError(error);
    process.exit(1);
  }
}

/** The message for a stage name that is not one of `stageNames`. */
export function unknownStageMessage(requested: unknown, stageNames: readonly string[]): string {
  return `Unknown stage "${String(requested)}"; valid stages: ${stageNames.join(', ')}.`;
}

/** The stages to act on: the one named (e.g. by `--stage <name>`), or every stage. */
export function selectStages(requested: unknown): StageName[] {
  if (requested === undefined) return [...STAGE_NAMES];
  if ((STAGE_NAMES as readonly unknown[]).includes(requested)) return [requested as StageName];
  throw new ConfigError([unknownStageMessage(requested, STAGE_NAMES)]);
}
