import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { STAGE_NAMES, dataStackName } from '../../infra/stages';

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

/** A problem with the reports themselves (none there, unreadable); the CLI exits 2 on it. */
export class ReportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReportError';
  }
}

// cdk-nag names reports `<pack>-<stage id>-<stack>-NagReport.json`; an App's stage id is empty.
const REPORT_FILE = /^([^-]+)-(.+)-NagReport\.json$/;

const LINE_FIELDS = ['ruleId', 'resourceId', 'compliance', 'exceptionReason', 'ruleLevel', 'ruleInfo'] as const;

/**
 * Reads every cdk-nag JSON report in a cloud assembly folder, ordered by stage then stack and pack.
 * When the folder has a manifest, reports of stacks the last synth did not produce (left over from
 * an earlier `cdk synth` of more stages) are skipped: they describe code that no longer ran.
 */
export function readReports(dir: string): StackReport[] {
  const files = existsSync(dir) ? readdirSync(dir).filter((file) => REPORT_FILE.test(file)) : [];
  const synthesized = synthesizedStacks(dir);
  const reports = files.map((file) => readReport(dir, file)).filter((report) => !synthesized || synthesized.has(report.stack));
  if (reports.length === 0) {
    throw new ReportError(`no cdk-nag JSON report in ${dir}; run \`npx cdk synth\` first.`);
  }
  return reports.sort(
    (a, b) => stageOrder(a.stage) - stageOrder(b.stage) || a.stack.localeCompare(b.stack) || a.pack.localeCompare(b.pack),
  );
}

/** Names of the stacks in the assembly's manifest, or undefined when there is no manifest. */
function synthesizedStacks(dir: string): Set<string> | undefined {
  const manifest = join(dir, 'manifest.json');
  if (!existsSync(manifest)) return undefined;
  const { artifacts = {} } = (parseJson(manifest) ?? {}) as {
    artifacts?: Record<string, { type?: string; properties?: { stackName?: string } }>;
  };
  return new Set(
    Object.entries(artifacts)
      .filter(([, artifact]) => artifact.type === 'aws:cloudformation:stack')
      .map(([id, artifact]) => artifact.properties?.stackName ?? id),
  );
}

function readReport(dir: string, file: string): StackReport {
  const [, pack, qualifiedStack] = REPORT_FILE.exec(file)!;
  const stack = qualifiedStack!.replace(/^-/, '');
  const parsed = parseJson(join(dir, file));
  const lines = typeof parsed === 'object' && parsed !== null ? (parsed as { lines?: unknown }).lines : undefined;
  if (!Array.isArray(lines) || !lines.every(isReportLine)) {
    throw new ReportError(`${join(dir, file)} is not a cdk-nag JSON report (expected {"lines": [...]}).`);
  }
  const stage = STAGE_NAMES.find((name) => dataStackName(name) === stack);
  return { pack: pack!, stack, ...(stage && { stage }), lines };
}

function parseJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
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
