import { IAM_EVENTS_REGION, SECURITY_ALARMS, securityRuleName, type SecurityAlarmName } from '../../infra/security-monitoring';
import { DATA_ROLE_PURPOSES, STAGES, STAGE_NAMES, dataRoleName, type StageName } from '../../infra/stages';
import { stageTemplateJson } from '../support/cdk-out';
import { eventMatches } from '../support/event-pattern';
import { DeployedTemplate } from '../support/template-policies';

/** The EventBridge security alarms, their rules tried on events shaped as CloudTrail and AWS Backup send them. */

const ACCOUNT = '111122223333';
const MONITORED = STAGE_NAMES.filter((stage) => STAGES[stage].monitoring.alarms);
const UNMONITORED = STAGE_NAMES.filter((stage) => !STAGES[stage].monitoring.alarms);
const ALARMS = Object.keys(SECURITY_ALARMS) as SecurityAlarmName[];

function rulesOf(stage: StageName) {
  const deployed = new DeployedTemplate(stageTemplateJson(stage), { account: ACCOUNT, region: STAGES[stage].region, partition: 'aws' });
  return { deployed, rules: deployed.resolvedOfType('AWS::Events::Rule').map(({ properties }) => properties) };
}

/** An "AWS API Call via CloudTrail" event as EventBridge delivers it. */
function apiCall(service: string, eventName: string, requestParameters: Record<string, unknown>, region: string) {
  return {
    source: `aws.${service}`,
    'detail-type': 'AWS API Call via CloudTrail',
    account: ACCOUNT,
    region,
    detail: { eventSource: `${service}.amazonaws.com`, eventName, requestParameters, userIdentity: { type: 'AssumedRole' } },
  };
}

function backupJob(state: string, backupVaultName: string, region: string) {
  return { source: 'aws.backup', 'detail-type': 'Backup Job State Change', account: ACCOUNT, region, detail: { state, backupVaultName, resourceType: 'DynamoDB' } };
}

describe.each(MONITORED)('the %s stage', (stage) => {
  const { rules } = rulesOf(stage);
  const region = STAGES[stage].region;
  const vaultName = `inavor-shuttle-${stage}`;
  const hasBackups = STAGES[stage].backup.rules.length > 0;
  const present = ALARMS.filter((alarm) => {
    const { needs } = SECURITY_ALARMS[alarm];
    return (
      needs === 'nothing' ||
      (needs === 'backups' && hasBackups) ||
      (needs === 'copies' && 'copy' in STAGES[stage].backup) ||
      (needs === 'iamRegion' && region === IAM_EVENTS_REGION)
    );
  });
  /** The alarms whose rule matches the event. */
  const firing = (event: Record<string, unknown>) =>
    present.filter((alarm) => eventMatches(rules.find((rule) => rule.Name === securityRuleName(stage, alarm))!.EventPattern, event));

  test('has one rule per security alarm it has the resources for, each sending to the alarm topic and nothing else', () => {
    expect(rules.map((rule) => rule.Name).sort()).toEqual(present.map((alarm) => securityRuleName(stage, alarm)).sort());
    const resources = Object.entries(stageTemplateJson(stage).Resources ?? {});
    const [topicId] = resources.filter(([, resource]) => resource.Type === 'AWS::SNS::Topic').map(([id]) => id);
    for (const [, rule] of resources.filter(([, resource]) => resource.Type === 'AWS::Events::Rule')) {
      expect(rule.Properties).toMatchObject({ State: 'ENABLED', Targets: [{ Arn: { Ref: topicId }, Id: 'Target0' }] });
      expect(rule.Properties!.Targets).toHaveLength(1);
    }
  });

  test.each(['DisableKey', 'ScheduleKeyDeletion'])('%s of a key fires the key alarm', (eventName) => {
    expect(firing(apiCall('kms', eventName, { keyId: 'k' }, region))).toEqual(['keyDisabledOrDeleted']);
  });

  test('PutKeyPolicy fires the key-policy alarm; Decrypt and other key calls fire nothing', () => {
    expect(firing(apiCall('kms', 'PutKeyPolicy', { keyId: 'k', policyName: 'default' }, region))).toEqual(['keyPolicyChanged']);
    expect(firing(apiCall('kms', 'Decrypt', {}, region))).toEqual([]);
    expect(firing(apiCall('kms', 'EnableKeyRotation', { keyId: 'k' }, region))).toEqual([]);
  });

  test('an Identity Center session of the break-glass role fires the break-glass alarm, in any Identity Center region; another role\'s does not', () => {
    const breakGlass = (path: string) => apiCall('sts', 'AssumeRoleWithSAML', { roleArn: `arn:aws:iam::${ACCOUNT}:role/${path}`, principalArn: 'p' }, 'us-east-1');
    expect(firing(breakGlass('aws-reserved/sso.amazonaws.com/AWSReservedSSO_InavorShuttleBreakGlass_0123abcd'))).toEqual(['breakGlassUsed']);
    expect(firing(breakGlass('aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_InavorShuttleBreakGlass_0123abcd'))).toEqual(['breakGlassUsed']);
    expect(firing(breakGlass('aws-reserved/sso.amazonaws.com/AWSReservedSSO_AdministratorAccess_0123abcd'))).toEqual([]);
    expect(firing(apiCall('sts', 'AssumeRole', { roleArn: `arn:aws:iam::${ACCOUNT}:role/inavor-shuttle-${stage}-web-app` }, region))).toEqual([]);
  });

  if (region === IAM_EVENTS_REGION) {
    test.each(SECURITY_ALARMS.dataRoleChanged.matches.map((action) => action.split(':')[1]!))('%s on a data-access role fires the role alarm; on another role it does not', (eventName) => {
      for (const purpose of DATA_ROLE_PURPOSES) {
        expect(firing(apiCall('iam', eventName, { roleName: dataRoleName(stage, purpose) }, IAM_EVENTS_REGION))).toEqual(['dataRoleChanged']);
      }
      expect(firing(apiCall('iam', eventName, { roleName: 'some-other-role' }, IAM_EVENTS_REGION))).toEqual([]);
    });
  }

  if (hasBackups) {
    test.each(['FAILED', 'ABORTED', 'EXPIRED'])('a backup job %s in the stage\'s vault fires the backup alarm', (state) => {
      expect(firing(backupJob(state, vaultName, region))).toEqual(['backupJobFailed']);
    });

    test('a completed backup job, or a failed one of another vault, fires nothing', () => {
      expect(firing(backupJob('COMPLETED', vaultName, region))).toEqual([]);
      expect(firing(backupJob('FAILED', 'someone-elses-vault', region))).toEqual([]);
    });

    test.each(SECURITY_ALARMS.vaultProtectionChanged.matches.map((action) => action.split(':')[1]!))('%s on the stage\'s vault fires the vault alarm', (eventName) => {
      expect(firing(apiCall('backup', eventName, { backupVaultName: vaultName }, region))).toEqual(['vaultProtectionChanged']);
      expect(firing(apiCall('backup', eventName, { backupVaultName: 'another-vault' }, region))).toEqual([]);
    });
  }
});

test.each(UNMONITORED)('the unmonitored %s stage has no security rule (it has no alarm topic)', (stage) => {
  expect(rulesOf(stage).rules).toEqual([]);
});
