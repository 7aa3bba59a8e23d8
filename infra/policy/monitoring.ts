/**
 * Every alarm threshold of the data layer, and the alarms the schema map implies for one table.
 * Plain data (no aws-cdk-lib), so the construct, the tests and the generated runbook read the same
 * numbers. Which stages get the alarms is the stage policy's `monitoring` (infra/data/stages.ts); the
 * security alarms are in infra/policy/security-monitoring.ts.
 */

import { TABLE_ACTIONS } from './table-access';
import type { TableSchema } from '../data/schema-model';
import { dataStackName, physicalTableName } from '../data/stages';

/** CloudWatch namespace of every DynamoDB metric. */
export const DYNAMODB_NAMESPACE = 'AWS/DynamoDB';

/** How one kind of alarm evaluates its metric. */
export interface AlarmRule {
  /** CloudWatch statistic, e.g. `Sum` or `p99`. */
  readonly statistic: string;
  /** Length of one datapoint. */
  readonly periodSeconds: number;
  /** Datapoints looked at. */
  readonly evaluationPeriods: number;
  /** Of those, how many must breach. */
  readonly datapointsToAlarm: number;
  /** CloudWatch comparison operator. */
  readonly comparison: 'GreaterThanOrEqualToThreshold' | 'GreaterThanThreshold';
  /** CloudWatch treatment of a period without data. */
  readonly treatMissingData: 'notBreaching' | 'breaching' | 'ignore' | 'missing';
  /** One line on why these numbers. */
  readonly reason: string;
  /** One line on why that missing-data treatment. */
  readonly missingDataReason: string;
}

/** A threshold and why. */
export interface Threshold {
  readonly value: number;
  readonly reason: string;
}

/** The DynamoDB operations the alarms watch latency for. */
export type MonitoredOperation = 'GetItem' | 'Query' | 'PutItem' | 'UpdateItem' | 'DeleteItem' | 'BatchWriteItem';

/** Every alarm threshold, in one place. */
export const ALARM_RULES = {
  throttleEvents: {
    statistic: 'Sum',
    periodSeconds: 60,
    evaluationPeriods: 5,
    datapointsToAlarm: 3,
    comparison: 'GreaterThanOrEqualToThreshold',
    threshold: {
      value: 1,
      reason: 'On-demand tables should never throttle; any event is a hot partition or an account limit, and the SDK retries hide only the first ones.',
    },
    treatMissingData: 'notBreaching',
    reason: 'Throttling in 3 of 5 minutes means the SDK retries are losing and jobs are stalling; a single throttled minute is absorbed by retries.',
    missingDataReason: 'DynamoDB publishes no throttle datapoint in a minute without throttling, so a missing datapoint is a zero.',
  },
  systemErrors: {
    statistic: 'Sum',
    periodSeconds: 60,
    evaluationPeriods: 5,
    datapointsToAlarm: 2,
    comparison: 'GreaterThanOrEqualToThreshold',
    threshold: {
      value: 1,
      reason: 'A system error is a 500 from DynamoDB itself; the application cannot cause one, so any is worth a look.',
    },
    treatMissingData: 'notBreaching',
    reason: 'Errors in 2 of 5 minutes are a service or regional event rather than one retried blip.',
    missingDataReason: 'No datapoint is published in a minute without system errors, so a missing datapoint is a zero.',
  },
  latency: {
    statistic: 'p99',
    periodSeconds: 300,
    evaluationPeriods: 3,
    datapointsToAlarm: 3,
    comparison: 'GreaterThanThreshold',
    treatMissingData: 'notBreaching',
    reason: 'A p99 needs 5 minutes of requests to be stable, and 15 slow minutes in a row separate a degradation from one slow burst.',
    missingDataReason: 'A period without successful requests had nothing slow in it; failures are what the throttle and error alarms catch.',
  },
} as const satisfies {
  throttleEvents: AlarmRule & { threshold: Threshold };
  systemErrors: AlarmRule & { threshold: Threshold };
  latency: AlarmRule;
};

/** p99 latency thresholds in milliseconds, per operation. */
export const LATENCY_THRESHOLDS_MS = {
  GetItem: { value: 20, reason: 'One item by its full key is served in single-digit milliseconds; 20 is several times normal.' },
  Query: { value: 50, reason: 'A page reads up to the Limit of items (20 to 100 here), so it runs longer than a GetItem.' },
  PutItem: { value: 30, reason: 'One item write, plus its index entries, is single-digit milliseconds normally.' },
  UpdateItem: { value: 30, reason: 'Same cost as a put: one item and the index entries it changes.' },
  DeleteItem: { value: 30, reason: 'Same cost as a put: one item and its index entries.' },
  BatchWriteItem: { value: 100, reason: 'Up to 25 items in one request, written in parallel by DynamoDB.' },
} as const satisfies Record<MonitoredOperation, Threshold>;

/**
 * The write operations the application's role may call (from the grants in data-access.ts), so a
 * write the client starts using is watched as soon as it is granted.
 */
export const WRITE_OPERATIONS: readonly MonitoredOperation[] = (() => {
  const read = new Set(TABLE_ACTIONS.read);
  return TABLE_ACTIONS.readWrite
    .filter((action) => !read.has(action))
    .map((action) => {
      const operation = action.replace(/^dynamodb:/, '');
      if (!(operation in LATENCY_THRESHOLDS_MS)) {
        throw new Error(`The application may call ${operation}, which has no p99 latency threshold: add one to LATENCY_THRESHOLDS_MS in infra/policy/monitoring.ts.`);
      }
      return operation as MonitoredOperation;
    });
})();

/** The operations a table serves: each access pattern's read, then every write the client makes. */
export function monitoredOperations(schema: TableSchema): MonitoredOperation[] {
  return [...new Set<MonitoredOperation>([...schema.accessPatterns.map((pattern) => pattern.operation), ...WRITE_OPERATIONS])];
}

/** What kind of alarm, which selects its rule and its runbook section. */
export type AlarmKind = 'readThrottleEvents' | 'writeThrottleEvents' | 'systemErrors' | 'latency';

/** One metric an alarm watches. */
export interface AlarmMetric {
  readonly metricName: string;
  readonly dimensions: Readonly<Record<string, string>>;
}

/** One alarm, as the schema map implies it. */
export interface AlarmSpec {
  readonly kind: AlarmKind;
  /** The alarm's name, e.g. `InavorShuttleData-prod-Jobs-status-createdAt-WriteThrottleEvents`. */
  readonly alarmName: string;
  /** Construct id, unique within the table's monitoring. */
  readonly id: string;
  /** The table (logical name). */
  readonly table: string;
  /** The index, for an index's throttle alarms. */
  readonly index?: string;
  /** The operation, for a latency alarm. */
  readonly operation?: MonitoredOperation;
  /** The metrics; an alarm on several sums them. */
  readonly metrics: readonly AlarmMetric[];
  readonly rule: AlarmRule;
  readonly threshold: Threshold;
}

/**
 * Every alarm of one table in one stage: read and write throttle events on the table and on each
 * index (an index's throttles carry its `GlobalSecondaryIndexName`, so the alarm names the index
 * that is hot, which the table-level `ThrottledRequests` cannot), the table's system errors summed
 * over its operations, and the p99 latency of each operation it serves.
 */
export function tableAlarms(schema: TableSchema, stageName: string): AlarmSpec[] {
  const prefix = dataStackName(stageName);
  const TableName = physicalTableName(schema.name, stageName);
  const operations = monitoredOperations(schema);
  const throttles = (index?: string): AlarmSpec[] =>
    (['Read', 'Write'] as const).map((direction): AlarmSpec => {
      const metricName = `${direction}ThrottleEvents`;
      const scope = index === undefined ? schema.name : `${schema.name}-${index}`;
      const dimensions: Record<string, string> = index === undefined ? { TableName } : { TableName, GlobalSecondaryIndexName: index };
      return {
        kind: direction === 'Read' ? 'readThrottleEvents' : 'writeThrottleEvents',
        alarmName: `${prefix}-${scope}-${metricName}`,
        id: `${index ?? 'Table'}${metricName}`,
        table: schema.name,
        ...(index === undefined ? {} : { index }),
        metrics: [{ metricName, dimensions }],
        rule: ALARM_RULES.throttleEvents,
        threshold: ALARM_RULES.throttleEvents.threshold,
      };
    });
  return [
    ...throttles(),
    ...schema.indexes.flatMap((index) => throttles(index.name)),
    {
      kind: 'systemErrors',
      alarmName: `${prefix}-${schema.name}-SystemErrors`,
      id: 'SystemErrors',
      table: schema.name,
      // SystemErrors is published per operation only; there is no table-wide series.
      metrics: operations.map((Operation) => ({ metricName: 'SystemErrors', dimensions: { TableName, Operation } })),
      rule: ALARM_RULES.systemErrors,
      threshold: ALARM_RULES.systemErrors.threshold,
    },
    ...operations.map(
      (operation): AlarmSpec => ({
        kind: 'latency',
        alarmName: `${prefix}-${schema.name}-${operation}-LatencyP99`,
        id: `${operation}LatencyP99`,
        table: schema.name,
        operation,
        metrics: [{ metricName: 'SuccessfulRequestLatency', dimensions: { TableName, Operation: operation } }],
        rule: ALARM_RULES.latency,
        threshold: LATENCY_THRESHOLDS_MS[operation],
      }),
    ),
  ];
}

/** Where an alarm kind's section of docs/alarms-runbook.md is. */
export const RUNBOOK_ANCHORS: Record<AlarmKind, string> = {
  readThrottleEvents: 'read-throttle-events',
  writeThrottleEvents: 'write-throttle-events',
  systemErrors: 'system-errors',
  latency: 'p99-latency',
};
