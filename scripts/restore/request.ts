import type { TableSchema } from '../../infra/data/schema-model';
import { TABLE_SCHEMAS } from '../../infra/data/schemas';
import { ConfigError } from '../../infra/data/config-error';
import { selectStages } from '../../infra/data/stage-selection';
import { STAGES, physicalTableName, type StageName, type StagePolicy } from '../../infra/data/stages';

/** Where the restored data comes from. */
export type RestoreSource =
  | { readonly kind: 'time'; readonly time: Date }
  | { readonly kind: 'latest' }
  | { readonly kind: 'backup'; readonly backupArn: string };

/** A restore as asked for, checked without any call. */
export interface RestoreRequest {
  readonly stage: StageName;
  readonly policy: StagePolicy;
  readonly schema: TableSchema;
  /** Physical name of the table restored from, e.g. `Jobs-prod`. */
  readonly sourceTable: string;
  /** Physical name of the new table. */
  readonly targetTable: string;
  readonly source: RestoreSource;
  /** Do it; otherwise only print the plan. */
  readonly execute: boolean;
  /** Time between two DescribeTable calls while the restore runs. */
  readonly pollIntervalMs: number;
  /** Longest wait for the restored table to become ACTIVE. */
  readonly maxWaitMs: number;
}

/** The command-line options the request is made from, as `parseOptions` returns them. */
export interface RestoreOptions {
  readonly stage?: string;
  readonly table?: string;
  readonly to?: string;
  readonly latest?: boolean;
  readonly 'backup-arn'?: string;
  readonly target?: string;
  readonly execute?: boolean;
  readonly 'poll-interval'?: string;
  readonly 'max-wait'?: string;
}

/** Defaults of the wait: AWS documents restores of large tables taking hours. */
export const DEFAULT_POLL_SECONDS = 20;
export const DEFAULT_MAX_WAIT_MINUTES = 720;
/** The ranges allowed: no tighter poll than once a second (DescribeTable is throttled), no wait past a day. */
export const POLL_SECONDS_RANGE = [1, 300] as const;
export const MAX_WAIT_MINUTES_RANGE = [1, 1440] as const;

const DAY_MS = 24 * 60 * 60 * 1000;
/** An ISO 8601 time with a zone (Z or ±hh:mm): a zoneless time would be read in the machine's zone. */
const ISO_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,3})?)?(?:Z|[+-]\d{2}:\d{2})$/;
/** A DynamoDB backup ARN, e.g. `arn:aws:dynamodb:us-east-1:123456789012:table/Jobs-prod/backup/01764320400000-a1b2c3d4`. */
const BACKUP_ARN = /^arn:aws[a-z-]*:dynamodb:([a-z0-9-]+):\d{12}:table\/([a-zA-Z0-9_.-]{3,255})\/backup\/\d{13,20}-[0-9a-f]{8}$/;
const TABLE_NAME = /^[a-zA-Z0-9_.-]{3,255}$/;

/**
 * Checks what was asked for, with no call: stage, table, exactly one source, a well-formed time
 * inside the stage's PITR window and not in the future, a backup ARN of this table in this
 * stage's region, a valid new table name. Every problem is one line of the ConfigError.
 */
export function parseRestoreRequest(options: RestoreOptions, now: Date): RestoreRequest {
  const problems: string[] = [];
  if (options.stage === undefined) throw new ConfigError(['--stage is required.']);
  const [stage] = selectStages(options.stage);
  const policy = STAGES[stage!];
  const schema = TABLE_SCHEMAS.find((candidate) => candidate.name === options.table);
  if (schema === undefined) {
    const known = TABLE_SCHEMAS.map((candidate) => candidate.name).join(', ');
    throw new ConfigError([options.table === undefined ? `--table is required; one of ${known}.` : `Unknown table "${options.table}"; tables: ${known}.`]);
  }
  const sourceTable = physicalTableName(schema.name, stage!);

  const given = [options.to !== undefined && '--to', options.latest === true && '--latest', options['backup-arn'] !== undefined && '--backup-arn'].filter(
    (flag): flag is string => flag !== false,
  );
  if (given.length !== 1) {
    throw new ConfigError([
      given.length === 0
        ? 'Say what to restore from: --to <ISO time>, --latest or --backup-arn <arn>.'
        : `${given.join(' and ')} conflict; give exactly one of --to, --latest and --backup-arn.`,
    ]);
  }
  let source: RestoreSource;
  if (options.to !== undefined) source = { kind: 'time', time: parseTime(options.to, now, policy.pitrRecoveryPeriodDays) };
  else if (options.latest) source = { kind: 'latest' };
  else source = { kind: 'backup', backupArn: checkBackupArn(options['backup-arn']!, sourceTable, policy.region) };

  const targetTable = options.target ?? `${sourceTable}-restored-${compactUtc(now)}`;
  if (!TABLE_NAME.test(targetTable)) {
    problems.push(`--target "${targetTable}" breaks DynamoDB's naming rule: 3-255 characters of a-z, A-Z, 0-9, _, . and -.`);
  } else if (targetTable === sourceTable && source.kind !== 'backup') {
    problems.push(`--target ${targetTable} is the source table; a point-in-time restore reads the source, so it needs a new name.`);
  }
  const pollIntervalMs = wholeNumber(options['poll-interval'], '--poll-interval', 'seconds', POLL_SECONDS_RANGE, DEFAULT_POLL_SECONDS, problems) * 1000;
  const maxWaitMs = wholeNumber(options['max-wait'], '--max-wait', 'minutes', MAX_WAIT_MINUTES_RANGE, DEFAULT_MAX_WAIT_MINUTES, problems) * 60 * 1000;
  if (problems.length > 0) throw new ConfigError(problems);
  return { stage: stage!, policy, schema, sourceTable, targetTable, source, execute: options.execute === true, pollIntervalMs, maxWaitMs };
}

function parseTime(text: string, now: Date, pitrDays: number): Date {
  const match = ISO_TIME.exec(text);
  const time = new Date(text);
  if (!match || Number.isNaN(time.getTime()) || !isCalendarDate(Number(match[1]), Number(match[2]), Number(match[3]))) {
    throw new ConfigError([`--to "${text}" is not an ISO 8601 time with a zone, e.g. 2026-11-27T09:30:00Z.`]);
  }
  if (time.getTime() > now.getTime()) {
    throw new ConfigError([`--to ${time.toISOString()} is in the future (now ${now.toISOString()}).`]);
  }
  const earliest = new Date(now.getTime() - pitrDays * DAY_MS);
  if (time.getTime() < earliest.getTime()) {
    throw new ConfigError([
      `--to ${time.toISOString()} is before the stage's ${pitrDays}-day PITR window (earliest ${earliest.toISOString()}); restore from a backup instead (--backup-arn).`,
    ]);
  }
  return time;
}

function isCalendarDate(year: number, month: number, day: number): boolean {
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

function checkBackupArn(arn: string, sourceTable: string, region: string): string {
  if (arn.startsWith('arn:aws:backup:') || arn.includes(':recovery-point:')) {
    throw new ConfigError([
      `--backup-arn ${arn} is an AWS Backup recovery point; restore it with aws backup start-restore-job (docs/restore-runbook.md, "From the backup vault").`,
    ]);
  }
  const match = BACKUP_ARN.exec(arn);
  if (!match) {
    throw new ConfigError([`--backup-arn "${arn}" is not a DynamoDB backup ARN (arn:aws:dynamodb:<region>:<account>:table/<table>/backup/<id>).`]);
  }
  // A restored copy (e.g. Jobs-prod-restored-...) is restored back under the original name during adoption.
  if (match[2] !== sourceTable && !match[2]!.startsWith(`${sourceTable}-`)) {
    throw new ConfigError([`--backup-arn is a backup of ${match[2]}, neither ${sourceTable} nor a copy of it (${sourceTable}-...).`]);
  }
  if (match[1] !== region) throw new ConfigError([`--backup-arn is in ${match[1]}; the stage's tables are in ${region}, where a backup must be restored.`]);
  return arn;
}

/** A whole number of `unit` inside `range`, written in decimal digits only (no exponent, sign or fraction). */
function wholeNumber(
  text: string | undefined,
  flag: string,
  unit: string,
  [min, max]: readonly [number, number],
  fallback: number,
  problems: string[],
): number {
  if (text === undefined) return fallback;
  const value = /^\d{1,6}$/.test(text) ? Number(text) : NaN;
  if (!(value >= min && value <= max)) {
    problems.push(`${flag} "${text}" is not a whole number of ${unit} from ${min} to ${max}.`);
    return fallback;
  }
  return value;
}

/** `20261128T032300Z`: sortable, and only characters a table name allows. */
function compactUtc(time: Date): string {
  return time.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');
}
