import { code, markdownRow } from '../shared/markdown';
import { blockingFindings, isFinding, type StackReport } from './read-reports';

/** The reports as Markdown for a GitHub job summary: totals per stage and stack, then every finding and suppression. */
export function renderMarkdown(reports: readonly StackReport[]): string {
  const blocking = blockingFindings(reports).length;
  const stacks = [...new Set(reports.map((report) => report.stack))];
  const out: string[] = ['## cdk-nag report', ''];
  out.push(
    blocking === 0
      ? `✅ No unsuppressed error in ${reports.length} reports on ${stacks.length} stacks.`
      : `❌ **${blocking} unsuppressed ${blocking === 1 ? 'error' : 'errors'}**: \`cdk synth\` and \`cdk deploy\` fail until each is fixed or suppressed with a reason.`,
    '',
    '| stage | stack | pack | compliant | non-compliant | suppressed | not evaluated |',
    '| --- | --- | --- | ---: | ---: | ---: | ---: |',
  );
  for (const report of reports) {
    const count = (compliance: string) => report.lines.filter((line) => line.compliance === compliance).length;
    out.push(
      markdownRow([
        report.stage ?? '—',
        report.stack,
        report.pack,
        String(count('Compliant')),
        String(count('Non-Compliant')),
        String(count('Suppressed')),
        String(count('UNKNOWN')),
      ]),
    );
  }

  for (const stack of stacks) {
    const stackReports = reports.filter((report) => report.stack === stack);
    const lines = stackReports.flatMap((report) => report.lines);
    const stage = stackReports[0]!.stage;
    out.push('', `### ${stage ? `${stage}: ` : ''}${stack}`, '');
    const findings = lines.filter((line) => isFinding(line) || line.compliance === 'UNKNOWN');
    const suppressions = lines.filter((line) => line.compliance === 'Suppressed');
    if (findings.length === 0 && suppressions.length === 0) out.push('No finding, no suppression.');
    if (findings.length > 0) {
      out.push('| level | rule | construct path | finding |', '| --- | --- | --- | --- |');
      for (const line of findings) {
        const level = line.compliance === 'UNKNOWN' ? 'not evaluated' : line.ruleLevel;
        out.push(markdownRow([level, line.ruleId, code(line.resourceId), line.ruleInfo]));
      }
    }
    if (suppressions.length > 0) {
      if (findings.length > 0) out.push('');
      out.push('| suppressed rule | construct path | reason |', '| --- | --- | --- |');
      for (const line of suppressions) out.push(markdownRow([line.ruleId, code(line.resourceId), line.exceptionReason]));
    }
  }
  return `${out.join('\n')}\n`;
}

