import { Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { IAM_EVENTS_REGION, SECURITY_ALARMS, securityRuleName, type SecurityAlarmName, type SecurityAlarmSpec } from '../security-monitoring';

/** Props of {@link SecurityAlarms}. */
export interface SecurityAlarmsProps {
  /** Name of the stage, carried in the rule names (the alarm topic lets rules of that prefix publish). */
  readonly stageName: string;
  /** The topic every alarm notifies; its policy and key must admit this stage's EventBridge rules. */
  readonly topic: sns.ITopic;
  /** `aws:PrincipalArn` pattern of the break-glass role (may hold `*`). */
  readonly breakGlassRoleArn: string;
  /** Name of the stage's backup vault; without one, the backup rules are not created. */
  readonly backupVaultName?: string;
  /** True when the stage copies recovery points elsewhere, which adds the copy-job rule. */
  readonly copies: boolean;
  /** Names of the stack's data-access roles, whose IAM changes are alarmed where IAM's events arrive. */
  readonly dataRoleNames: readonly string[];
}

/**
 * One EventBridge rule per entry of `SECURITY_ALARMS` the stage has the resources for, each
 * sending the matched event to the alarm topic. The KMS, STS and vault rules match CloudTrail's
 * API-call events and so fire only while a trail records the account's management events.
 */
export class SecurityAlarms extends Construct {
  /** The rules by alarm name. */
  public readonly rules: Partial<Record<SecurityAlarmName, events.Rule>> = {};

  constructor(scope: Construct, id: string, props: SecurityAlarmsProps) {
    super(scope, id);
    const calls = (alarm: SecurityAlarmSpec, detail: Record<string, unknown> = {}): events.EventPattern => {
      const service = alarm.matches[0]!.split(':')[0]!;
      return {
        source: [`aws.${service}`],
        detailType: ['AWS API Call via CloudTrail'],
        detail: { eventSource: [`${service}.amazonaws.com`], eventName: alarm.matches.map((action) => action.split(':')[1]!), ...detail },
      };
    };
    const jobStates = (alarm: SecurityAlarmSpec, detail: Record<string, unknown> = {}): events.EventPattern => ({
      source: ['aws.backup'],
      detailType: [...new Set(alarm.matches.map((match) => match.split(': ')[0]!))],
      detail: { state: alarm.matches.map((match) => match.split(': ')[1]!), ...detail },
    });
    const patterns: Record<SecurityAlarmName, events.EventPattern> = {
      keyDisabledOrDeleted: calls(SECURITY_ALARMS.keyDisabledOrDeleted),
      keyPolicyChanged: calls(SECURITY_ALARMS.keyPolicyChanged),
      vaultProtectionChanged: calls(SECURITY_ALARMS.vaultProtectionChanged, { requestParameters: { backupVaultName: [props.backupVaultName] } }),
      // Identity Center sessions arrive as AssumeRoleWithSAML; the role ARN is in the request.
      breakGlassUsed: calls(SECURITY_ALARMS.breakGlassUsed, { requestParameters: { roleArn: events.Match.wildcard(props.breakGlassRoleArn) } }),
      dataRoleChanged: calls(SECURITY_ALARMS.dataRoleChanged, { requestParameters: { roleName: [...props.dataRoleNames] } }),
      backupJobFailed: jobStates(SECURITY_ALARMS.backupJobFailed, { backupVaultName: [props.backupVaultName] }),
      copyJobFailed: jobStates(SECURITY_ALARMS.copyJobFailed),
    };
    const present = {
      nothing: true,
      backups: props.backupVaultName !== undefined,
      copies: props.copies,
      // IAM is global: EventBridge receives its CloudTrail events in us-east-1 only.
      iamRegion: Stack.of(this).region === IAM_EVENTS_REGION,
    };
    // The topic's policy admits rules by name; no role is needed.
    const target: events.IRuleTarget = { bind: () => ({ arn: props.topic.topicArn }) };
    for (const [name, alarm] of Object.entries(SECURITY_ALARMS) as [SecurityAlarmName, SecurityAlarmSpec][]) {
      if (!present[alarm.needs]) continue;
      this.rules[name] = new events.Rule(this, name, {
        ruleName: securityRuleName(props.stageName, name),
        description: alarm.title,
        eventPattern: patterns[name],
        targets: [target],
      });
    }
  }
}
