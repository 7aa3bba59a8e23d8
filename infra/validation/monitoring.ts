import { deployRuleName, securityAlarms, securityRuleName } from '../policy/security-monitoring';
import { ALARM_PROTOCOLS } from '../data/stages';
import { isRecord, show } from './common';

/** EventBridge's limit on a rule name. */
const MAX_RULE_NAME = 64;

/** An address SNS can deliver to: one @, a dotted domain, no spaces. */
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * A stage's monitoring block: both switches, a reason, no Contributor Insights without the alarms
 * that point to it, and a subscription to the alarm topic exactly where there is a topic.
 */
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
  const notify = monitoring.notify;
  if (monitoring.alarms === true && notify === undefined) {
    problems.push(`${field}.notify: missing; a stage with alarms names who the alarm topic notifies ({protocol, endpoint}), so the subscription is part of the template`);
  } else if (monitoring.alarms !== true && notify !== undefined) {
    problems.push(`${field}.notify: set, but the stage has no alarms and so no topic to subscribe to`);
  } else if (notify !== undefined) {
    problems.push(...subscriptionProblems(notify, `${field}.notify`));
  }
  return problems;
}

function subscriptionProblems(notify: unknown, field: string): string[] {
  if (!isRecord(notify)) return [`${field}: expected {protocol, endpoint}, got ${show(notify)}`];
  const { protocol, endpoint } = notify;
  if (!(ALARM_PROTOCOLS as readonly unknown[]).includes(protocol)) return [`${field}.protocol: ${show(protocol)} is not one of ${ALARM_PROTOCOLS.join(', ')}`];
  if (protocol === 'email') {
    return typeof endpoint === 'string' && EMAIL.test(endpoint) ? [] : [`${field}.endpoint: ${show(endpoint)} is not an email address`];
  }
  let url: URL | undefined;
  try {
    url = new URL(String(endpoint));
  } catch {
    url = undefined;
  }
  return typeof endpoint === 'string' && url?.protocol === 'https:' && url.username === '' && url.password === ''
    ? []
    : [`${field}.endpoint: ${show(endpoint)} is not an https URL without credentials in it`];
}

/** EventBridge's limit on the security rule names of a stage with alarms, the longest of which is reported. */
export function securityRuleNameProblems(stage: string): string[] {
  const longest = securityAlarms()
    .flatMap(([name, alarm]) => [securityRuleName(stage, name), ...(alarm.expected === 'deployRole' ? [deployRuleName(stage, name)] : [])])
    .reduce((a, b) => (b.length > a.length ? b : a));
  return longest.length > MAX_RULE_NAME ? [`stages.${stage}: security rule name ${longest} is ${longest.length} characters; EventBridge allows at most ${MAX_RULE_NAME}`] : [];
}
