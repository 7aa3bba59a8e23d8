import { ADMIN_PATHS } from '../../infra/policy/admin-paths';
import {
  IAM_EVENTS_REGION,
  SECURITY_ALARMS,
  VERDICTS,
  deployReason,
  deployRuleName,
  incidentReason,
  securityAlarms,
  securityRuleName,
  securityRunbookAnchor,
  stageHasAlarm,
  type SecurityAlarmSpec,
} from '../../infra/policy/security-monitoring';
import type { StagePolicy } from '../../infra/data/stages';
import { code, markdownTable, paragraph } from '../shared/markdown';

/** The stages and their policies, by name. */
type Stages = Readonly<Record<string, StagePolicy>>;

const EXPECTED_TEXT = {
  nobody: 'no one (break-glass, announced)',
  deployRole: 'the deploy role, through CloudFormation',
  appDeployRole: 'the app\'s deploy role',
} as const;

/** The "Security alarms" section: what each rule matches, where it exists, and each alarm's runbook entry. */
export function alarmsSection(stages: Stages): string {
  const where = (alarm: SecurityAlarmSpec) =>
    Object.entries(stages)
      .filter(([, policy]) => stageHasAlarm(alarm, policy))
      .map(([stage]) => code(stage))
      .join(', ') || 'none';
  return [
    '## Security alarms',
    '',
    paragraph([
      'EventBridge rules of the stack send these events to the stage\'s alarm topic (stages with `monitoring.alarms`),',
      'whose on-call subscription (`monitoring.notify`) is part of the template. KMS, STS, IAM, Lambda, App Runner,',
      'DynamoDB, AWS Backup, CloudTrail, EventBridge and SNS API calls reach EventBridge as "AWS API Call via CloudTrail"',
      'events, which exist only while a CloudTrail trail records the account\'s management events: in an account enrolled',
      'in AWS Control Tower that is the organization trail Control Tower sets up in every account and region; elsewhere,',
      'create a trail (management events, all regions) before relying on them. A call is seen in the region it is made',
      `in; IAM is global and its events reach EventBridge in ${code(IAM_EVENTS_REGION)} only, so the role alarm exists where`,
      'the stage is in that region. The AWS Backup job events come from the service itself and need no trail.',
    ]),
    '',
    markdownTable(
      ['alarm', 'rule', 'fires on', 'of', 'expected from', 'needs a trail', 'stages'],
      securityAlarms().map(([name, alarm]) => [
        alarm.title,
        code(securityRuleName('<stage>', name)) + (alarm.expected === 'deployRole' ? `, ${code(deployRuleName('<stage>', name))}` : ''),
        alarm.matches.map(code).join(', '),
        alarm.on,
        EXPECTED_TEXT[alarm.expected],
        alarm.source === 'cloudTrail' ? 'yes' : 'no',
        where(alarm),
      ]),
    ),
    '',
    '### Telling a deploy from an attack',
    '',
    paragraph([
      'Every notification is one JSON object: `alarm` (the title below), `stage`, `verdict`, `reason`, `runbook` (the',
      'section below) and `event`, the whole CloudTrail event. The verdict comes from the rule that matched, so the alarm',
      `alone says which it is. ${code(VERDICTS.deploy)} comes only from a \`-by-deploy\` rule, which matches only calls`,
      'whose `detail.userIdentity.sessionContext.sessionIssuer.arn` is the stage\'s deploy role and whose',
      '`detail.userIdentity.invokedBy` is `cloudformation.amazonaws.com`: CloudFormation deploying with that role\'s',
      'credentials. Check that a deploy of the stage was running (the promotion workflow\'s run) and that the change is in',
      `its pull request. ${code(VERDICTS.incident)} comes from every other rule, which matches every other caller of the`,
      'same calls, the CDK execution role, an administrator and the break-glass role included: follow the section\'s steps.',
    ]),
    '',
    ...securityAlarms().flatMap(([, alarm]) => [
      `### ${alarm.title}`,
      '',
      paragraph([alarm.means]),
      '',
      paragraph([
        `Notifications say ${code(VERDICTS.incident)} when ${incidentReason(alarm, '<stage>')}.`,
        alarm.expected === 'deployRole' ? `They say ${code(VERDICTS.deploy)} when ${deployReason('<stage>')}.` : '',
      ]),
      '',
      ...alarm.firstSteps.map((step, i) => `${i + 1}. ${step}`),
      '',
    ]),
  ]
    .join('\n')
    .trimEnd();
}

/** The "Paths from an administrator" section: each path's steps, what refuses each, the alarm, and the SCP. */
export function adminPathsSection(): string {
  const alarmLink = (name: keyof typeof SECURITY_ALARMS) => `[${SECURITY_ALARMS[name].title}](#${securityRunbookAnchor(SECURITY_ALARMS[name])})`;
  return [
    '## Paths from an administrator to a token or a recovery point',
    '',
    paragraph([
      'An administrator of a stage\'s account can always change IAM; what the stack cannot refuse, it alarms on at the',
      'first step. Each step below is checked in `npm test`: what refuses it by evaluating the synthesized policy, the',
      'alarm by matching its rule against a recorded CloudTrail entry of the call, and the organization\'s SCP statement',
      'by evaluating the generated policy ([organization policies](organization-policies.md)).',
    ]),
    '',
    ...ADMIN_PATHS.flatMap((path, i) => [
      `${i + 1}. **${path.path}**`,
      '',
      markdownTable(
        ['step', 'refused by', 'alarm', 'refused by the organization\'s SCP'],
        path.steps.map((step) => [step.step, step.blockedBy ?? 'nothing in the account', step.alarm ? alarmLink(step.alarm) : '—', step.organization ? code(step.organization) : '—']),
      ),
      '',
    ]),
    '### What an administrator can still do',
    '',
    paragraph([
      'Without the organization\'s SCP, every step above without a "refused by" is still possible: it is seen, not',
      'stopped. With or without it, an administrator can also deploy a reviewed change through the pipeline (the',
      '`-by-deploy` rules report it and its pull request shows it), assign themselves the break-glass permission set in',
      'IAM Identity Center (the break-glass alarm fires), read every attribute that is not sealed through IAM on',
      'DynamoDB (CloudTrail data events, if the trail records them), and delete the alarm topic or its key policy, which',
      'can keep that very alarm from being delivered (CloudFormation drift detection shows it; the SCP refuses it).',
      'Recovery points in the air-gapped vault stay out of reach of everyone in the account.',
    ]),
  ]
    .join('\n')
    .trimEnd();
}
