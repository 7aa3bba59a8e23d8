import { createHash } from 'node:crypto';
import type { Log, ReportingDescriptor, Result } from 'sarif';
import cdkNagPackage from 'cdk-nag/package.json' with { type: 'json' };
import type { SourceLocation } from './source-locations';
import type { NagReportLine, StackReport } from './read-reports';

const SARIF_LEVELS: Record<string, Result.level> = { Error: 'error', Warning: 'warning', Info: 'note' };

/**
 * The findings and suppressions as a SARIF 2.1.0 log for code scanning. Every result points at
 * a line of this repository, since code scanning drops results without a physical location.
 */
export function renderSarif(reports: readonly StackReport[], locate: (resourceId: string) => SourceLocation): Log {
  const rules: ReportingDescriptor[] = [];
  const ruleIndex = new Map<string, number>();
  const results: Result[] = [];

  for (const report of reports) {
    for (const line of report.lines) {
      if (line.compliance !== 'Non-Compliant' && line.compliance !== 'Suppressed') continue;
      if (!ruleIndex.has(line.ruleId)) {
        ruleIndex.set(line.ruleId, rules.length);
        rules.push(describeRule(line, report.pack));
      }
      results.push(toResult(line, report, ruleIndex.get(line.ruleId)!, locate(line.resourceId)));
    }
  }

  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: { name: 'cdk-nag', semanticVersion: cdkNagPackage.version, informationUri: 'https://github.com/cdklabs/cdk-nag', rules },
        },
        results,
      },
    ],
  };
}

function describeRule(line: NagReportLine, pack: string): ReportingDescriptor {
  return {
    id: line.ruleId,
    shortDescription: { text: line.ruleInfo },
    defaultConfiguration: { level: SARIF_LEVELS[line.ruleLevel] ?? 'warning' },
    properties: { tags: [pack] },
  };
}

function toResult(line: NagReportLine, report: StackReport, index: number, location: SourceLocation): Result {
  return {
    ruleId: line.ruleId,
    ruleIndex: index,
    level: SARIF_LEVELS[line.ruleLevel] ?? 'warning',
    message: { text: `${line.ruleInfo} Stack ${report.stack}, construct ${line.resourceId}.` },
    locations: [
      {
        physicalLocation: {
          artifactLocation: { uri: location.uri, uriBaseId: '%SRCROOT%' },
          region: { startLine: location.line },
        },
        logicalLocations: [{ fullyQualifiedName: line.resourceId, kind: 'resource' }],
      },
    ],
    // Tables of every stage share one schema-map line; the construct path keeps their alerts apart.
    partialFingerprints: {
      'cdkNagFinding/v1': createHash('sha256').update(`${line.ruleId}\n${line.resourceId}`).digest('hex'),
    },
    ...(line.compliance === 'Suppressed' && {
      suppressions: [{ kind: 'inSource', justification: line.exceptionReason }],
    }),
  };
}
