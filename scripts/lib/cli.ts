import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ConfigError, printConfigError } from '../../infra/stage-selection';

/** Parses command-line options, turning a mistake into a one-line {@link ConfigError}. */
export function parseOptions<T extends NonNullable<ParseArgsConfig['options']>>(argv: readonly string[], options: T) {
  try {
    return parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new ConfigError([(error as Error).message]);
  }
}

/**
 * Runs a script's main function: its resolved number is the exit code; expected failures
 * (ConfigError, or an engine that cannot be reached) print one line and exit 2, without a stack.
 */
export function runCli(main: (argv: string[]) => Promise<number>): void {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      if (error instanceof ConfigError) {
        printConfigError(error);
      } else if (isConnectionError(error)) {
        console.error(`Error: cannot reach the DynamoDB endpoint (${(error as Error).message}).`);
      } else if (isAwsError(error)) {
        console.error(`Error: ${error.name}: ${error.message}`);
      } else {
        throw error;
      }
      process.exitCode = 2;
    },
  );
}

// Service errors (access denied, bad signature) and missing credentials are the user's to fix.
function isAwsError(error: unknown): error is Error {
  return error instanceof Error && ('$metadata' in error || error.name === 'CredentialsProviderError');
}

function isConnectionError(error: unknown): boolean {
  const code = (error as { code?: string } | undefined)?.code;
  return code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN';
}
