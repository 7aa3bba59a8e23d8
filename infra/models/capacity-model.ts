// One file: the capacity model is one chain of formulas (item bytes, units, write costs, key loads, the worked example), each step built on the one before.
import type { AttributeType, IndexSchema, TableSchema } from '../data/schema-model';
import { SECONDS_PER_DAY } from '../data/schema-model';
import type { CapacityAssumptions, WriteKind } from './capacity-assumptions';

/** One write unit covers up to 1 KB of an item or index entry. */
const WRITE_UNIT_BYTES = 1024;
/** One read unit covers up to 4 KB strongly consistent, or twice that eventually consistent. */
const READ_UNIT_BYTES = 4096;
/** Storage overhead DynamoDB counts per item and per index entry; counted in index writes too, to err high. */
export const INDEX_ENTRY_OVERHEAD_BYTES = 100;
/** What one partition serves per second, whatever the table's billing mode. */
export const PARTITION_WRITE_UNITS_PER_SECOND = 1_000;
/** What one partition serves per second, whatever the table's billing mode. */
export const PARTITION_READ_UNITS_PER_SECOND = 3_000;

/**
 * Value size of an attribute the assumptions do not list, by its DynamoDB type: a short string
 * or id, a number of up to 9 digits, a boolean, and a small map, list or set.
 */
export const DEFAULT_VALUE_BYTES: Readonly<Record<AttributeType, number>> = {
  S: 32,
  N: 6,
  B: 32,
  BOOL: 1,
  M: 256,
  L: 256,
  SS: 64,
  NS: 32,
};

/** An attribute's assumed value size, and whether it is the default of its type. */
export function valueBytesOf(
  schema: TableSchema,
  assumptions: CapacityAssumptions,
  name: string,
): { readonly bytes: number; readonly isDefault: boolean } {
  const sizes = (assumptions.valueBytes as Readonly<Record<string, Readonly<Record<string, number | undefined>>>>)[schema.name] ?? {};
  const listed = sizes[name];
  if (listed !== undefined) return { bytes: listed, isDefault: false };
  const attribute = schema.attributes.find((candidate) => candidate.name === name);
  if (!attribute) throw new Error(`${schema.name}.${name} is not an attribute of the schema map.`);
  return { bytes: DEFAULT_VALUE_BYTES[attribute.type], isDefault: true };
}

function attributeBytes(schema: TableSchema, assumptions: CapacityAssumptions, name: string): number {
  return Buffer.byteLength(name) + valueBytesOf(schema, assumptions, name).bytes;
}

/** Size of a full item: every attribute's name and assumed value. */
export function itemBytes(schema: TableSchema, assumptions: CapacityAssumptions): number {
  return schema.attributes.reduce((sum, { name }) => sum + attributeBytes(schema, assumptions, name), 0);
}

/** The attributes an index entry holds: table keys, index keys and the projected attributes. */
function indexEntryAttributes(schema: TableSchema, index: IndexSchema): string[] {
  const keys = [schema.partitionKey, schema.sortKey, index.partitionKey, index.sortKey].flatMap((key) =>
    key ? [key.name] : [],
  );
  const { projection } = index;
  const projected =
    projection.type === 'ALL'
      ? schema.attributes.map(({ name }) => name)
      : projection.type === 'INCLUDE'
        ? projection.attributes
        : [];
  return [...new Set([...keys, ...projected])];
}

/** Size of an index entry as written: its attributes plus DynamoDB's per-entry overhead. */
export function indexEntryBytes(schema: TableSchema, index: IndexSchema, assumptions: CapacityAssumptions): number {
  return (
    INDEX_ENTRY_OVERHEAD_BYTES +
    indexEntryAttributes(schema, index).reduce((sum, name) => sum + attributeBytes(schema, assumptions, name), 0)
  );
}

/** Write units one write of `bytes` consumes. */
export function writeUnits(bytes: number): number {
  return Math.ceil(bytes / WRITE_UNIT_BYTES);
}

/** How one kind of write touches one index. */
export interface IndexWrite {
  /** The index. */
  readonly index: string;
  /** Entries written: 0, 1, or 2 when the index key changes (old entry deleted, new one put). */
  readonly writes: number;
  /** Write units those entries consume. */
  readonly units: number;
  /** Why that many. */
  readonly reason: string;
}

/** What one kind of write costs. */
export interface WriteCost {
  /** The kind of write. */
  readonly kind: WriteKind;
  /** Write units the table's own item consumes. */
  readonly tableUnits: number;
  /** Each index of the table. */
  readonly indexes: readonly IndexWrite[];
  /** Table and index write units together. */
  readonly totalUnits: number;
}

function schemaOf(schemas: readonly TableSchema[], name: string): TableSchema {
  const schema = schemas.find((candidate) => candidate.name === name);
  if (!schema) throw new Error(`The capacity assumptions name unknown table "${name}".`);
  return schema;
}

function writeKindOf(assumptions: CapacityAssumptions, name: string): WriteKind {
  const kind = assumptions.writeKinds.find((candidate) => candidate.name === name);
  if (!kind) throw new Error(`The job lifecycle names unknown write "${name}".`);
  return kind;
}

/** Entries a write puts into an index, following DynamoDB's rules for index maintenance. */
function indexWrite(schema: TableSchema, index: IndexSchema, kind: WriteKind): Omit<IndexWrite, 'units'> {
  if (kind.write === 'put') return { index: index.name, writes: 1, reason: 'new entry' };
  const changes: readonly string[] = kind.changes;
  const keyChanges = [index.partitionKey, index.sortKey].filter((key) => key && changes.includes(key.name));
  if (keyChanges.length > 0) {
    const reason = `key ${keyChanges[0]!.name} changes: old entry deleted, new one put`;
    return { index: index.name, writes: 2, reason };
  }
  const projected = indexEntryAttributes(schema, index).filter((name) => changes.includes(name));
  if (projected.length > 0) return { index: index.name, writes: 1, reason: `projects ${projected.join(', ')}` };
  return { index: index.name, writes: 0, reason: 'projects none of the changed attributes' };
}

/** Write units of one kind of write on its table and each of the table's indexes. */
export function writeCost(
  schemas: readonly TableSchema[],
  assumptions: CapacityAssumptions,
  kind: WriteKind,
): WriteCost {
  const schema = schemaOf(schemas, kind.table);
  const tableUnits = writeUnits(itemBytes(schema, assumptions));
  const indexes = schema.indexes.map((index) => {
    const write = indexWrite(schema, index, kind);
    return { ...write, units: write.writes * writeUnits(indexEntryBytes(schema, index, assumptions)) };
  });
  return { kind, tableUnits, indexes, totalUnits: indexes.reduce((sum, { units }) => sum + units, tableUnits) };
}

/** The write units one job puts on the values of one partition key over its whole life. */
export interface KeyLoad {
  /** The table. */
  readonly table: string;
  /** The index, or undefined for the table's own key. */
  readonly index?: string;
  /** The partition key attribute. */
  readonly partitionKey: string;
  /** True when every job cycles through the same few values (a status), so the ceiling is system-wide. */
  readonly sharedByAllJobs: boolean;
  /** Write units per job on each value; values not set by the lifecycle are shown as `<attribute>`. */
  readonly unitsPerValue: Readonly<Record<string, number>>;
  /** Units per job on the busiest value. */
  readonly busiestUnits: number;
  /** Jobs per second the busiest value sustains at the per-partition write ceiling. */
  readonly jobsPerSecondCeiling: number;
}

/**
 * Walks one job's lifecycle and adds up, per partition-key value of the table and of each index,
 * the write units it lands there. A key change lands its delete on the old value and its put on
 * the new one: two different partitions.
 */
export function lifecycleKeyLoads(schemas: readonly TableSchema[], assumptions: CapacityAssumptions): KeyLoad[] {
  const sharedAttributes = new Set(assumptions.jobLifecycle.flatMap((step) => Object.keys(step.sets ?? {})));
  const loads = new Map<string, Pick<KeyLoad, 'table' | 'index' | 'partitionKey'> & { unitsPerValue: Record<string, number> }>();
  const land = (table: string, index: string | undefined, partitionKey: string, value: string, units: number) => {
    const id = `${table}/${index ?? ''}`;
    const load = loads.get(id) ?? { table, index, partitionKey, unitsPerValue: {} };
    load.unitsPerValue[value] = (load.unitsPerValue[value] ?? 0) + units;
    loads.set(id, load);
  };

  let before: Readonly<Record<string, string>> = {};
  for (const step of assumptions.jobLifecycle) {
    const after = { ...before, ...step.sets };
    const valueIn = (values: Readonly<Record<string, string>>, attribute: string) => values[attribute] ?? `<${attribute}>`;
    const cost = writeCost(schemas, assumptions, writeKindOf(assumptions, step.write));
    const schema = schemaOf(schemas, cost.kind.table);
    const tableKey = schema.partitionKey.name;
    land(schema.name, undefined, tableKey, valueIn(after, tableKey), step.times * cost.tableUnits);
    for (const write of cost.indexes) {
      const key = schema.indexes.find((index) => index.name === write.index)!.partitionKey.name;
      // Two writes are the old entry's delete and the new entry's put.
      const landsOn = write.writes === 2 ? [before, after] : write.writes === 1 ? [after] : [];
      for (const values of landsOn) {
        land(schema.name, write.index, key, valueIn(values, key), (step.times * write.units) / write.writes);
      }
    }
    before = after;
  }
  return [...loads.values()].map((load) => {
    const busiestUnits = Math.max(...Object.values(load.unitsPerValue));
    return {
      ...load,
      sharedByAllJobs: sharedAttributes.has(load.partitionKey),
      busiestUnits,
      jobsPerSecondCeiling: PARTITION_WRITE_UNITS_PER_SECOND / busiestUnits,
    };
  });
}

/** Total write units of one job's lifecycle, tables and indexes together. */
function lifecycleUnits(schemas: readonly TableSchema[], assumptions: CapacityAssumptions): number {
  return assumptions.jobLifecycle.reduce(
    (sum, step) => sum + step.times * writeCost(schemas, assumptions, writeKindOf(assumptions, step.write)).totalUnits,
    0,
  );
}

/** Read units of one page of a Query on an index (index reads are eventually consistent: half price). */
export function indexPageReadUnits(
  schema: TableSchema,
  index: IndexSchema,
  assumptions: CapacityAssumptions,
  entries: number,
): number {
  const entryBytes = indexEntryBytes(schema, index, assumptions) - INDEX_ENTRY_OVERHEAD_BYTES;
  return Math.ceil((entries * entryBytes) / READ_UNIT_BYTES) / 2;
}

/** Read units of one eventually consistent GetItem of a whole item (a projection does not lower it). */
export function itemReadUnits(schema: TableSchema, assumptions: CapacityAssumptions): number {
  return Math.ceil(itemBytes(schema, assumptions) / READ_UNIT_BYTES) / 2;
}

/** What a job's lease costs: its renewals, and the search for lapsed leases. */
export interface LeaseCost {
  /** One renewal: the write kind `jobs.renew`. */
  readonly renewal: WriteCost;
  /** Renewals per job in the lifecycle. */
  readonly renewalsPerJob: number;
  /** Read units per RUNNING job listed when searching for lapsed leases: its lease is read from the table. */
  readonly searchReadUnitsPerRunningJob: number;
}

/** The lease's cost, from the `jobs.renew` write kind and the job lifecycle. */
export function leaseCost(schemas: readonly TableSchema[], assumptions: CapacityAssumptions): LeaseCost {
  const renewal = writeCost(schemas, assumptions, writeKindOf(assumptions, 'jobs.renew'));
  return {
    renewal,
    renewalsPerJob: assumptions.jobLifecycle.filter((step) => step.write === 'jobs.renew').reduce((sum, step) => sum + step.times, 0),
    searchReadUnitsPerRunningJob: itemReadUnits(schemaOf(schemas, renewal.kind.table), assumptions),
  };
}

/** Steady-state storage of one table at the example scale. */
export interface TableStorage {
  /** The table. */
  readonly table: string;
  /** Items alive at once. */
  readonly items: number;
  /** How that count follows: the TTL retention or the shop count. */
  readonly basis: string;
  /** Bytes of items and index entries, each with DynamoDB's 100-byte overhead. */
  readonly bytes: number;
}

/** The worked example: the model applied at the assumed scale. */
export interface WorkedExample {
  /** Jobs created per day. */
  readonly jobsPerDay: number;
  /** Jobs per second over a whole day. */
  readonly averageJobsPerSecond: number;
  /** Jobs per second in the busiest second. */
  readonly peakJobsPerSecond: number;
  /** Write units of one job's lifecycle, all tables and indexes. */
  readonly unitsPerJob: number;
  /** Write units per second, all tables and indexes, in the busiest second. */
  readonly peakUnitsPerSecond: number;
  /** The system-wide (status) key, its busiest value's load at peak, and the headroom. */
  readonly sharedKey: {
    readonly load: KeyLoad;
    readonly peakUnitsPerSecond: number;
    readonly headroom: number;
    readonly jobsPerShopPerDayCeiling: number;
  };
  /** Write request units billed in a 30-day month. */
  readonly unitsPerMonth: number;
  /** Storage per table. */
  readonly storage: readonly TableStorage[];
}

/**
 * Items alive in a table at steady state: what the lifecycle puts per day times the TTL
 * retention, or one per shop for a table the lifecycle never puts into.
 */
function tableStorage(schema: TableSchema, assumptions: CapacityAssumptions, jobsPerDay: number): TableStorage {
  const putsPerJob = assumptions.jobLifecycle
    .filter((step) => {
      const kind = writeKindOf(assumptions, step.write);
      return kind.table === schema.name && kind.write === 'put';
    })
    .reduce((sum, step) => sum + step.times, 0);
  const perItem =
    INDEX_ENTRY_OVERHEAD_BYTES +
    itemBytes(schema, assumptions) +
    schema.indexes.reduce((sum, index) => sum + indexEntryBytes(schema, index, assumptions), 0);
  if (putsPerJob === 0) {
    const items = assumptions.scale.shops;
    return { table: schema.name, items, basis: 'one item per shop', bytes: items * perItem };
  }
  if (!schema.ttl) throw new Error(`${schema.name} gets items with every job but has no TTL: it grows without bound.`);
  const { retentionDays } = schema.ttl;
  const items = jobsPerDay * putsPerJob * retentionDays;
  return { table: schema.name, items, basis: `${retentionDays} days of TTL retention`, bytes: items * perItem };
}

/** Applies the model to the assumed scale. */
export function workedExample(schemas: readonly TableSchema[], assumptions: CapacityAssumptions): WorkedExample {
  const { scale } = assumptions;
  const jobsPerDay = scale.shops * scale.jobsPerShopPerDay;
  const averageJobsPerSecond = jobsPerDay / SECONDS_PER_DAY;
  const peakJobsPerSecond = averageJobsPerSecond * scale.peakFactor;
  const unitsPerJob = lifecycleUnits(schemas, assumptions);

  const shared = lifecycleKeyLoads(schemas, assumptions).find((load) => load.sharedByAllJobs);
  if (!shared) throw new Error('The job lifecycle sets no key attribute, so no index key is shared by all jobs.');
  const ceilingJobsPerDay = (shared.jobsPerSecondCeiling * SECONDS_PER_DAY) / scale.peakFactor;

  return {
    jobsPerDay,
    averageJobsPerSecond,
    peakJobsPerSecond,
    unitsPerJob,
    peakUnitsPerSecond: peakJobsPerSecond * unitsPerJob,
    sharedKey: {
      load: shared,
      peakUnitsPerSecond: peakJobsPerSecond * shared.busiestUnits,
      headroom: shared.jobsPerSecondCeiling / peakJobsPerSecond,
      jobsPerShopPerDayCeiling: ceilingJobsPerDay / scale.shops,
    },
    unitsPerMonth: jobsPerDay * unitsPerJob * 30,
    storage: schemas.map((schema) => tableStorage(schema, assumptions, jobsPerDay)),
  };
}
