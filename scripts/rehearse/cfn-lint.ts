import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CfnTemplate } from '../../infra/policy/cfn-template';
import { dataStackName, type StageName } from '../../infra/data/stages';
import { runChild } from './child-process';
import type { Rehearsal } from './report';

/** One finding of `cfn-lint --format json`. */
interface LintFinding {
  readonly Filename: string;
  readonly Message: string;
  readonly Rule: { readonly Id: string };
  readonly Location: { readonly Path?: readonly (string | number)[]; readonly Start: { readonly LineNumber: number } };
}

/**
 * The one finding ignored, on one resource type only: cfn-lint's resource schema predates
 * CloudFormation's `Tags` on `AWS::CloudWatch::Dashboard`, which CloudFormation accepts and the
 * stage's tag policy needs; E3002 on any other property or type still counts.
 */
export function isIgnoredFinding(finding: LintFinding, template: CfnTemplate): boolean {
  const path = finding.Location.Path ?? [];
  return (
    finding.Rule.Id === 'E3002' &&
    path.length === 4 &&
    path[0] === 'Resources' &&
    path[2] === 'Properties' &&
    path[3] === 'Tags' &&
    template.Resources?.[String(path[1])]?.Type === 'AWS::CloudWatch::Dashboard'
  );
}

/**
 * The longest cfn-lint may take over the three templates: it takes 10-20 s on a busy 2-core
 * machine, and a hung one would keep the rehearsal from exiting.
 */
export const CFN_LINT_TIMEOUT_MS = 120_000;

/**
 * Runs cfn-lint over every stage's synthesized template, written into `dir` (the caller removes
 * it, also on Ctrl-C); each must have no finding but the ignored one. It is stopped after
 * `timeoutMs`, or on `signal`.
 */
export async function lintTemplates(
  templates: Readonly<Record<StageName, CfnTemplate>>,
  dir: string,
  { timeoutMs = CFN_LINT_TIMEOUT_MS, signal }: { timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<(rehearsal: Rehearsal) => void> {
  const files = Object.entries(templates).map(([stage, template]) => {
    const file = join(dir, `${dataStackName(stage)}.template.json`);
    writeFileSync(file, JSON.stringify(template, null, 1));
    return { stage: stage as StageName, file, template };
  });
  const { code, stdout, stderr, stopped } = await runChild('cfn-lint', ['--format', 'json', ...files.map(({ file }) => file)], { timeoutMs, signal });
  let findings: LintFinding[] | undefined;
  try {
    findings = JSON.parse(stdout || '[]') as LintFinding[];
  } catch {
    findings = undefined;
  }
  return (rehearsal) => {
    rehearsal.section('cfn-lint over every synthesized template');
    if (findings === undefined || code === null) {
      rehearsal.check('cfn-lint ran', false, stopped ?? `exit ${code}: ${stderr.trim().split('\n').at(-1) ?? ''}`);
      return;
    }
    for (const { stage, file, template } of files) {
      const own = findings!.filter((finding) => finding.Filename === file);
      const counted = own.filter((finding) => !isIgnoredFinding(finding, template));
      const ignored = own.length - counted.length;
      rehearsal.check(
        `cfn-lint ${dataStackName(stage)}: no finding${ignored > 0 ? ` (${ignored} E3002 on Tags of AWS::CloudWatch::Dashboard ignored: cfn-lint's schema predates them)` : ''}`,
        counted.length === 0,
        counted.map((finding) => `${finding.Rule.Id} line ${finding.Location.Start.LineNumber}: ${finding.Message}`).join('; '),
      );
    }
  };
}
