import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ConfigError, printConfigError } from '../../infra/data/config-error';
import { AWS_REGIONS } from '../../infra/validation';

type OptionsConfig = NonNullable<ParseArgsConfig['options']>;

/** What a command accepts besides its options; giving it makes `--help`/`-h` print the usage. */
export interface CommandLine {
  /** The usage text `--help` prints; its first line is the hint printed under a usage error. */
  readonly usage: string;
  /** True when the command takes positional arguments (e.g. files); refused otherwise. */
  readonly positionals?: boolean;
}

/** `--help` was asked for: the runner prints the usage and exits 0; the command does nothing else. */
export class HelpRequested extends Error {
  public readonly usage: string;

  constructor(usage: string) {
    super('--help');
    this.usage = usage;
    this.name = 'HelpRequested';
  }
}

/** A mistake on the command line; reported in one line, with the usage's first line as a hint. */
export class UsageError extends ConfigError {
  public readonly usage?: string;

  constructor(problem: string, usage?: string) {
    super([problem]);
    this.usage = usage;
    this.name = 'UsageError';
  }
}

/**
 * Parses a command line strictly: unknown options, missing or empty values, an option given twice
 * and positionals where the command takes none become a {@link UsageError}. With `commandLine`,
 * `--help` or `-h` anywhere before `--` throws {@link HelpRequested} before anything else is looked at.
 */
export function parseCommandLine<T extends OptionsConfig>(argv: readonly string[], options: T, commandLine?: CommandLine) {
  const usage = commandLine?.usage;
  if (usage !== undefined) {
    const end = argv.indexOf('--');
    if ((end === -1 ? argv : argv.slice(0, end)).some((arg) => arg === '--help' || arg === '-h')) throw new HelpRequested(usage);
  }
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options, strict: true, allowPositionals: commandLine?.positionals === true, tokens: true });
  } catch (error) {
    // Printed one line per problem: printConfigError folds Node's several-line messages.
    throw new UsageError((error as Error).message.replace(/(?<![.?])$/, '.'), usage);
  }
  // Node's parser keeps the last of two values silently: `--stage dev --stage prod` would act on prod.
  const given = new Set<string>();
  for (const token of parsed.tokens) {
    if (token.kind !== 'option') continue;
    if (given.has(token.name)) throw new UsageError(`--${token.name} is given more than once; give it once.`, usage);
    given.add(token.name);
  }
  for (const [name, value] of Object.entries(parsed.values)) {
    if ([value].flat().includes('')) throw new UsageError(`--${name} needs a value; it was given an empty one.`, usage);
  }
  // Typed from the config only when allowPositionals is a literal; here it is decided per command.
  const positionals = parsed.positionals as string[];
  if (positionals.includes('')) throw new UsageError('An argument is empty.', usage);
  return { values: parsed.values, positionals };
}

/** Parses command-line options (see {@link parseCommandLine}); a mistake is a one-line {@link ConfigError}. */
export function parseOptions<T extends OptionsConfig>(argv: readonly string[], options: T, commandLine?: CommandLine) {
  return parseCommandLine(argv, options, commandLine).values;
}

/** A TCP port given as text: decimal digits only, 0 to 65535 (no sign, exponent, hex or fraction). */
export function parsePort(value: string, flag = '--port'): number {
  if (!/^\d{1,5}$/.test(value) || Number(value) > 65_535) {
    throw new ConfigError([`${flag} must be a whole number from 0 to 65535, not "${value}".`]);
  }
  return Number(value);
}

/** An AWS region name (e.g. us-east-1), checked offline, so a typo is refused before any request. */
export function parseRegion(value: string, flag = '--region'): string {
  if (!(AWS_REGIONS as readonly string[]).includes(value)) {
    throw new ConfigError([`${flag} must be an AWS region name (e.g. us-east-1), not "${value}".`]);
  }
  return value;
}

// C0 and C1 controls (escape sequences, line breaks, carriage returns, backspaces) and the Unicode
// marks that reorder, hide or break text (bidirectional overrides, zero-width characters, line separators).
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g;

/**
 * Text from outside the command (an endpoint's answer, a file's content) as it may be printed on
 * one line: every character that would act on the terminal or forge another line is shown as an
 * escape (`\x1b`, `\x0a`, `\u202e`) instead.
 */
export function printable(text: string): string {
  return text.replace(UNPRINTABLE, (char) => {
    const code = char.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/** Where a command's lines go: the terminal, or collectors in a test. */
export interface CliOutput {
  readonly stdout: (line: string) => void;
  readonly stderr: (line: string) => void;
}

/** The process's own stdout and stderr. */
export const PROCESS_OUTPUT: CliOutput = { stdout: (line) => console.log(line), stderr: (line) => console.error(line) };

/**
 * Runs a command's main function and returns its exit code: the number it resolves to, 0 after
 * printing the usage for `--help`, 2 after printing one `Error:` line for an expected failure (a
 * ConfigError, an AWS service error, missing credentials). Anything else is a bug and is rethrown,
 * stack trace included.
 */
export async function runCommand(
  main: (argv: string[]) => number | Promise<number>,
  argv: readonly string[],
  output: CliOutput = PROCESS_OUTPUT,
): Promise<number> {
  try {
    return await main([...argv]);
  } catch (error) {
    if (error instanceof HelpRequested) {
      output.stdout(error.usage);
      return 0;
    }
    if (error instanceof ConfigError) {
      // A problem may quote an endpoint's answer or a file: printed so that it cannot forge a line.
      printConfigError(error, (line) => output.stderr(printable(line)));
      if (error instanceof UsageError && error.usage !== undefined) output.stderr(error.usage.split('\n')[0]!);
      return 2;
    }
    if (isAwsError(error)) {
      output.stderr(printable(`Error: ${error.name}: ${error.message.split('\n')[0]}`));
      return 2;
    }
    throw error;
  }
}

/** Runs a script's main function with the process's arguments and sets the exit code (see {@link runCommand}). */
export function runCli(main: (argv: string[]) => number | Promise<number>): Promise<number> {
  return runCommand(main, process.argv.slice(2)).then((code) => {
    process.exitCode = code;
    return code;
  });
}

// Service errors (access denied, bad signature) and missing credentials are the user's to fix.
function isAwsError(error: unknown): error is Error {
  return error instanceof Error && ('$metadata' in error || error.name === 'CredentialsProviderError');
}
