import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { arch, platform } from 'node:os';
import { dirname, join, relative } from 'node:path';
import type { IPolicyValidationContext, IPolicyValidationPlugin, PolicyValidationPluginReport } from 'aws-cdk-lib';

/** The validator package ships cfn-guard per platform and the AWS Control Tower rules, offline. */
const PACKAGE_DIR = dirname(createRequire(import.meta.filename).resolve('@cdklabs/cdk-validator-cfnguard/package.json'));
const GUARD_DIR = join(PACKAGE_DIR, 'rules', 'control-tower', 'cfn-guard');
const METADATA_DIR = join(PACKAGE_DIR, 'rules', 'control-tower', 'metadata');
/** cfn-guard's exit status when a rule fails (0 when every rule passes or skips). */
const GUARD_FAILED = 19;

/** One failed Control Tower control on one resource. */
export interface ControlTowerFinding {
  /** Control id, e.g. `CT.KMS.PR.3`. */
  readonly control: string;
  /** What the control requires, as its rule states it. */
  readonly message: string;
  /** The template the resource is in. */
  readonly templatePath: string;
  /** Logical id of the resource that fails it. */
  readonly resource: string;
}

/**
 * The Control Tower rules that can report on a resource of these templates. A rule evaluates the
 * resource types its metadata lists and skips a template without them, so the rest are left out:
 * parsing all ~240 rules costs more than checking the templates. A rule without metadata is kept.
 */
export function controlTowerRulesFor(templatePaths: readonly string[]): string[] {
  const types = new Set(
    templatePaths.flatMap((path) => {
      const { Resources = {} } = JSON.parse(readFileSync(path, 'utf8')) as { Resources?: Record<string, { Type: string }> };
      return Object.values(Resources).map((resource) => resource.Type);
    }),
  );
  return guardFiles(GUARD_DIR).filter((rule) => {
    const metadata = join(METADATA_DIR, relative(GUARD_DIR, rule)).replace(/\.guard$/, '.metadata.json');
    if (!existsSync(metadata)) return true;
    const { EvaluatedResourceTypes } = JSON.parse(readFileSync(metadata, 'utf8')) as { EvaluatedResourceTypes: string[] };
    return EvaluatedResourceTypes.some((type) => types.has(type));
  });
}

/**
 * Runs every applicable AWS Control Tower proactive control over the templates in one cfn-guard
 * process and returns each failure with its control id and resource. The findings are read from
 * cfn-guard's JSON directly: the validator package's own result parser crashes on some failures.
 */
export function controlTowerFindings(templatePaths: readonly string[]): ControlTowerFinding[] {
  const rules = controlTowerRulesFor(templatePaths);
  if (rules.length === 0 || templatePaths.length === 0) return [];
  const guard = join(PACKAGE_DIR, 'bin', platform() === 'darwin' ? 'macos' : 'ubuntu', arch() === 'arm64' ? 'aarch64' : 'x86_64', 'cfn-guard');
  const args = ['validate', ...rules.flatMap((rule) => ['--rules', rule]), ...templatePaths.flatMap((path) => ['--data', path])];
  const run = spawnSync(guard, [...args, '--output-format', 'json', '--show-summary', 'none', '--structured'], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (run.status !== 0 && run.status !== GUARD_FAILED) {
    throw new Error(`cfn-guard could not check the templates (exit ${String(run.status)}): ${(run.stderr || String(run.error)).trim()}`);
  }
  const results = JSON.parse(run.stdout) as { name: string; not_compliant?: unknown[] }[];
  return results.flatMap(({ name: templatePath, not_compliant = [] }) =>
    not_compliant.flatMap((failure) => {
      // A failure nests the checks that failed; the control's message and the paths walked are in there.
      const text = JSON.stringify(failure);
      const message = /\[(CT\.[A-Z0-9-]+\.PR\.\d+)\]: ([^\\]+)/.exec(text);
      const resources = new Set([...text.matchAll(/\/Resources\/([A-Za-z0-9]+)/g)].map((match) => match[1]!));
      return [...resources].map((resource) => ({
        control: message?.[1] ?? 'unknown control',
        message: message?.[2]?.trim() ?? text.slice(0, 200),
        templatePath,
        resource,
      }));
    }),
  );
}

/**
 * The same check as a CDK policy-validation plugin: `cdk synth` (and so CI and `cdk deploy`) runs
 * it on every stack and fails, with CDK's validation report, when a control fails.
 */
export class ControlTowerChecks implements IPolicyValidationPlugin {
  public readonly name = 'aws-control-tower';

  public validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    const findings = controlTowerFindings(context.templatePaths);
    return {
      success: findings.length === 0,
      violations: findings.map((finding) => ({
        ruleName: finding.control,
        description: `${finding.control}: ${finding.message}`,
        violatingResources: [{ resourceLogicalId: finding.resource, templatePath: finding.templatePath, locations: [] }],
      })),
    };
  }
}

function guardFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? guardFiles(join(dir, entry.name)) : entry.name.endsWith('.guard') ? [join(dir, entry.name)] : [],
  );
}
