// One file: every alarm, the dashboard and the runbook's drift check read one synthesis of the monitored and unmonitored stages.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { RUNBOOK_ANCHORS, tableAlarms } from '../../../infra/policy/monitoring';
import type { TableSchema } from '../../../infra/data/schema-model';
import { TABLE_SCHEMAS } from '../../../infra/data/schemas';
import { STAGES, STAGE_NAMES, type MonitoringPolicy, type StageName } from '../../../infra/data/stages';
import { RUNBOOK_SECTIONS, loadRunbookInput, renderAlarmsRunbook } from '../../../scripts/docs/runbook-docs';
import { stageTemplateJson, stageTemplates } from '../../support/cdk-out';
import { evaluate } from '../../support/iam-policy';
import { DeployedTemplate } from '../../support/template-policies';

const SCHEMAS: readonly TableSchema[] = TABLE_SCHEMAS;
const MONITORED = STAGE_NAMES.filter((stage) => STAGES[stage].monitoring.alarms);
const UNMONITORED = STAGE_NAMES.filter((stage) => !STAGES[stage].monitoring.alarms);
const WITH_INSIGHTS = STAGE_NAMES.filter((stage) => STAGES[stage].monitoring.contributorInsights);
const WITHOUT_INSIGHTS = STAGE_NAMES.filter((stage) => !STAGES[stage].monitoring.contributorInsights);
/** The writes the application's role is granted, each watched on every table. */
const WRITE_OPERATIONS = ['BatchWriteItem', 'DeleteItem', 'PutItem', 'UpdateItem'];
const LATENCY_MS: Record<string, number> = { GetItem: 20, Query: 50, PutItem: 30, UpdateItem: 30, DeleteItem: 30, BatchWriteItem: 100 };

let templates: Record<StageName, Template>;
beforeAll(() => {
  templates = stageTemplates();
});

const template = (stage: StageName): Template => templates[stage];

function onlyLogicalId(stage: StageName, type: string): string {
  const ids = Object.keys(template(stage).findResources(type));
  expect(ids).toHaveLength(1);
  return ids[0]!;
}

/** Alarm and OK actions: the stage's alarm topic, and nothing else. */
function notifiesTopic(stage: StageName) {
  const topic = { Ref: onlyLogicalId(stage, 'AWS::SNS::Topic') };
  return { AlarmActions: [topic], OKActions: [topic] };
}

function operationsOf(schema: TableSchema): string[] {
  return [...new Set([...schema.accessPatterns.map((pattern) => pattern.operation), ...WRITE_OPERATIONS])];
}

const THROTTLE_CASES = MONITORED.flatMap((stage) =>
  SCHEMAS.flatMap((schema) =>
    [undefined, ...schema.indexes.map((index) => index.name)].flatMap((index) =>
      (['ReadThrottleEvents', 'WriteThrottleEvents'] as const).map((metric) => ({ stage, table: schema.name, index, metric })),
    ),
  ),
);

describe.each(THROTTLE_CASES.map((c) => [`${c.stage} ${c.table}${c.index ? ` index ${c.index}` : ''} ${c.metric}`, c] as const))(
  '%s',
  (_name, { stage, table, index, metric }) => {
    test('is alarmed on: Sum per minute ≥ 1 in 3 of 5 minutes, missing data not breaching, notifying the alarm topic', () => {
      const dimensions = [
        ...(index === undefined ? [] : [{ Name: 'GlobalSecondaryIndexName', Value: index }]),
        { Name: 'TableName', Value: `${table}-${stage}` },
      ];
      template(stage).hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmName: `InavorShuttleData-${stage}-${table}${index ? `-${index}` : ''}-${metric}`,
        Namespace: 'AWS/DynamoDB',
        MetricName: metric,
        Dimensions: dimensions,
        Statistic: 'Sum',
        Period: 60,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        EvaluationPeriods: 5,
        DatapointsToAlarm: 3,
        TreatMissingData: 'notBreaching',
        AlarmDescription: Match.stringLikeRegexp(`Runbook: docs/alarms-runbook.md#${metric === 'ReadThrottleEvents' ? 'read' : 'write'}-throttle-events$`),
        ...notifiesTopic(stage),
      });
    });
  },
);

const TABLE_CASES = MONITORED.flatMap((stage) => SCHEMAS.map((schema) => [`${stage} ${schema.name}`, stage, schema] as const));

describe.each(TABLE_CASES)('%s', (_name, stage, schema) => {
  const tableName = `${schema.name}-${stage}`;

  test('SystemErrors of every operation it serves is summed and alarmed on: ≥ 1 in 2 of 5 minutes, missing data not breaching', () => {
    const operations = operationsOf(schema);
    template(stage).hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: `InavorShuttleData-${stage}-${schema.name}-SystemErrors`,
      Metrics: Match.arrayEquals([
        { Id: Match.anyValue(), Expression: 'SUM(METRICS())', Label: 'SystemErrors', ReturnData: true },
        ...operations.map((operation) => ({
          Id: Match.anyValue(),
          MetricStat: {
            Metric: {
              Namespace: 'AWS/DynamoDB',
              MetricName: 'SystemErrors',
              Dimensions: [
                { Name: 'Operation', Value: operation },
                { Name: 'TableName', Value: tableName },
              ],
            },
            Period: 60,
            Stat: 'Sum',
          },
          ReturnData: false,
        })),
      ]),
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 5,
      DatapointsToAlarm: 2,
      TreatMissingData: 'notBreaching',
      ...notifiesTopic(stage),
    });
  });

  test.each(operationsOf(schema))('p99 SuccessfulRequestLatency of %s is alarmed on over 5 minutes, 3 of 3, above its threshold', (operation) => {
    template(stage).hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: `InavorShuttleData-${stage}-${schema.name}-${operation}-LatencyP99`,
      Namespace: 'AWS/DynamoDB',
      MetricName: 'SuccessfulRequestLatency',
      Dimensions: [
        { Name: 'Operation', Value: operation },
        { Name: 'TableName', Value: tableName },
      ],
      ExtendedStatistic: 'p99',
      Period: 300,
      Threshold: LATENCY_MS[operation],
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 3,
      DatapointsToAlarm: 3,
      TreatMissingData: 'notBreaching',
      ...notifiesTopic(stage),
    });
  });

  test('its dashboard row names the table\'s access patterns, with one graph per index titled with the patterns it serves', () => {
    const widgets = dashboardWidgets(stage);
    const text = widgets.find((widget) => widget.type === 'text' && widget.properties.markdown.startsWith(`### ${tableName}\n`));
    expect(text).toBeDefined();
    for (const pattern of schema.accessPatterns) expect(text!.properties.markdown).toContain(`\`${pattern.name}\``);
    for (const index of schema.indexes) {
      const graph = widgets.find((widget) => widget.type === 'metric' && widget.properties.title.startsWith(`${schema.name} ${index.name}`));
      expect(graph).toBeDefined();
      for (const pattern of schema.accessPatterns.filter((each) => each.index === index.name)) {
        expect(graph!.properties.title).toContain(pattern.name);
      }
      expect(graph!.properties.metrics).toContainEqual(
        expect.arrayContaining(['AWS/DynamoDB', 'WriteThrottleEvents', 'TableName', tableName, 'GlobalSecondaryIndexName', index.name]),
      );
    }
    const row = widgets.filter((widget) => widget === text || /^([^\s:]+)[ :]/.exec(widget.properties.title ?? '')?.[1] === schema.name);
    expect(row).toHaveLength(3 + schema.indexes.length);
    expect(new Set(row.map((widget) => widget.y))).toEqual(new Set([text!.y]));
  });
});

interface Widget {
  type: string;
  y: number;
  properties: { markdown: string; title: string; metrics: unknown[][] };
}

/** The dashboard's widgets, with the body's tokens (the region) replaced by a placeholder. */
function dashboardWidgets(stage: StageName): Widget[] {
  const dashboards = template(stage).findResources('AWS::CloudWatch::Dashboard', {
    Properties: { DashboardName: `InavorShuttleData-${stage}` },
  });
  const [dashboard] = Object.values(dashboards);
  const body = dashboard!.Properties.DashboardBody;
  const text = typeof body === 'string' ? body : (body['Fn::Join'][1] as unknown[]).map((part) => (typeof part === 'string' ? part : 'REGION')).join('');
  return (JSON.parse(text) as { widgets: Widget[] }).widgets;
}

describe.each(MONITORED)('the %s stage', (stage) => {
  test('has exactly the alarms the schema map implies, every one notifying the alarm topic on ALARM and on OK', () => {
    const expected = SCHEMAS.reduce((sum, schema) => sum + 2 + 2 * schema.indexes.length + 1 + operationsOf(schema).length, 0);
    const alarms = Object.values(template(stage).findResources('AWS::CloudWatch::Alarm'));
    expect(alarms).toHaveLength(expected);
    for (const alarm of alarms) expect(alarm.Properties).toMatchObject(notifiesTopic(stage));
  });

  test('encrypts the alarm topic with a rotating customer-managed key that CloudWatch and EventBridge may use for that topic only', () => {
    const topic = template(stage).findResources('AWS::SNS::Topic')[onlyLogicalId(stage, 'AWS::SNS::Topic')]!;
    expect(topic.Properties.TopicName).toBe(`inavor-shuttle-${stage}-data-alarms`);
    const keyId = topic.Properties.KmsMasterKeyId['Fn::GetAtt'][0] as string;
    const key = template(stage).findResources('AWS::KMS::Key')[keyId];
    expect(key).toBeDefined();
    expect(key!.Properties.EnableKeyRotation).toBe(true);
    expect(key!.DeletionPolicy).toBe('Retain');
    const deployed = new DeployedTemplate(stageTemplateJson(stage), { account: '111122223333', region: STAGES[stage].region, partition: 'aws' });
    const { arn, policy } = deployed.keys().find((candidate) => candidate.id === keyId)!;
    const topicArn = `arn:aws:sns:${STAGES[stage].region}:111122223333:inavor-shuttle-${stage}-data-alarms`;
    const publish = (service: string, context: Record<string, string>) =>
      evaluate({ caller: { kind: 'service', service }, action: 'kms:GenerateDataKey', resource: arn, context }, { service: 'kms', resourcePolicy: policy }).decision;
    for (const service of ['cloudwatch.amazonaws.com', 'events.amazonaws.com']) {
      expect([service, publish(service, { 'kms:EncryptionContext:aws:sns:topicArn': topicArn })]).toEqual([service, 'allow']);
      expect([service, publish(service, { 'kms:EncryptionContext:aws:sns:topicArn': `${topicArn}-other` })]).toEqual([service, 'implicitDeny']);
    }
    expect(publish('lambda.amazonaws.com', { 'kms:EncryptionContext:aws:sns:topicArn': topicArn })).toBe('implicitDeny');
  });

  test('denies publishing to the alarm topic without TLS, and lets only this account\'s alarms and this stage\'s event rules publish', () => {
    const topic = { Ref: onlyLogicalId(stage, 'AWS::SNS::Topic') };
    template(stage).hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayEquals([
          Match.objectLike({ Effect: 'Deny', Principal: '*', Action: 'sns:Publish', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: 'sns:Publish',
            Resource: topic,
            Condition: {
              StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
              ArnLike: { 'aws:SourceArn': Match.objectLike({}) },
            },
          }),
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'events.amazonaws.com' },
            Action: 'sns:Publish',
            Resource: topic,
            Condition: {
              StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
              ArnLike: { 'aws:SourceArn': Match.objectLike({}) },
            },
          }),
        ]),
      },
    });
    const deployed = new DeployedTemplate(stageTemplateJson(stage), { account: '111122223333', region: STAGES[stage].region, partition: 'aws' });
    const [topicPolicy] = Object.values(template(stage).findResources('AWS::SNS::TopicPolicy'));
    const fromEvents = (deployed.resolve(topicPolicy!.Properties.PolicyDocument) as { Statement: { Principal?: { Service?: string }; Condition?: any }[] }).Statement.find(
      (statement) => statement.Principal?.Service === 'events.amazonaws.com',
    );
    expect(fromEvents?.Condition.ArnLike['aws:SourceArn']).toBe(`arn:aws:events:${STAGES[stage].region}:111122223333:rule/inavor-shuttle-${stage}-*`);
  });

  test('subscribes the stage\'s on-call to the alarm topic in the template, so that removing the subscription is drift', () => {
    const notify = (STAGES[stage].monitoring as MonitoringPolicy).notify!;
    const subscriptions = Object.values(template(stage).findResources('AWS::SNS::Subscription'));
    expect(subscriptions).toEqual([
      expect.objectContaining({ Properties: { TopicArn: { Ref: onlyLogicalId(stage, 'AWS::SNS::Topic') }, Protocol: notify.protocol, Endpoint: notify.endpoint } }),
    ]);
  });

  test('exports the alarm topic\'s ARN', () => {
    template(stage).hasOutput('AlarmTopicArn', {
      Value: { Ref: onlyLogicalId(stage, 'AWS::SNS::Topic') },
      Export: { Name: `InavorShuttleData-${stage}-AlarmTopicArn` },
    });
  });
});

describe.each(UNMONITORED)('the unmonitored %s stage', (stage) => {
  test('has no alarm, alarm topic, dashboard or alarm-topic output', () => {
    template(stage).resourceCountIs('AWS::CloudWatch::Alarm', 0);
    template(stage).resourceCountIs('AWS::SNS::Topic', 0);
    template(stage).resourceCountIs('AWS::SNS::Subscription', 0);
    template(stage).resourceCountIs('AWS::CloudWatch::Dashboard', 0);
    expect(Object.keys(template(stage).findOutputs('AlarmTopicArn'))).toEqual([]);
  });
});

/** The primary replica's Contributor Insights settings of a table: the table's and each index's. */
function insightsOf(stage: StageName, table: string) {
  const tables = template(stage).findResources('AWS::DynamoDB::GlobalTable', { Properties: { TableName: `${table}-${stage}` } });
  const [resource] = Object.values(tables);
  const replicas = resource!.Properties.Replicas as {
    ContributorInsightsSpecification?: unknown;
    GlobalSecondaryIndexes?: { IndexName: string; ContributorInsightsSpecification?: unknown }[];
  }[];
  expect(replicas).toHaveLength(1);
  const [replica] = replicas;
  return {
    table: replica!.ContributorInsightsSpecification,
    indexes: Object.fromEntries((replica!.GlobalSecondaryIndexes ?? []).map((index) => [index.IndexName, index.ContributorInsightsSpecification])),
  };
}

test('prod has Contributor Insights on the Jobs table and its status index', () => {
  const jobs = insightsOf('prod', 'Jobs');
  expect(jobs.table).toEqual({ Enabled: true });
  expect(jobs.indexes['status-createdAt']).toEqual({ Enabled: true });
});

describe.each(WITH_INSIGHTS.flatMap((stage) => SCHEMAS.map((schema) => [stage, schema.name, schema] as const)))(
  'in %s, Contributor Insights on %s',
  (stage, _table, schema) => {
    test('is on exactly for the table and the indexes the schema map marks hotKeyProne', () => {
      const insights = insightsOf(stage, schema.name);
      expect(insights.table).toEqual({ Enabled: schema.hotKeyProne !== undefined });
      expect(insights.indexes).toEqual(
        Object.fromEntries(schema.indexes.map((index) => [index.name, { Enabled: index.hotKeyProne !== undefined }])),
      );
    });
  },
);

test.each(WITHOUT_INSIGHTS)('%s turns Contributor Insights on nowhere', (stage) => {
  for (const schema of SCHEMAS) {
    const insights = insightsOf(stage, schema.name);
    expect([insights.table, ...Object.values(insights.indexes)].filter((setting) => setting !== undefined)).toEqual([]);
  }
});

test('an index added to the map gets read and write throttle alarms carrying its index dimension', () => {
  const jobs = SCHEMAS.find((schema) => schema.name === 'Jobs')!;
  const added = { ...jobs, indexes: [...jobs.indexes, { ...jobs.indexes[0]!, name: 'test-only-added-index' }] };
  const alarms = tableAlarms(added, 'prod').filter((alarm) => alarm.index === 'test-only-added-index');
  expect(alarms.map((alarm) => [alarm.alarmName, alarm.metrics])).toEqual([
    [
      'InavorShuttleData-prod-Jobs-test-only-added-index-ReadThrottleEvents',
      [{ metricName: 'ReadThrottleEvents', dimensions: { TableName: 'Jobs-prod', GlobalSecondaryIndexName: 'test-only-added-index' } }],
    ],
    [
      'InavorShuttleData-prod-Jobs-test-only-added-index-WriteThrottleEvents',
      [{ metricName: 'WriteThrottleEvents', dimensions: { TableName: 'Jobs-prod', GlobalSecondaryIndexName: 'test-only-added-index' } }],
    ],
  ]);
});

test('a write the application is granted without a latency threshold stops synth with a one-line fix', () => {
  jest.isolateModules(() => {
    jest.doMock('../../../infra/policy/table-access', () => ({
      TABLE_ACTIONS: { read: ['dynamodb:GetItem'], readWrite: ['dynamodb:GetItem', 'dynamodb:TransactWriteItems'] },
    }));
    expect(() => require('../../../infra/policy/monitoring')).toThrow(
      'The application may call TransactWriteItems, which has no p99 latency threshold: add one to LATENCY_THRESHOLDS_MS in infra/policy/monitoring.ts.',
    );
  });
});

describe('docs/alarms-runbook.md', () => {
  const committed = readFileSync(join(__dirname, '..', '..', '..', 'docs', 'alarms-runbook.md'), 'utf8');

  test('is what `npm run docs` renders now', () => {
    if (renderAlarmsRunbook(loadRunbookInput()) !== committed) throw new Error('docs/alarms-runbook.md is stale: run `npm run docs`');
  });

  test('has the section every alarm description links to', () => {
    for (const [kind, anchor] of Object.entries(RUNBOOK_ANCHORS)) {
      const { title } = RUNBOOK_SECTIONS[kind as keyof typeof RUNBOOK_SECTIONS];
      expect(committed).toContain(`\n## ${title}\n`);
      expect(title.toLowerCase().replace(/ /g, '-')).toBe(anchor);
    }
  });

  test('gives the status index ceiling from the capacity model, and what each remedy makes of it', () => {
    expect(committed).toContain('cap the whole system at **500 jobs per second**');
    expect(committed).toContain('the ceiling rises to **5,000 jobs per second**');
    expect(committed).toContain('so it stays at 500 jobs per second');
  });

  test('changes when the capacity model\'s partition load changes', () => {
    const input = loadRunbookInput();
    const capacity = {
      ...input.capacity,
      jobLifecycle: input.capacity.jobLifecycle.map((step) => (step.write === 'jobs.transition' ? { ...step, times: step.times * 2 } : step)),
    };
    expect(renderAlarmsRunbook({ ...input, capacity })).not.toBe(committed);
  });
});
