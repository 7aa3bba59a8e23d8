import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { DYNAMODB_NAMESPACE, RUNBOOK_ANCHORS, tableAlarms, type AlarmSpec } from '../../policy/monitoring';
import type { TableSchema } from '../../data/schema-model';
import { dataStackName, physicalTableName } from '../../data/stages';

/** Props of {@link TableMonitoring}. */
export interface TableMonitoringProps {
  /** Name of the stage, carried in alarm and dashboard names and in the metrics' table names. */
  readonly stageName: string;
  /** The stage's tables, from the schema map; each table and index gets its alarms and graphs. */
  readonly schemas: readonly TableSchema[];
  /** Topic every alarm notifies, on ALARM and on OK. */
  readonly topic: sns.ITopic;
}

/** Narrowest widget that still shows a readable graph; a table with more graphs than fit wraps. */
const MIN_WIDGET_WIDTH = 4;
const WIDGET_HEIGHT = 6;

/**
 * The alarms and the dashboard of a stage's tables, all derived from the schema map through
 * `tableAlarms` (infra/policy/monitoring.ts): a table or index added to the map gets its alarms and its
 * graph with no code here. Dashboard: one row per table (what it serves, its throttles and
 * errors, its p99 latency per operation), then one graph per index, each titled with the access
 * patterns that read it.
 */
export class TableMonitoring extends Construct {
  /** Every alarm, by its alarm name. */
  public readonly alarms: Readonly<Record<string, cloudwatch.Alarm>>;
  /** The stage's dashboard. */
  public readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: TableMonitoringProps) {
    super(scope, id);
    const action = new SnsAction(props.topic);
    const alarms: Record<string, cloudwatch.Alarm> = {};
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: dataStackName(props.stageName),
      defaultInterval: Duration.hours(3),
    });

    for (const schema of props.schemas) {
      const tableScope = new Construct(this, schema.name);
      const specs = tableAlarms(schema, props.stageName);
      const made = specs.map((spec) => {
        const metric = alarmMetric(spec);
        const alarm = newAlarm(tableScope, spec, metric);
        // OK too: the on-call learns that an incident ended without opening the console.
        alarm.addAlarmAction(action);
        alarm.addOkAction(action);
        alarms[spec.alarmName] = alarm;
        return { spec, metric };
      });
      const metricsOf = (select: (spec: AlarmSpec) => boolean) =>
        made.filter(({ spec }) => select(spec)).map(({ spec, metric }) => metric.with({ label: labelOf(spec) }));
      const patterns = (index?: string) =>
        schema.accessPatterns
          .filter((pattern) => pattern.index === index)
          .map((pattern) => `${pattern.name} (${pattern.operation})`)
          .join(', ');
      const tableName = physicalTableName(schema.name, props.stageName);
      // Text, table graph, latency graph and one graph per index share the table's row of the 24-column grid.
      const width = Math.max(MIN_WIDGET_WIDTH, Math.floor(cloudwatch.GRID_WIDTH / (3 + schema.indexes.length)));
      this.dashboard.addWidgets(
        new cloudwatch.TextWidget({
          markdown: [
            `### ${tableName}`,
            schema.purpose,
            '',
            `Access patterns: ${schema.accessPatterns.map((pattern) => `\`${pattern.name}\` (${pattern.operation}${pattern.index ? ` on \`${pattern.index}\`` : ''})`).join(', ')}.`,
            '',
            'Runbook: docs/alarms-runbook.md in the data-infrastructure repository.',
          ].join('\n'),
          width,
          height: WIDGET_HEIGHT,
        }),
        new cloudwatch.GraphWidget({
          title: `${schema.name} table${patterns() ? ` – ${patterns()}` : ''}: throttle events, system errors`,
          left: metricsOf((spec) => spec.index === undefined && spec.kind !== 'latency'),
          width,
          height: WIDGET_HEIGHT,
        }),
        new cloudwatch.GraphWidget({
          title: `${schema.name}: p99 latency by operation (ms)`,
          left: metricsOf((spec) => spec.kind === 'latency'),
          width,
          height: WIDGET_HEIGHT,
        }),
        ...schema.indexes.map(
          (index) =>
            new cloudwatch.GraphWidget({
              title: `${schema.name} ${index.name}${patterns(index.name) ? ` – ${patterns(index.name)}` : ''}: throttle events, write units`,
              left: metricsOf((spec) => spec.index === index.name),
              right: [
                new cloudwatch.Metric({
                  namespace: DYNAMODB_NAMESPACE,
                  metricName: 'ConsumedWriteCapacityUnits',
                  dimensionsMap: { TableName: tableName, GlobalSecondaryIndexName: index.name },
                  statistic: 'Sum',
                  period: Duration.minutes(1),
                  label: 'write units per minute',
                }),
              ],
              width,
              height: WIDGET_HEIGHT,
            }),
        ),
      );
    }
    this.alarms = alarms;
  }
}

/** The alarm's metric: its one metric, or the sum of several (SystemErrors over each operation). */
function alarmMetric(spec: AlarmSpec): cloudwatch.Metric | cloudwatch.MathExpression {
  const { rule } = spec;
  const period = Duration.seconds(rule.periodSeconds);
  const metrics = spec.metrics.map(
    ({ metricName, dimensions }) =>
      new cloudwatch.Metric({ namespace: DYNAMODB_NAMESPACE, metricName, dimensionsMap: dimensions, statistic: rule.statistic, period }),
  );
  if (metrics.length === 1) return metrics[0]!;
  return new cloudwatch.MathExpression({
    expression: 'SUM(METRICS())',
    usingMetrics: Object.fromEntries(metrics.map((each, i) => [`m${i}`, each])),
    label: labelOf(spec),
    period,
  });
}

function newAlarm(scope: Construct, spec: AlarmSpec, metric: cloudwatch.IMetric): cloudwatch.Alarm {
  const { rule } = spec;
  return new cloudwatch.Alarm(scope, spec.id, {
    alarmName: spec.alarmName,
    alarmDescription: `${describe(spec)} Threshold: ${spec.threshold.reason} Runbook: docs/alarms-runbook.md#${RUNBOOK_ANCHORS[spec.kind]}`,
    metric,
    threshold: spec.threshold.value,
    comparisonOperator: rule.comparison as cloudwatch.ComparisonOperator,
    evaluationPeriods: rule.evaluationPeriods,
    datapointsToAlarm: rule.datapointsToAlarm,
    treatMissingData: rule.treatMissingData as cloudwatch.TreatMissingData,
  });
}

function labelOf(spec: AlarmSpec): string {
  if (spec.kind === 'latency') return spec.operation!;
  return spec.metrics[0]!.metricName;
}

function describe(spec: AlarmSpec): string {
  const where = spec.index === undefined ? `table ${spec.table}` : `index ${spec.index} of ${spec.table}`;
  switch (spec.kind) {
    case 'readThrottleEvents':
      return `Reads of the ${where} are being throttled.`;
    case 'writeThrottleEvents':
      return `Writes to the ${where} are being throttled${spec.index ? '; they throttle the table writes that feed it' : ''}.`;
    case 'systemErrors':
      return `DynamoDB is returning internal errors for the ${where}.`;
    case 'latency':
      return `p99 latency of ${spec.operation} on the ${where} is above ${spec.threshold.value} ms.`;
  }
}
