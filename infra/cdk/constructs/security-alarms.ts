import { Lazy } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import {
  VERDICTS,
  deployReason,
  deployRuleName,
  incidentReason,
  securityAlarms,
  securityRuleName,
  securityRunbookAnchor,
  stageHasAlarm,
  type SecurityAlarmName,
  type SecurityAlarmSpec,
} from '../../policy/security-monitoring';
import { stageResourceName, type StagePolicy } from '../../data/stages';

/** What the rules' patterns name: the stage's resources and principals, as ARNs and names that may be tokens. */
export interface SecurityAlarmTargets {
  /** `aws:PrincipalArn` pattern of the break-glass role (may hold `*`). */
  readonly breakGlassRoleArn: string;
  /** ARN of the stage's deploy role. */
  readonly deployRoleArn: string;
  /** ARN pattern of the app's deploy role (may hold `*`). */
  readonly appDeployRoleArn: string;
  /** Every alias of the stage's keys starts with this, e.g. `alias/inavor-shuttle/prod/`. */
  readonly keyAliasPrefix: string;
  /** The stage's tables: physical names and ARNs (a call may name a table by either). */
  readonly tables: readonly string[];
  /** The stage's vaults by name (the vault and the air-gapped vault); none without backups. */
  readonly backupVaultNames: readonly string[];
  /** Id of the stage's backup plan; absent without backups. */
  readonly backupPlanId?: string;
  /** Read at synth: ARNs of every role the token key names, of this stack or another. */
  readonly tokenRoleArns: () => readonly string[];
  /** Read at synth: names of the roles whose changes are alarmed (data roles, token roles of other stacks, the deploy role). */
  readonly watchedRoleNames: () => readonly string[];
}

/** Props of {@link SecurityAlarms}. */
export interface SecurityAlarmsProps {
  /** Name of the stage, carried in the rule names (the alarm topic lets rules of that prefix publish). */
  readonly stageName: string;
  /** The stage's policy, which decides which alarms exist. */
  readonly policy: StagePolicy;
  /** The topic every alarm notifies; its policy and key must admit this stage's EventBridge rules. */
  readonly topic: sns.ITopic;
  /** What the patterns name. */
  readonly targets: SecurityAlarmTargets;
}

/** The CDK bootstrap's CloudFormation execution roles, whatever their qualifier, account and region. */
const EXECUTION_ROLES = 'cdk-*-cfn-exec-role-*';

/**
 * One EventBridge rule per entry of `SECURITY_ALARMS` the stage has the resources for, each sending
 * the matched event to the alarm topic inside a message whose `verdict` says whether it is an
 * incident. Where the stage's deploy role is expected, its calls through CloudFormation go to a
 * second rule whose verdict says so, and the incident rule matches every other caller; where the
 * app's deploy role is expected, its calls match no rule. The CloudTrail rules fire only while a
 * trail records the account's management events.
 */
export class SecurityAlarms extends Construct {
  /** The incident rules by alarm name. */
  public readonly rules: Partial<Record<SecurityAlarmName, events.Rule>> = {};
  /** The deploy rules by alarm name. */
  public readonly deployRules: Partial<Record<SecurityAlarmName, events.Rule>> = {};

  constructor(scope: Construct, id: string, props: SecurityAlarmsProps) {
    super(scope, id);
    const { stageName, targets } = props;
    const topicArn = props.topic.topicArn;
    const stageRules = stageResourceName(stageName, '');
    const detailOf: Record<SecurityAlarmName, Record<string, unknown>> = {
      keyDisabledOrDeleted: {},
      keyGrantRevoked: {},
      keyPolicyChanged: {},
      keyAliasChanged: { requestParameters: { aliasName: [{ prefix: targets.keyAliasPrefix }] } },
      vaultProtectionChanged: { requestParameters: { backupVaultName: [...targets.backupVaultNames] } },
      vaultPolicyChanged: { requestParameters: { backupVaultName: [...targets.backupVaultNames] } },
      // Identity Center sessions arrive as AssumeRoleWithSAML; the role ARN is in the request.
      breakGlassUsed: { requestParameters: { roleArn: [{ wildcard: targets.breakGlassRoleArn }] } },
      roleChanged: { $or: [{ requestParameters: { roleName: lazyList(targets.watchedRoleNames) } }, { requestParameters: { roleName: [{ wildcard: EXECUTION_ROLES }] } }] },
      // A new function names its role in the request; an updated one, in the configuration it answers with.
      tokenRoleFunctionChanged: {
        $or: [{ requestParameters: { role: lazyList(targets.tokenRoleArns) } }, { responseElements: { role: lazyList(targets.tokenRoleArns) } }],
      },
      tokenRoleServiceChanged: {
        $or: [
          { eventName: ['StartDeployment'] },
          { requestParameters: { instanceConfiguration: { instanceRoleArn: lazyList(targets.tokenRoleArns) } } },
          { responseElements: { service: { instanceConfiguration: { instanceRoleArn: lazyList(targets.tokenRoleArns) } } } },
        ],
      },
      // DynamoDB's UpdateTable entry may name the table in its response only.
      tableProtectionChanged: {
        $or: [{ requestParameters: { tableName: [...targets.tables] } }, { responseElements: { tableDescription: { tableName: [...targets.tables] } } }],
      },
      backupPlanChanged: { requestParameters: { backupPlanId: [targets.backupPlanId] } },
      trailChanged: {},
      securityRulesChanged: {
        $or: [{ requestParameters: { name: [{ prefix: stageRules }] } }, { requestParameters: { rule: [{ prefix: stageRules }] } }],
      },
      alarmTopicChanged: {
        $or: [{ requestParameters: { topicArn: [topicArn] } }, { requestParameters: { subscriptionArn: [{ prefix: `${topicArn}:` }] } }],
      },
      backupJobFailed: { backupVaultName: [...targets.backupVaultNames] },
      copyJobFailed: {},
    };

    const issuer = (filter: unknown) => ({ sessionContext: { sessionIssuer: { arn: [filter] } } });
    // A caller other than the deploy role through CloudFormation: another role, or an IAM user or
    // root, which have no session issuer, or the deploy role calling by itself.
    const notDeploy = {
      $or: [issuer({ 'anything-but': targets.deployRoleArn }), issuer({ exists: false }), { invokedBy: [{ 'anything-but': CLOUDFORMATION }] }, { invokedBy: [{ exists: false }] }],
    };
    const byDeploy = { ...issuer(targets.deployRoleArn), invokedBy: [CLOUDFORMATION] };
    const appDeploy = targets.appDeployRoleArn.includes('*') ? { wildcard: targets.appDeployRoleArn } : targets.appDeployRoleArn;
    const notAppDeploy = { $or: [issuer({ 'anything-but': appDeploy }), issuer({ exists: false })] };

    for (const [name, alarm] of securityAlarms()) {
      if (!stageHasAlarm(alarm, props.policy)) continue;
      const detail = detailOf[name];
      if (alarm.source === 'service') {
        this.rules[name] = this.rule(name, securityRuleName(stageName, name), alarm, jobStates(alarm, detail), message(alarm, stageName, VERDICTS.incident, incidentReason(alarm, stageName)), topicArn);
        continue;
      }
      const caller = { deployRole: notDeploy, appDeployRole: notAppDeploy, nobody: undefined }[alarm.expected];
      const incident = apiCalls(alarm, caller ? { ...detail, userIdentity: caller } : detail);
      this.rules[name] = this.rule(name, securityRuleName(stageName, name), alarm, incident, message(alarm, stageName, VERDICTS.incident, incidentReason(alarm, stageName)), topicArn);
      if (alarm.expected === 'deployRole') {
        const deploy = apiCalls(alarm, { ...detail, userIdentity: byDeploy });
        this.deployRules[name] = this.rule(`${name}ByDeploy`, deployRuleName(stageName, name), alarm, deploy, message(alarm, stageName, VERDICTS.deploy, deployReason(stageName)), topicArn);
      }
    }
  }

  private rule(id: string, ruleName: string, alarm: SecurityAlarmSpec, eventPattern: events.EventPattern, input: events.RuleTargetInput, topicArn: string): events.Rule {
    // The topic's policy admits rules by name; no role is needed.
    const target: events.IRuleTarget = { bind: () => ({ arn: topicArn, input }) };
    return new events.Rule(this, id, { ruleName, description: alarm.title, eventPattern, targets: [target] });
  }
}

/** CloudFormation, as CloudTrail names the service that made a call with a deployer's credentials. */
const CLOUDFORMATION = 'cloudformation.amazonaws.com';

/** The "AWS API Call via CloudTrail" events of an alarm's calls, with the detail fields that narrow them. */
function apiCalls(alarm: SecurityAlarmSpec, detail: Record<string, unknown>): events.EventPattern {
  const service = alarm.matches[0]!.split(':')[0]!;
  // Lambda's event names carry its API version (UpdateFunctionCode20150331v2).
  const eventName = alarm.matches.map((action) => (service === 'lambda' ? { prefix: action.split(':')[1]! } : action.split(':')[1]!));
  return { source: [`aws.${service}`], detailType: ['AWS API Call via CloudTrail'], detail: { eventSource: [`${service}.amazonaws.com`], eventName, ...detail } };
}

/** AWS Backup's job state changes of an alarm. */
function jobStates(alarm: SecurityAlarmSpec, detail: Record<string, unknown>): events.EventPattern {
  return {
    source: ['aws.backup'],
    detailType: [...new Set(alarm.matches.map((match) => match.split(': ')[0]!))],
    detail: { state: alarm.matches.map((match) => match.split(': ')[1]!), ...detail },
  };
}

/** A list read at synth, so that roles granted after the construct was made count. */
function lazyList(produce: () => readonly string[]): string[] {
  return Lazy.list({ produce: () => [...produce()] });
}

/**
 * The notification: the alarm, the stage, the verdict and why, where the runbook says what to do,
 * and the whole event (`<aws.events.event.json>`, which EventBridge fills in unescaped).
 */
export class AlarmMessage extends events.RuleTargetInput {
  private readonly fields: Readonly<Record<string, string>>;

  constructor(fields: Readonly<Record<string, string>>) {
    super();
    this.fields = fields;
  }

  public bind(): events.RuleTargetInputProperties {
    const head = Object.entries(this.fields).map(([key, value]) => `${JSON.stringify(key)}:${JSON.stringify(value)}`);
    return { inputTemplate: `{${[...head, '"event":<aws.events.event.json>'].join(',')}}` };
  }
}

function message(alarm: SecurityAlarmSpec, stageName: string, verdict: string, reason: string): AlarmMessage {
  return new AlarmMessage({ alarm: alarm.title, stage: stageName, verdict, reason, runbook: `docs/security.md#${securityRunbookAnchor(alarm)}` });
}
