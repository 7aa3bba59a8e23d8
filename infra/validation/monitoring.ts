import { isRecord, show } from './common';

/** A stage's monitoring block: both switches, a reason, and no Contributor Insights without the alarms that point to it. */
export function checkMonitoring(monitoring: unknown, field: string): string[] {
  if (!isRecord(monitoring)) return [`${field}: expected {alarms, contributorInsights, reason}, got ${show(monitoring)}`];
  const problems: string[] = [];
  for (const flag of ['alarms', 'contributorInsights'] as const) {
    if (typeof monitoring[flag] !== 'boolean') problems.push(`${field}.${flag}: expected true or false, got ${show(monitoring[flag])}`);
  }
  if (typeof monitoring.reason !== 'string' || monitoring.reason.trim() === '') {
    problems.push(`${field}.reason: expected one line on why the stage watches this much, got ${show(monitoring.reason)}`);
  }
  if (monitoring.contributorInsights === true && monitoring.alarms === false) {
    problems.push(`${field}.contributorInsights: on without alarms; hot keys are looked up when an alarm fires, so turn alarms on or this off`);
  }
  return problems;
}
