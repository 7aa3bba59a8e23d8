// One file: it renders docs/alarms-runbook.md top to bottom from one input, and each alarm kind's text is most of it.
import {
  ALARM_RULES,
  LATENCY_THRESHOLDS_MS,
  RUNBOOK_ANCHORS,
  tableAlarms,
  type AlarmKind,
  type AlarmRule,
  type AlarmSpec,
} from '../../infra/policy/monitoring';
import type { TableSchema } from '../../infra/data/schema-model';
import { TABLE_SCHEMAS } from '../../infra/data/schemas';
import { STAGES, dataStackName, type StagePolicy } from '../../infra/data/stages';
import { CAPACITY_ASSUMPTIONS, type CapacityAssumptions } from '../../infra/models/capacity-assumptions';
import {
  PARTITION_READ_UNITS_PER_SECOND,
  PARTITION_WRITE_UNITS_PER_SECOND,
  indexPageReadUnits,
  lifecycleKeyLoads,
  workedExample,
} from '../../infra/models/capacity-model';
import { code, formatCount, formatDecimal, markdownTable, paragraph } from '../shared/markdown';

/** Everything the runbook is rendered from. */
export interface RunbookInput {
  /** The schema map. */
  readonly schemas: readonly TableSchema[];
  /** The stages and their policies. */
  readonly stages: Readonly<Record<string, StagePolicy>>;
  /** The capacity model's assumptions. */
  readonly capacity: CapacityAssumptions;
}

/** Shards of the status key the runbook's sharding example uses (`PENDING#0` … `#9`). */
export const EXAMPLE_SHARDS = 10;

/** Stands for the stage in names the runbook shows. */
const STAGE = '<stage>';

/** Each alarm kind's section: its heading (whose anchor is `RUNBOOK_ANCHORS[kind]`), meaning and first steps. */
export const RUNBOOK_SECTIONS: Record<AlarmKind, { title: string; means: string[]; steps: string[] }> = {
  readThrottleEvents: {
    title: 'Read throttle events',
    means: [
      'DynamoDB refused reads of this table or index. On demand, a table takes up to twice its previous peak at once;',
      `beyond that, or beyond one partition's ${formatCount(PARTITION_READ_UNITS_PER_SECOND)} read units/s on a single`,
      'key value, reads are throttled. The SDK retries them, so users see slowness first, then `ThrottledError`s.',
      'Events, not the table-level `ThrottledRequests`, are alarmed on: `ThrottledRequests` counts a request once',
      "even when it was an index's part that was throttled, so it cannot say which index is hot; the events",
      'carry `GlobalSecondaryIndexName`.',
    ],
    steps: [
      "Open the stage's dashboard and find the row and graph that rise; where Contributor Insights is on (the stages above, for the tables and indexes the schema map marks `hotKeyProne`), its most-throttled keys name the hot key.",
      'Look for a read storm in the app: a worker polling in a tight loop, a retry loop, or one page reloaded again and again (`ThrottledError` in the logs names table and operation).',
      'If one key is hot, cache it or slow its reader; if the whole table is, compare the consumed read units with the account\'s table-level read quota (Service Quotas) and raise it.',
    ],
  },
  writeThrottleEvents: {
    title: 'Write throttle events',
    means: [
      'DynamoDB refused writes to this table or index. An index that cannot keep up pushes back: its throttled',
      'writes throttle the table writes that feed it, so a table alarm and an index alarm firing together mean',
      `the index is the cause. One partition takes ${formatCount(PARTITION_WRITE_UNITS_PER_SECOND)} write units/s; an index`,
      'keyed by a value many items share (the status index) reaches that long before the table does; see',
      '[the status index ceiling](#the-status-index-ceiling).',
    ],
    steps: [
      'Check which index alarms too: the index alarm names it. Where Contributor Insights is on, open it for that index (or the table) to see the most-throttled key values.',
      "Compare the index's write units per minute on the dashboard with the ceiling below; find what raised the write rate (a bulk import creating many jobs, a worker flipping statuses in a loop) and slow it at the source.",
      'Confirm the jobs recover as the SDK retries; if the rate is a real new level rather than a burst, apply a remedy from the status index section before it returns.',
    ],
  },
  systemErrors: {
    title: 'System errors',
    means: [
      'DynamoDB answered with an internal error (HTTP 500) for one of the operations the table serves. The',
      'application cannot cause these; they come from the service, and the SDK retries them.',
      'DynamoDB publishes `SystemErrors` per operation only, so the alarm sums the table\'s operations.',
    ],
    steps: [
      'Check the AWS Health Dashboard for DynamoDB in the stage\'s region.',
      'Check that the retries succeed: jobs keep moving and no job failed with a DynamoDB 500 in the app logs.',
      'If errors persist without a Health event, open an AWS Support case with the request IDs from the app logs.',
    ],
  },
  latency: {
    title: 'p99 latency',
    means: [
      'The slowest 1 % of successful requests of one operation took longer than its threshold for 15 minutes.',
      '`SuccessfulRequestLatency` is measured inside DynamoDB, so it excludes the network and the SDK\'s retries.',
    ],
    steps: [
      'Check the AWS Health Dashboard for DynamoDB in the stage\'s region, and whether a throttle alarm fires at the same time.',
      'For Query or BatchWriteItem, check whether pages or batches grew (a larger `Limit`, larger items than the capacity model assumes).',
      "If nothing changed on this side and it persists, open an AWS Support case naming the table, operation and time range.",
    ],
  },
};

function conditionText(rule: AlarmRule, threshold: number, unit = ''): string {
  const operator = rule.comparison === 'GreaterThanThreshold' ? '>' : '≥';
  return `${rule.statistic} over ${rule.periodSeconds} s ${operator} ${threshold}${unit} in ${rule.datapointsToAlarm} of ${rule.evaluationPeriods} periods`;
}

function dimensionsText(spec: AlarmSpec): string {
  const metric = spec.metrics[0]!;
  const names = Object.entries(metric.dimensions)
    .filter(([name]) => name !== 'Operation' || spec.metrics.length === 1)
    .map(([name, value]) => `${name}=${code(value)}`);
  if (spec.metrics.length === 1) return names.join(', ');
  return `${names.join(', ')}, summed over Operation ${spec.metrics.map((each) => code(each.dimensions.Operation!)).join(', ')}`;
}

function alarmRows(schemas: readonly TableSchema[]): string[][] {
  return schemas.flatMap((schema) =>
    tableAlarms(schema, STAGE).map((spec) => [
      code(spec.alarmName),
      `${code(spec.metrics[0]!.metricName)}<br>${dimensionsText(spec)}`,
      conditionText(spec.rule, spec.threshold.value, spec.kind === 'latency' ? ' ms' : ''),
      `[${RUNBOOK_SECTIONS[spec.kind].title}](#${RUNBOOK_ANCHORS[spec.kind]})`,
    ]),
  );
}

function stagesSection(stages: RunbookInput['stages']): string {
  const rows = Object.entries(stages).map(([name, policy]) => [
    code(name),
    policy.monitoring.alarms ? 'on' : 'off',
    policy.monitoring.contributorInsights ? 'on' : 'off',
    policy.monitoring.reason,
  ]);
  return markdownTable(['stage', 'alarms and dashboard', 'Contributor Insights', 'why'], rows);
}

/** The tables and indexes the map marks hot-key prone, where Contributor Insights ranks their keys. */
function insightsSection(input: RunbookInput): string {
  const stages = Object.entries(input.stages).filter(([, policy]) => policy.monitoring.contributorInsights).map(([name]) => code(name));
  const rows = input.schemas.flatMap((schema) => [
    ...(schema.hotKeyProne ? [[`${schema.name} table`, schema.hotKeyProne.reason]] : []),
    ...schema.indexes.flatMap((index) => (index.hotKeyProne ? [[`${schema.name} ${code(index.name)}`, index.hotKeyProne.reason]] : [])),
  ]);
  return [
    paragraph([
      `Contributor Insights (on in ${stages.length > 0 ? stages.join(' and ') : 'no stage'}) ranks the most accessed and most throttled keys of`,
      'the tables and indexes the schema map marks `hotKeyProne`: in the CloudWatch console, Contributor Insights,',
      'the rules named after the table (and index). Marked today:',
    ]),
    '',
    markdownTable(['table or index', 'why its keys may run hot'], rows),
  ].join('\n');
}

function rulesSection(): string {
  const rules: [string, AlarmRule & { threshold?: { value: number; reason: string } }][] = [
    ['Throttle events', ALARM_RULES.throttleEvents],
    ['System errors', ALARM_RULES.systemErrors],
    ['p99 latency', ALARM_RULES.latency],
  ];
  const rows = rules.map(([name, rule]) => [
    name,
    conditionText(rule, rule.threshold?.value ?? 0).replace(/ [>≥] 0 /, ' above the threshold below '),
    `${rule.reason}${rule.threshold ? ` ${rule.threshold.reason}` : ''}`,
    `${code(rule.treatMissingData)}: ${rule.missingDataReason}`,
  ]);
  const latencyRows = Object.entries(LATENCY_THRESHOLDS_MS).map(([operation, { value, reason }]) => [code(operation), `${value} ms`, reason]);
  return [
    markdownTable(['alarm', 'condition', 'why', 'missing data'], rows),
    '',
    markdownTable(['operation', 'p99 threshold', 'why'], latencyRows),
  ].join('\n');
}

/** The status index's ceiling and its two remedies, with the capacity model's numbers. */
function ceilingSection(input: RunbookInput): string {
  const { schemas, capacity } = input;
  const shared = lifecycleKeyLoads(schemas, capacity).find((load) => load.sharedByAllJobs);
  const schema = schemas.find((candidate) => candidate.name === shared?.table);
  const index = schema?.indexes.find((candidate) => candidate.name === shared?.index);
  if (!shared || !schema || !index) throw new Error('The capacity model finds no index key shared by all jobs.');
  const example = workedExample(schemas, capacity);
  const key = shared.partitionKey;
  const ceiling = Math.floor(shared.jobsPerSecondCeiling);
  const values = Object.entries(shared.unitsPerValue);
  const finalValue = [...capacity.jobLifecycle].reverse().find((step) => step.sets?.[key] !== undefined)!.sets![key]!;
  const unitsPerJob = values.reduce((sum, [, units]) => sum + units, 0);
  const sparseValues = values.filter(([value]) => value !== finalValue);
  const sparseUnits = sparseValues.reduce((sum, [, units]) => sum + units, 0);
  const sparseBusiest = Math.max(...sparseValues.map(([, units]) => units));
  const pageSize = capacity.scale.pollPageSize;
  const pollToday = indexPageReadUnits(schema, index, capacity, pageSize);
  const pollSharded = EXAMPLE_SHARDS * indexPageReadUnits(schema, index, capacity, Math.ceil(pageSize / EXAMPLE_SHARDS));
  const retentionDays = schema.ttl?.retentionDays;
  const entriesToday = retentionDays === undefined ? undefined : example.jobsPerDay * retentionDays;
  const first = values[0]![0];
  return [
    '## The status index ceiling',
    '',
    paragraph([
      `${code(index.name)} on ${schema.name} is keyed by ${code(key)}, which has a handful of values every job passes through:`,
      `all jobs in one ${key} share one partition, and the ${code(index.sortKey?.name ?? '')} sort key only grows, so DynamoDB`,
      'cannot split that partition for heat. Each status change writes the index twice (the old entry deleted, the new',
      `one put). Over its life a job lands these write units on each ${key} value: ${values.map(([value, units]) => `${value} ${units}`).join(', ')}.`,
      `The busiest takes ${shared.busiestUnits} units per job, so one partition's ${formatCount(PARTITION_WRITE_UNITS_PER_SECOND)} write units/s`,
      `cap the whole system at **${formatCount(ceiling)} jobs per second** (${formatCount(PARTITION_WRITE_UNITS_PER_SECOND)} status-index writes per second on`,
      `that value). At the capacity model's assumed scale the busiest second brings ${formatDecimal(example.peakJobsPerSecond, 2)} jobs/s:`,
      `${formatDecimal(example.sharedKey.headroom)}× headroom. Past the ceiling the index's \`WriteThrottleEvents\` alarm fires`,
      'first, then the Jobs table\'s, because the index pushes back on the table writes that feed it.',
    ]),
    '',
    '### Remedy 1: write sharding of the status key',
    '',
    paragraph([
      `Store the status key with a shard suffix, e.g. ${code(`${first}#0`)} … ${code(`${first}#${EXAMPLE_SHARDS - 1}`)}, chosen from the`,
      `job id, and have \`jobsByStatus\` query every shard. With ${EXAMPLE_SHARDS} shards each value's writes spread over ${EXAMPLE_SHARDS}`,
      `partitions: the ceiling rises to **${formatCount(ceiling * EXAMPLE_SHARDS)} jobs per second**. The price is on reads: a`,
      `worker's poll of ${pageSize} entries costs ${formatDecimal(pollToday)} read unit${pollToday === 1 ? '' : 's'} today as one Query, and`,
      `${formatDecimal(pollSharded)} read units as ${EXAMPLE_SHARDS} Queries of ${Math.ceil(pageSize / EXAMPLE_SHARDS)} (each Query is rounded up on its own),`,
      `and results must be merged by ${code(index.sortKey?.name ?? '')}. Changing the key's values needs a backfill of every job's`,
      'status, so plan it before the headroom is gone, not during the incident.',
    ]),
    '',
    '### Remedy 2: a sparse index of active jobs',
    '',
    paragraph([
      `Key the index by an attribute that only unfinished jobs carry (e.g. \`activeStatus\`, removed when the job reaches`,
      `${code(finalValue)} or another final status). Finished jobs leave the index: ${entriesToday === undefined ? 'its' : `instead of ${formatCount(entriesToday)} entries`}`,
      `${entriesToday === undefined ? '' : `(${retentionDays} days of jobs) it holds `}only the jobs still in flight, and a job lands`,
      `${sparseUnits} write units on the index instead of ${unitsPerJob}. It does not raise the ceiling by itself: the busiest value still takes`,
      `${sparseBusiest} units per job, so it stays at ${formatCount(Math.floor(PARTITION_WRITE_UNITS_PER_SECOND / sparseBusiest))} jobs per second. It pays off`,
      'with sharding: each shard then holds only work still to do, so a poll of every shard reads no finished job. A new index is a new GSI (one',
      'per table update) that back-fills on creation; switch the workers to it, then drop the old one.',
    ]),
    '',
    paragraph([
      `Either way, watch the index's write units per minute on the dashboard: ${formatCount(PARTITION_WRITE_UNITS_PER_SECOND * 60)} in a minute`,
      `on one ${key} value is the ceiling (the graph sums all values, so the busiest value is a share of it).`,
    ]),
  ].join('\n');
}

/** The real inputs: the schema map, the stages and the capacity assumptions. */
export function loadRunbookInput(): RunbookInput {
  return { schemas: TABLE_SCHEMAS, stages: STAGES, capacity: CAPACITY_ASSUMPTIONS };
}

/** The whole `docs/alarms-runbook.md`, deterministic for a given input. */
export function renderAlarmsRunbook(input: RunbookInput): string {
  const monitored = Object.entries(input.stages).filter(([, policy]) => policy.monitoring.alarms).map(([name]) => name);
  const kinds = Object.keys(RUNBOOK_SECTIONS) as AlarmKind[];
  return [
    '# Alarms runbook',
    '',
    '<!-- Generated by `npm run docs` from infra/policy/monitoring.ts, infra/data/stages.ts, infra/data/schemas.ts and the capacity model; do not edit by hand. -->',
    '',
    paragraph([
      'What each alarm of the data layer means and the first three things to do when it fires. The alarms, their',
      'thresholds and the numbers below are generated from `infra/policy/monitoring.ts`, the schema map, the stage policy and',
      'the capacity model (`infra/models/capacity-assumptions.ts`); `npm test` fails when this file is out of date.',
    ]),
    '',
    '## Where alarms go',
    '',
    stagesSection(input.stages),
    '',
    paragraph([
      `In ${monitored.map(code).join(' and ')}, every alarm notifies the SNS topic ${code(`inavor-shuttle-${STAGE}-data-alarms`)} on ALARM and`,
      `on OK; its ARN is the stack export ${code(`${dataStackName(STAGE)}-AlarmTopicArn`)}. The on-call's subscription is part of the`,
      'template (`monitoring.notify` in `infra/data/stages.ts`: an email address, confirmed from the link in the first message SNS sends, or an',
      'https endpoint), so removing it by hand is drift. The topic is encrypted',
      `with the key ${code(`alias/inavor-shuttle/${STAGE}/alarms`)}, which CloudWatch and EventBridge may use for this topic only. The CloudWatch`,
      `dashboard ${code(dataStackName(STAGE))} has one row per table and one graph per index, titled with the access patterns`,
      'they serve. The same topic receives the security alarms (a key, alias, vault, role, table, trail, rule or the topic',
      'itself changed, the break-glass role assumed, a failed backup job): each arrives as one JSON object saying the',
      'alarm, the stage, whether it is an incident or expected during a deploy, and the event, and its meaning and first',
      'steps are in [security](security.md#security-alarms).',
    ]),
    '',
    insightsSection(input),
    '',
    '## Thresholds',
    '',
    rulesSection(),
    '',
    '## Every alarm',
    '',
    paragraph([`One set per monitored stage; ${code(STAGE)} is the stage. A table or index added to the schema map gets its rows here and its alarms in the stack.`]),
    '',
    markdownTable(['alarm', 'metric and dimensions', 'fires when', 'runbook'], alarmRows(input.schemas)),
    '',
    ...kinds.flatMap((kind) => {
      const section = RUNBOOK_SECTIONS[kind];
      return [
        `## ${section.title}`,
        '',
        paragraph(section.means),
        '',
        'First three things to do:',
        '',
        ...section.steps.map((step, i) => paragraph([`${i + 1}. ${step}`], '   ')),
        '',
      ];
    }),
    ceilingSection(input),
    '',
  ].join('\n');
}
