import type { TableSchema } from '../../infra/data/schema-model';
import type { CapacityAssumptions } from '../../infra/models/capacity-assumptions';
import {
  INDEX_ENTRY_OVERHEAD_BYTES,
  PARTITION_READ_UNITS_PER_SECOND,
  PARTITION_WRITE_UNITS_PER_SECOND,
  indexEntryBytes,
  indexPageReadUnits,
  itemBytes,
  leaseCost,
  lifecycleKeyLoads,
  valueBytesOf,
  workedExample,
  writeCost,
  writeUnits,
  type KeyLoad,
} from '../../infra/models/capacity-model';
import { code, formatCount, formatDecimal, markdownTable, paragraph } from '../shared/markdown';

const BYTES_PER_GB = 1024 ** 3;
const WRITE_CEILING = formatCount(PARTITION_WRITE_UNITS_PER_SECOND);
const READ_CEILING = formatCount(PARTITION_READ_UNITS_PER_SECOND);

function timesText(times: number): string {
  if (times === 1) return '';
  return times < 1 ? ` in ${formatDecimal(100 * times)} % of jobs` : ` × ${times}`;
}

function lifecycleText(assumptions: CapacityAssumptions): string {
  const steps = assumptions.jobLifecycle.map((step) => {
    const sets = Object.entries(step.sets ?? {}).map(([key, value]) => `${key} ${value}`);
    return `${code(step.write)}${sets.length ? ` (${sets.join(', ')})` : ''}${timesText(step.times)}`;
  });
  return `${steps.join(' → ')}.`;
}

function sizesSection(schemas: readonly TableSchema[], assumptions: CapacityAssumptions): string {
  const sizeRow = (what: string, bytes: number) => [what, `${formatCount(bytes)} B`, String(writeUnits(bytes))];
  const rows = schemas.flatMap((schema) => [
    sizeRow(`${schema.name} item`, itemBytes(schema, assumptions)),
    ...schema.indexes.map((index) => {
      const entry = `${schema.name} ${code(index.name)} entry (${index.projection.type})`;
      return sizeRow(entry, indexEntryBytes(schema, index, assumptions));
    }),
  ]);
  const valueRows = schemas.flatMap((schema) =>
    schema.attributes.map(({ name, type }) => {
      const { bytes, isDefault } = valueBytesOf(schema, assumptions, name);
      return [schema.name, code(name), isDefault ? `${bytes} (default for ${type})` : String(bytes)];
    }),
  );
  return [
    '### Assumed sizes',
    '',
    paragraph([
      "An item's size is the sum of its attribute names and values; an index entry holds the table keys, the",
      `index keys and the projected attributes, plus ${INDEX_ENTRY_OVERHEAD_BYTES} bytes: the overhead DynamoDB counts`,
      'per index entry in storage, counted in writes too to err high. Attributes that are only sometimes present',
      'are counted as present, so the sizes are upper bounds.',
    ]),
    '',
    markdownTable(['item or index entry', 'assumed size', 'write units per write'], rows),
    '',
    '<details>',
    '<summary>Assumed value size of every attribute</summary>',
    '',
    markdownTable(['table', 'attribute', 'value bytes'], valueRows),
    '',
    '</details>',
  ].join('\n');
}

function writesSection(schemas: readonly TableSchema[], assumptions: CapacityAssumptions): string {
  const rows = assumptions.writeKinds.map((kind) => {
    const cost = writeCost(schemas, assumptions, kind);
    const changes = kind.write === 'put' ? 'new item' : (kind.changes as readonly string[]).map(code).join(', ');
    const indexes = cost.indexes.length
      ? cost.indexes.map((write) => `${code(write.index)}: ${write.units} (${write.reason})`).join('<br>')
      : 'no index';
    return [
      `${code(kind.name)}: ${kind.description}`,
      `${kind.table}: ${changes}`,
      String(cost.tableUnits),
      indexes,
      `**${cost.totalUnits}**`,
    ];
  });
  return [
    '### Write units per kind of write',
    '',
    paragraph([
      'A put writes one entry to every index. An update writes an index only when it changes an attribute the',
      'index holds, and when it changes an index key it writes that index twice: the entry under the old key is',
      'deleted and one under the new key is put.',
    ]),
    '',
    markdownTable(['write', 'table: what it writes', 'table units', 'index units', 'total units'], rows),
  ].join('\n');
}

/** What a job's lease costs, and why lapsed leases are found without an index of their own. */
function leaseSection(schemas: readonly TableSchema[], assumptions: CapacityAssumptions): string {
  const lease = leaseCost(schemas, assumptions);
  const untouched = lease.renewal.indexes.filter((write) => write.writes === 0).map((write) => code(write.index));
  return [
    '### What a job\'s lease costs',
    '',
    paragraph([
      `A claim writes the lease with the status change. A renewal (${code(lease.renewal.kind.name)}) writes`,
      `${(lease.renewal.kind.write === 'update' ? lease.renewal.kind.changes : []).map(code).join(', ')} only: ${lease.renewal.tableUnits} write unit on the table and`,
      `${lease.renewal.totalUnits - lease.renewal.tableUnits} on the indexes (${untouched.join(' and ')} hold no lease attribute), **${lease.renewal.totalUnits} unit per renewal**,`,
      `${lease.renewalsPerJob * lease.renewal.totalUnits} per job at ${lease.renewalsPerJob} renewals. Progress never renews the lease, so it still never rewrites the status index;`,
      'a takeover (`jobs.reclaim`) keeps the status, so it does not either. Lapsed leases are found by a Query of',
      `the keys-only ${code('status-createdAt')} index for RUNNING, then one eventually consistent GetItem of each`,
      `job listed: ${lease.searchReadUnitsPerRunningJob} read unit per RUNNING job per search, reads only. An index keyed by the lease expiry`,
      'would find them in one Query, but every renewal would then delete and re-put its entry (2 more write units)',
      'in one hot RUNNING partition: writes on every renewal of every job, against reads only when a worker searches.',
    ]),
  ].join('\n');
}

function keyName(load: KeyLoad): string {
  const key = code(load.partitionKey);
  return load.index === undefined ? `${load.table} ${key}` : `${load.table} ${code(load.index)} → ${key}`;
}

function unitsText(load: KeyLoad): string {
  const perValue = Object.entries(load.unitsPerValue);
  if (perValue.length === 1) return String(load.busiestUnits);
  return `${load.busiestUnits} (${perValue.map(([value, units]) => `${value} ${units}`).join(', ')})`;
}

function ceilingText(load: KeyLoad, schemas: readonly TableSchema[]): string {
  const schema = schemas.find((candidate) => candidate.name === load.table);
  // A table keyed by its partition key alone gets a new key value with every job it stores.
  if (load.index === undefined && schema && !schema.sortKey) {
    return `one job per value: ${WRITE_CEILING} units/s for a single job, no practical limit`;
  }
  const jobs = `${formatCount(Math.floor(load.jobsPerSecondCeiling))} jobs/s`;
  return load.sharedByAllJobs ? `**${jobs} for the whole system**` : `${jobs} per ${code(load.partitionKey)} value`;
}

/** What the key every job shares (the status) means for throughput, writes and reads. */
function sharedKeyText(shared: KeyLoad, schemas: readonly TableSchema[], assumptions: CapacityAssumptions): string[] {
  const key = shared.partitionKey;
  const schema = schemas.find((candidate) => candidate.name === shared.table);
  const index = schema?.indexes.find((candidate) => candidate.name === shared.index);
  const firstValue = Object.keys(shared.unitsPerValue)[0];
  const text = [
    '',
    paragraph([
      `The ${code(key)} key has a handful of values that every job passes through, so all jobs in one ${key}`,
      `share one partition of ${code(shared.index ?? shared.table)}. Its sort key`,
      `(${code(index?.sortKey?.name ?? 'none')}) only grows, so DynamoDB cannot split that partition to spread the`,
      'writes. Each status change writes this index twice: the delete under the old value and the put under the new',
      `one, in two different partitions. Over its life a job lands ${shared.busiestUnits} write units on the busiest`,
      `${key} value, so that partition's ${WRITE_CEILING} units/s cap the system at`,
      `**${formatCount(Math.floor(shared.jobsPerSecondCeiling))} jobs per second**, however many shops there are.`,
      'Past it, writes to the index are throttled, and so are the table writes that feed it; the way out is to',
      `shard the key (e.g. ${code(`${firstValue}#0`)} … ${code(`${firstValue}#9`)}) and query every shard.`,
    ]),
  ];
  if (!schema || !index) return text;
  const pageSize = assumptions.scale.pollPageSize;
  const poll = indexPageReadUnits(schema, index, assumptions, pageSize);
  return [
    ...text,
    '',
    paragraph([
      `Reads have a ceiling too: a worker's poll of one ${key} reading a page of ${pageSize} entries costs`,
      `${formatDecimal(poll)} read unit${poll === 1 ? '' : 's'} (index reads are eventually consistent: half price),`,
      `so one value serves ${formatCount(PARTITION_READ_UNITS_PER_SECOND / poll)} such polls per second.`,
    ]),
  ];
}

function ceilingsSection(schemas: readonly TableSchema[], assumptions: CapacityAssumptions): string {
  const loads = lifecycleKeyLoads(schemas, assumptions);
  const rows = loads.map((load) => [keyName(load), unitsText(load), ceilingText(load, schemas)]);
  const shared = loads.find((load) => load.sharedByAllJobs);
  return [
    '### Per-partition ceilings',
    '',
    paragraph([
      `One partition serves at most ${WRITE_CEILING} write units and ${READ_CEILING} read units per second,`,
      'on demand or not. For each partition key, the table shows the write units one job lands on its busiest value over its',
      "whole life, and what that value can sustain. A job's life:",
    ]),
    '',
    paragraph([lifecycleText(assumptions)]),
    '',
    markdownTable(['partition key', 'units per job on the busiest value', 'ceiling'], rows),
    ...(shared ? sharedKeyText(shared, schemas, assumptions) : []),
  ].join('\n');
}

function workedExampleSection(schemas: readonly TableSchema[], assumptions: CapacityAssumptions): string {
  const { scale } = assumptions;
  const example = workedExample(schemas, assumptions);
  const { load, peakUnitsPerSecond, headroom, jobsPerShopPerDayCeiling } = example.sharedKey;
  const share = (100 * peakUnitsPerSecond) / PARTITION_WRITE_UNITS_PER_SECOND;
  const jobRates = [example.averageJobsPerSecond, example.peakJobsPerSecond].map((rate) => formatDecimal(rate, 2));
  const rows = [
    ['jobs per day', formatCount(example.jobsPerDay)],
    ['jobs per second: day average / busiest second', jobRates.join(' / ')],
    ['write units per job, over its life', formatDecimal(example.unitsPerJob)],
    ['write units per second in the busiest second, all tables and indexes', formatDecimal(example.peakUnitsPerSecond)],
    [
      `busiest ${code(load.partitionKey)} value in the busiest second`,
      `${formatDecimal(peakUnitsPerSecond)} units/s, ${formatDecimal(share)} % of its partition`,
    ],
    [
      `headroom before the ${code(load.partitionKey)} ceiling`,
      `${formatDecimal(headroom)}× (up to ${formatDecimal(jobsPerShopPerDayCeiling)} jobs per shop per day at this peak)`,
    ],
    ['write request units per 30 days', formatCount(example.unitsPerMonth)],
  ];
  const storageRows = example.storage.map((table) => [
    table.table,
    formatCount(table.items),
    table.basis,
    `${formatDecimal(table.bytes / BYTES_PER_GB, 2)} GB`,
  ]);
  return [
    `### Worked example: ${formatCount(scale.shops)} shops`,
    '',
    paragraph([
      `Assumed: ${formatCount(scale.shops)} shops running ${scale.jobsPerShopPerDay} jobs a day each, each job living`,
      `the life above, and a busiest second ${scale.peakFactor}× the day's average.`,
    ]),
    '',
    markdownTable(['quantity', 'value'], rows),
    '',
    paragraph([
      `Storage at steady state (items and index entries, ${INDEX_ENTRY_OVERHEAD_BYTES} bytes overhead each;`,
      '1 GB = 2³⁰ bytes):',
    ]),
    '',
    markdownTable(['table', 'items', 'because', 'storage'], storageRows),
  ].join('\n');
}

/** The capacity model section: sizes, write units per write, per-partition ceilings, a worked example. */
export function capacitySection(schemas: readonly TableSchema[], assumptions: CapacityAssumptions): string {
  return [
    '## Capacity model',
    '',
    paragraph([
      'Computed from the schema map and the assumptions in `infra/models/capacity-assumptions.ts`. Every table',
      'bills on demand, so nothing here is provisioned: it is what each write costs and where the per-partition',
      'limits sit. A write unit covers up to 1 KB of one item or index entry, rounded up per write.',
    ]),
    '',
    sizesSection(schemas, assumptions),
    '',
    writesSection(schemas, assumptions),
    '',
    leaseSection(schemas, assumptions),
    '',
    ceilingsSection(schemas, assumptions),
    '',
    workedExampleSection(schemas, assumptions),
  ].join('\n');
}
