import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  IAM_EVENTS_REGION,
  SECURITY_ALARMS,
  VERDICTS,
  deployRuleName,
  securityAlarms,
  securityRuleName,
  securityRunbookAnchor,
  stageHasAlarm,
  type SecurityAlarmName,
} from '../../../infra/policy/security-monitoring';
import { DATA_ROLE_PURPOSES, STAGES, STAGE_NAMES, dataRoleName, deployRoleName, physicalTableName, type StageName } from '../../../infra/data/stages';
import { TABLE_SCHEMAS } from '../../../infra/data/schemas';
import { stageTemplateJson } from '../../support/cdk-out';
import { recordedCall, recordedCalls, type RecordedCaller } from '../../support/cloudtrail';
import { eventMatches } from '../../support/event-pattern';
import { DeployedTemplate } from '../../support/template-policies';

/**
 * The EventBridge security alarms, their rules tried on CloudTrail entries recorded for each call
 * (test/fixtures/cloudtrail), aimed at the stage's resources, as an administrator, the deploy role
 * and the app's deploy role would make them; and the message each sends.
 */

const ACCOUNT = '111122223333';
const MONITORED = STAGE_NAMES.filter((stage) => STAGES[stage].monitoring.alarms);
const UNMONITORED = STAGE_NAMES.filter((stage) => !STAGES[stage].monitoring.alarms);
const SECURITY_DOC = readFileSync(join(__dirname, '..', '..', '..', 'docs', 'security.md'), 'utf8');

/** A recorded call aimed at a resource: the fixture and the fields to set. */
interface Aim {
  readonly call: string;
  readonly set?: Record<string, unknown>;
}

describe.each(MONITORED)('the %s stage', (stage: StageName) => {
  const policy = STAGES[stage];
  const region = policy.region;
  const deployed = new DeployedTemplate(stageTemplateJson(stage), { account: ACCOUNT, region, partition: 'aws' });
  const rules = deployed.resolvedOfType('AWS::Events::Rule').map(({ properties }) => properties);
  const present = securityAlarms().filter(([, alarm]) => stageHasAlarm(alarm, policy));
  const role = (name: string) => deployed.roleArn(name);
  const admin = role('Administrator');
  const deployer = role(deployRoleName(stage));
  const appDeployer = role(policy.access.appDeployRole);
  const topicArn = `arn:aws:sns:${region}:${ACCOUNT}:inavor-shuttle-${stage}-data-alarms`;
  const vaults = policy.backup.rules.length > 0 ? [`inavor-shuttle-${stage}`, ...('airGappedCopy' in policy.backup ? [`inavor-shuttle-${stage}-air-gapped`] : [])] : [];
  const [planId] = deployed.resolvedOfType('AWS::Backup::BackupPlan').map(({ id }) => deployed.resolve({ 'Fn::GetAtt': [id, 'BackupPlanId'] }));
  const table = physicalTableName(TABLE_SCHEMAS[0]!.name, stage);
  const tokenRole = role(dataRoleName(stage, 'tokenRefresher'));
  const webApp = role(dataRoleName(stage, 'webApp'));
  const breakGlass = role('aws-reserved/sso.amazonaws.com/AWSReservedSSO_InavorShuttleBreakGlass_0123abcd');

  /** Each alarm's calls aimed at the stage's resources, and the same calls aimed elsewhere (which must fire nothing). */
  const aims: Record<SecurityAlarmName, { at: Aim[]; elsewhere: Aim[] }> = {
    keyDisabledOrDeleted: { at: [{ call: 'kms.ScheduleKeyDeletion' }, { call: 'kms.DisableKey' }], elsewhere: [] },
    keyGrantRevoked: { at: [{ call: 'kms.RevokeGrant' }], elsewhere: [] },
    keyPolicyChanged: { at: [{ call: 'kms.PutKeyPolicy' }], elsewhere: [] },
    keyAliasChanged: {
      at: ['kms.UpdateAlias', 'kms.DeleteAlias', 'kms.CreateAlias'].flatMap((call) => ['data', 'tokens'].map((key) => ({ call, set: { 'requestParameters.aliasName': `alias/inavor-shuttle/${stage}/${key}` } }))),
      elsewhere: [{ call: 'kms.UpdateAlias', set: { 'requestParameters.aliasName': 'alias/my_alias' } }, { call: 'kms.UpdateAlias', set: { 'requestParameters.aliasName': `alias/inavor-shuttle/${stage}x/data` } }],
    },
    vaultProtectionChanged: {
      at: SECURITY_ALARMS.vaultProtectionChanged.matches.flatMap((action) => vaults.map((vault) => ({ call: `backup.${action.split(':')[1]!}`, set: { 'requestParameters.backupVaultName': vault } }))),
      elsewhere: [{ call: 'backup.DeleteRecoveryPoint', set: { 'requestParameters.backupVaultName': 'another-vault' } }],
    },
    vaultPolicyChanged: {
      at: SECURITY_ALARMS.vaultPolicyChanged.matches.flatMap((action) => vaults.map((vault) => ({ call: `backup.${action.split(':')[1]!}`, set: { 'requestParameters.backupVaultName': vault } }))),
      elsewhere: [{ call: 'backup.PutBackupVaultAccessPolicy', set: { 'requestParameters.backupVaultName': 'another-vault' } }],
    },
    breakGlassUsed: {
      at: ['sts.AssumeRoleWithSAML', 'sts.AssumeRole'].map((call) => ({ call, set: { 'requestParameters.roleArn': breakGlass } })),
      elsewhere: [{ call: 'sts.AssumeRoleWithSAML', set: { 'requestParameters.roleArn': role('aws-reserved/sso.amazonaws.com/AWSReservedSSO_AdministratorAccess_0123abcd') } }],
    },
    roleChanged: {
      at: SECURITY_ALARMS.roleChanged.matches.map((action) => `iam.${action.split(':')[1]!}`).flatMap((call) =>
        [...DATA_ROLE_PURPOSES.map((purpose) => dataRoleName(stage, purpose)), deployRoleName(stage), `cdk-hnb659fds-cfn-exec-role-${ACCOUNT}-${region}`].map((name) => ({ call, set: { 'requestParameters.roleName': name } })),
      ),
      elsewhere: [{ call: 'iam.UpdateAssumeRolePolicy', set: { 'requestParameters.roleName': 'some-other-role' } }],
    },
    tokenRoleFunctionChanged: {
      at: [
        { call: 'lambda.CreateFunction20150331', set: { 'requestParameters.role': tokenRole, 'responseElements.role': tokenRole } },
        { call: 'lambda.UpdateFunctionCode20150331v2', set: { 'responseElements.role': tokenRole } },
        { call: 'lambda.UpdateFunctionConfiguration20150331v2', set: { 'responseElements.role': webApp } },
      ],
      elsewhere: [
        { call: 'lambda.UpdateFunctionCode20150331v2', set: { 'responseElements.role': role(dataRoleName(stage, 'redaction')) } },
        { call: 'lambda.UpdateFunctionCode20150331v2' },
      ],
    },
    tokenRoleServiceChanged: {
      at: [
        { call: 'apprunner.CreateService', set: { 'requestParameters.instanceConfiguration.instanceRoleArn': webApp } },
        { call: 'apprunner.UpdateService', set: { 'responseElements.service.instanceConfiguration.instanceRoleArn': webApp } },
        { call: 'apprunner.StartDeployment' },
      ],
      elsewhere: [{ call: 'apprunner.CreateService' }, { call: 'apprunner.UpdateService' }],
    },
    tableProtectionChanged: {
      at: [
        { call: 'dynamodb.UpdateContinuousBackups', set: { 'requestParameters.tableName': table } },
        { call: 'dynamodb.UpdateContinuousBackups', set: { 'requestParameters.tableName': `arn:aws:dynamodb:${region}:${ACCOUNT}:table/${table}` } },
        { call: 'dynamodb.UpdateTable', set: { 'responseElements.tableDescription.tableName': table } },
        { call: 'dynamodb.DeleteTable', set: { 'requestParameters.tableName': table } },
      ],
      elsewhere: [{ call: 'dynamodb.DeleteTable', set: { 'requestParameters.tableName': `${table}-restored-20260101T000000Z` } }, { call: 'dynamodb.UpdateTable' }],
    },
    backupPlanChanged: {
      at: ['backup.DeleteBackupPlan', 'backup.UpdateBackupPlan', 'backup.DeleteBackupSelection', 'backup.CreateBackupSelection'].map((call) => ({ call, set: { 'requestParameters.backupPlanId': planId } })),
      elsewhere: [{ call: 'backup.DeleteBackupPlan' }],
    },
    trailChanged: { at: ['cloudtrail.StopLogging', 'cloudtrail.DeleteTrail', 'cloudtrail.UpdateTrail', 'cloudtrail.PutEventSelectors'].map((call) => ({ call })), elsewhere: [] },
    securityRulesChanged: {
      at: [
        ...['events.DisableRule', 'events.DeleteRule', 'events.PutRule'].map((call) => ({ call, set: { 'requestParameters.name': securityRuleName(stage, 'trailChanged') } })),
        ...['events.RemoveTargets', 'events.PutTargets'].map((call) => ({ call, set: { 'requestParameters.rule': securityRuleName(stage, 'keyPolicyChanged') } })),
      ],
      elsewhere: [{ call: 'events.DisableRule' }, { call: 'events.DeleteRule', set: { 'requestParameters.name': 'inavor-shuttle-other-trail-changed' } }],
    },
    alarmTopicChanged: {
      at: [
        ...['sns.DeleteTopic', 'sns.SetTopicAttributes', 'sns.Subscribe', 'sns.AddPermission', 'sns.RemovePermission'].map((call) => ({ call, set: { 'requestParameters.topicArn': topicArn } })),
        ...['sns.Unsubscribe', 'sns.SetSubscriptionAttributes'].map((call) => ({ call, set: { 'requestParameters.subscriptionArn': `${topicArn}:c3019def-3714-403e-ba29-eb14079d5c69` } })),
      ],
      elsewhere: [{ call: 'sns.Unsubscribe' }, { call: 'sns.DeleteTopic', set: { 'requestParameters.topicArn': `${topicArn}-other` } }],
    },
    backupJobFailed: { at: [], elsewhere: [] },
    copyJobFailed: { at: [], elsewhere: [] },
  };

  /** Names of the rules a recorded call, aimed and made by `caller`, fires. */
  const firing = ({ call, set }: Aim, caller: RecordedCaller) => {
    const eventRegion = call.startsWith('iam.') ? IAM_EVENTS_REGION : region;
    const event = recordedCall(call, { account: ACCOUNT, region: eventRegion, set, caller });
    return rules.filter((rule) => eventMatches(rule.EventPattern, event)).map((rule) => rule.Name as string);
  };
  const cloudTrailAlarms = present.filter(([, alarm]) => alarm.source === 'cloudTrail');

  test('has the incident rule of each alarm it has the resources for, and a deploy rule where the deploy role is expected, each sending to the alarm topic only', () => {
    const expected = present.flatMap(([name, alarm]) => [securityRuleName(stage, name), ...(alarm.expected === 'deployRole' ? [deployRuleName(stage, name)] : [])]);
    expect(rules.map((rule) => rule.Name).sort()).toEqual(expected.sort());
    for (const rule of rules) {
      expect(rule.State).toBe('ENABLED');
      expect(rule.Targets).toHaveLength(1);
      expect(rule.Targets[0].Arn).toBe(topicArn);
      expect((rule.Name as string).length).toBeLessThanOrEqual(64);
    }
  });

  test.each(present.map(([name]) => name))('%s: every notification says the alarm, the stage, its verdict and why, and links its runbook entry, around the whole event', (name) => {
    const alarm = SECURITY_ALARMS[name];
    const event = { source: 'aws.kms', detail: { eventName: 'PutKeyPolicy' } };
    for (const [ruleName, verdict] of [[securityRuleName(stage, name), VERDICTS.incident], [deployRuleName(stage, name), VERDICTS.deploy]] as const) {
      const rule = rules.find((candidate) => candidate.Name === ruleName);
      if (!rule) continue;
      const template = rule.Targets[0].InputTransformer.InputTemplate as string;
      const message = JSON.parse(template.replace('<aws.events.event.json>', JSON.stringify(event)));
      expect(message).toEqual({ alarm: alarm.title, stage, verdict, reason: expect.any(String), runbook: `docs/security.md#${securityRunbookAnchor(alarm)}`, event });
      expect(SECURITY_DOC).toContain(`\n### ${alarm.title}\n`);
    }
  });

  test.each(cloudTrailAlarms.map(([name]) => name))('%s: each of its calls, as recorded and aimed at the stage, fires its incident rule when an administrator makes it', (name) => {
    const { at } = aims[name];
    const calls = new Set(at.map(({ call }) => call.split('.')[1]!.replace(/\d{8}(v\d)?$/, '')));
    // Every call the alarm matches is tried.
    expect([...calls].sort()).toEqual(SECURITY_ALARMS[name].matches.map((action) => action.split(':')[1]!).sort());
    for (const aim of at) {
      expect([aim, firing(aim, { role: admin })]).toEqual([aim, [securityRuleName(stage, name)]]);
      expect([aim, firing(aim, 'asRecorded')]).toEqual([aim, [securityRuleName(stage, name)]]);
    }
  });

  test.each(cloudTrailAlarms.map(([name]) => name))('%s: the same calls aimed elsewhere fire nothing', (name) => {
    for (const aim of aims[name].elsewhere) expect([aim, firing(aim, { role: admin })]).toEqual([aim, []]);
  });

  test.each(cloudTrailAlarms.map(([name]) => name))('%s: the deploy role through CloudFormation, and the app\'s deploy role, fire what the alarm expects of them', (name) => {
    const alarm = SECURITY_ALARMS[name];
    for (const aim of aims[name].at) {
      const byDeploy = firing(aim, { role: deployer, throughCloudFormation: true });
      const byApp = firing(aim, { role: appDeployer });
      expect([aim, byDeploy]).toEqual([aim, [alarm.expected === 'deployRole' ? deployRuleName(stage, name) : securityRuleName(stage, name)]]);
      expect([aim, byApp]).toEqual([aim, alarm.expected === 'appDeployRole' ? [] : [securityRuleName(stage, name)]]);
      // The deploy role calling by itself, outside CloudFormation, is not a deploy; nor is CloudFormation acting for an IAM user.
      expect([aim, firing(aim, { role: deployer })]).toEqual([aim, [securityRuleName(stage, name)]]);
      const asUserThroughCloudFormation = { ...aim, set: { ...aim.set, 'userIdentity.invokedBy': 'cloudformation.amazonaws.com' } };
      expect([aim, firing(asUserThroughCloudFormation, 'asRecorded')]).toEqual([aim, [securityRuleName(stage, name)]]);
    }
  });

  test('every recorded call is aimed at by some alarm of the stage', () => {
    const aimed = new Set(Object.values(aims).flatMap(({ at }) => at.map(({ call }) => call)));
    expect(recordedCalls().filter((call) => !aimed.has(call))).toEqual([]);
  });

  if (policy.backup.rules.length > 0) {
    const backupJob = (state: string, backupVaultName: string) => ({ source: 'aws.backup', 'detail-type': 'Backup Job State Change', account: ACCOUNT, region, detail: { state, backupVaultName, resourceType: 'DynamoDB' } });
    const fired = (event: Record<string, unknown>) => rules.filter((rule) => eventMatches(rule.EventPattern, event)).map((rule) => rule.Name);

    test.each(['FAILED', 'ABORTED', 'EXPIRED'])('a backup job %s in the stage\'s vault fires the backup alarm', (state) => {
      expect(fired(backupJob(state, `inavor-shuttle-${stage}`))).toEqual([securityRuleName(stage, 'backupJobFailed')]);
    });

    test('a completed backup job, or a failed one of another vault, fires nothing', () => {
      expect(fired(backupJob('COMPLETED', `inavor-shuttle-${stage}`))).toEqual([]);
      expect(fired(backupJob('FAILED', 'someone-elses-vault'))).toEqual([]);
    });

    if (stageHasAlarm(SECURITY_ALARMS.copyJobFailed, policy)) {
      test('a failed copy job fires the copy alarm', () => {
        expect(fired({ source: 'aws.backup', 'detail-type': 'Copy Job State Change', account: ACCOUNT, region, detail: { state: 'FAILED' } })).toEqual([securityRuleName(stage, 'copyJobFailed')]);
      });
    }
  }
});

test.each(UNMONITORED)('the unmonitored %s stage has no security rule (it has no alarm topic)', (stage) => {
  expect(Object.values(stageTemplateJson(stage).Resources ?? {}).filter((resource) => resource.Type === 'AWS::Events::Rule')).toEqual([]);
});
