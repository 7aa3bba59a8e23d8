// ConfigError lives with the data, apart from the CDK code, so the commands can report a usage error without loading aws-cdk-lib.
/** A mistake in what the user asked for or in the configuration; reported without a stack trace. */
export class ConfigError extends Error {
  public readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(problems.join('\n'));
    this.problems = problems;
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
