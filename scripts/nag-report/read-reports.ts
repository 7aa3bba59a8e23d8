import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../../infra/data/config-error';
import { AWS_SOLUTIONS_PACK, DATA_PROTECTION_PACK } from '../../infra/cdk/nag/pack-names';
import { STAGE_NAMES, dataStackName } from '../../infra/data/stages';
import { fileError, readTextFile } from '../shared/files';

/** One line of a cdk-nag JSON report: one rule's verdict on one resource. */
export interface NagReportLine {
  readonly ruleId: string;
  /** Construct path of the resource, e.g. `InavorShuttleData-prod/Jobs/Table/Resource`. */
  readonly resourceId: string;
  /** `Compliant`, `Non-Compliant`, `Suppressed`, or `UNKNOWN` when the rule could not evaluate. */
  readonly compliance: string;
  /** The suppression's reason, `N/A` otherwise. */
  readonly exceptionReason: string;
  /** `Error`, `Warning` or `Info`. */
  readonly ruleLevel: string;
  readonly ruleInfo: string;
}

/** The report one pack wrote for one stack. */
export interface StackReport {
  /** Name of the pack, e.g. `AwsSolutions`. */
  readonly pack: string;
  /** Stack name, e.g. `InavorShuttleData-prod`. */
  readonly stack: string;
  /** The stage the stack belongs to, when it is a data stack. */
  readonly stage?: string;
  readonly lines: readonly NagReportLine[];
}

/** A problem with the reports themselves (none there, incomplete, malformed); the CLI exits 2 on it. */
export class ReportError extends ConfigError {
  constructor(message: string) {
    super([message]);
    this.name = 'ReportError';
  }
}

// cdk-nag names reports `<pack>-<stage id>-<stack>-NagReport.json`; an App's stage id is empty.
const REPORT_FILE = /^([^-]+)-(.+)-NagReport\.json$/;

const LINE_FIELDS = ['ruleId', 'resourceId', 'compliance', 'exceptionReason', 'ruleLevel', 'ruleInfo'] as const;

/** What cdk-nag writes in a report line's `compliance` and `ruleLevel`; anything else is not its report. */
const COMPLIANCE = ['Compliant', 'Non-Compliant', 'Suppressed', 'UNKNOWN'];
const RULE_LEVELS = ['Error', 'Warning', 'Info'];

/** The packs the app runs on a stack (infra/cdk/nag/nag.ts): AwsSolutions on every stack, DataProtection on each data stack too. */
function expectedPacks(stack: string): string[] {
  const isDataStack = STAGE_NAMES.some((stage) => dataStackName(stage) === stack);
  return isDataStack ? [AWS_SOLUTIONS_PACK, DATA_PROTECTION_PACK] : [AWS_SOLUTIONS_PACK];
}

/**
 * Reads every cdk-nag JSON report in a cloud assembly folder, ordered by stage then stack and pack.
 * When the folder has a manifest, reports of stacks the last synth did not produce (left over from
 * an earlier `cdk synth` of more stages) are skipped. Every stack (the manifest's, or without one
 * each stack reported) must have a report of every pack the app runs on it: a missing one would
 * let that stack's findings pass unseen, even when that pack is missing everywhere.
 */
export function readReports(dir: string): StackReport[] {
  const files = listFolder(dir).filter((file) => REPORT_FILE.test(file));
  const synthesized = synthesizedStacks(dir);
  const reports = files.map((file) => readReport(dir, file)).filter((report) => !synthesized || synthesized.has(report.stack));
  if (reports.length === 0) {
    throw new ReportError(`no cdk-nag JSON report in ${dir}; run \`npx cdk synth\` first.`);
  }
  for (const stack of synthesized ?? new Set(reports.map((report) => report.stack))) {
    const missing = expectedPacks(stack).filter((pack) => !reports.some((report) => report.stack === stack && report.pack === pack));
    if (missing.length > 0) {
      const where = synthesized ? `is in ${join(dir, 'manifest.json')} but` : `in ${dir}`;
      throw new ReportError(`${stack} ${where} has no ${missing.join(' or ')} nag report; run \`npx cdk synth\` again.`);
    }
  }
  return reports.sort(
    (a, b) => stageOrder(a.stage) - stageOrder(b.stage) || a.stack.localeCompare(b.stack) || a.pack.localeCompare(b.pack),
  );
}

/** The file names in a folder; none when it does not exist. */
function listFolder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  if (!statSync(dir).isDirectory()) throw new ReportError(`${dir} is a file, not a cloud assembly folder (--dir, cdk.out by default).`);
  try {
    return readdirSync(dir);
  } catch (error) {
    throw fileError('read', dir, error);
  }
}

/** Names of the stacks in the assembly's manifest, or undefined when there is no manifest. */
function synthesizedStacks(dir: string): Set<string> | undefined {
  const manifest = join(dir, 'manifest.json');
  if (!existsSync(manifest)) return undefined;
  const { artifacts } = asObject(parseJson(manifest)) ?? {};
  const entries = Object.entries(asObject(artifacts) ?? {});
  if (entries.length === 0) {
    throw new ReportError(`${manifest} has no artifacts (expected an object of them, as cdk synth writes); run \`npx cdk synth\` again.`);
  }
  return new Set(
    entries
      .map(([id, artifact]) => [id, asObject(artifact)] as const)
      .filter(([, artifact]) => artifact?.type === 'aws:cloudformation:stack')
      .map(([id, artifact]) => {
        const stackName = asObject(artifact?.properties)?.stackName;
        return typeof stackName === 'string' ? stackName : id;
      }),
  );
}

/** The value as a record when it is a JSON object (not null, not an array). */
function asObject(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function readReport(dir: string, file: string): StackReport {
  const [, pack, qualifiedStack] = REPORT_FILE.exec(file)!;
  const stack = qualifiedStack!.replace(/^-/, '');
  const parsed = parseJson(join(dir, file));
  const lines = typeof parsed === 'object' && parsed !== null ? (parsed as { lines?: unknown }).lines : undefined;
  if (!Array.isArray(lines) || !lines.every(isReportLine)) {
    throw new ReportError(`${join(dir, file)} is not a cdk-nag JSON report (expected {"lines": [...]}).`);
  }
  // A verdict the report cannot have would be counted as none: neither a finding nor clean.
  lines.forEach((line, index) => {
    for (const [field, known] of [['compliance', COMPLIANCE], ['ruleLevel', RULE_LEVELS]] as const) {
      if (!known.includes(line[field])) {
        throw new ReportError(
          `${join(dir, file)}: line ${index + 1} (${line.ruleId} at ${line.resourceId}) has ${field} "${line[field]}", not one of ${known.join(', ')}: not what cdk-nag writes.`,
        );
      }
    }
  });
  const stage = STAGE_NAMES.find((name) => dataStackName(name) === stack);
  return { pack: pack!, stack, ...(stage && { stage }), lines };
}

function parseJson(path: string): unknown {
  const text = readTextFile(path);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ReportError(`${path} is not valid JSON: ${(error as Error).message}`);
  }
}

function isReportLine(value: unknown): value is NagReportLine {
  return typeof value === 'object' && value !== null && LINE_FIELDS.every((field) => typeof (value as Record<string, unknown>)[field] === 'string');
}

function stageOrder(stage: string | undefined): number {
  const index = STAGE_NAMES.indexOf(stage as (typeof STAGE_NAMES)[number]);
  return index === -1 ? STAGE_NAMES.length : index;
}

/** A rule fired and was not suppressed. */
export function isFinding(line: NagReportLine): boolean {
  return line.compliance === 'Non-Compliant';
}

/** A finding that blocks: cdk-nag turns it into an error annotation, which fails `cdk synth`. */
function isBlocking(line: NagReportLine): boolean {
  return isFinding(line) && line.ruleLevel === 'Error';
}

/** Every blocking finding across the reports, with the stack it is in. */
export function blockingFindings(reports: readonly StackReport[]): { report: StackReport; line: NagReportLine }[] {
  return reports.flatMap((report) => report.lines.filter(isBlocking).map((line) => ({ report, line })));
}
