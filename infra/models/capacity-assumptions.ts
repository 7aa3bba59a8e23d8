import type { ImportHistoryClient, JobsClient, ShopsClient, TokenStore } from '../client';
import type { TABLE_SCHEMAS, TableName } from '../data/schemas';

type SchemaOf<T extends TableName> = Extract<(typeof TABLE_SCHEMAS)[number], { name: T }>;
/** Attribute names the schema map declares for a table. */
export type AttributeOf<T extends TableName> = SchemaOf<T>['attributes'][number]['name'];

/** Public methods of a client class. */
type MethodsOf<C> = { [K in keyof C]: C[K] extends (...args: never[]) => unknown ? K : never }[keyof C] & string;

/**
 * A write operation of the data client, e.g. `jobs.progress` or `tokens.replace`: the model prices
 * what the client sends (a misspelt or removed operation fails the type-check).
 */
export type ClientOperation =
  | `jobs.${MethodsOf<JobsClient>}`
  | `importHistory.${MethodsOf<ImportHistoryClient>}`
  | `shops.${MethodsOf<ShopsClient>}`
  | `tokens.${MethodsOf<TokenStore>}`;

/** One kind of write the application performs, and which attributes it touches. */
export type WriteKind = {
  [T in TableName]: {
    /** The client operation that sends the write. */
    readonly name: ClientOperation;
    /** What the write is, in words. */
    readonly description: string;
    /** The table written. */
    readonly table: T;
  } & (
    | { /** A new item: every attribute is written. */ readonly write: 'put' }
    | {
        /** An update of an existing item. */
        readonly write: 'update';
        /** The attributes the update changes. */
        readonly changes: readonly AttributeOf<T>[];
      }
  );
}[TableName];

/** One step in the life of a job: a kind of write, how often, and the key values it sets. */
export interface LifecycleStep {
  /** Name of a {@link WriteKind}. */
  readonly write: ClientOperation;
  /** How many times the step runs per job; a fraction when only some jobs run it. */
  readonly times: number;
  /** Key attribute values the step leaves on the item, e.g. the new status. */
  readonly sets?: Readonly<Record<string, string>>;
}

/** Everything the capacity model assumes; the docs print it next to the numbers it produces. */
export interface CapacityAssumptions {
  /**
   * Assumed size in bytes of attribute values (names are counted separately). An attribute not
   * listed gets the default size of its type (DEFAULT_VALUE_BYTES in capacity-model.ts), so the
   * map can grow without touching this file; a listed name must be one the map declares.
   */
  readonly valueBytes: { readonly [T in TableName]: Readonly<Partial<Record<AttributeOf<T>, number>>> };
  /** The writes the application performs. */
  readonly writeKinds: readonly WriteKind[];
  /** The writes one job goes through, in order. Tables no step puts into hold one item per shop. */
  readonly jobLifecycle: readonly LifecycleStep[];
  /** The worked example's scale. */
  readonly scale: {
    /** Installed shops. */
    readonly shops: number;
    /** Jobs each shop runs per day, on average. */
    readonly jobsPerShopPerDay: number;
    /** Busiest second divided by the day's average second. */
    readonly peakFactor: number;
    /** Entries a worker's poll of one status reads per page. */
    readonly pollPageSize: number;
  };
}

/** The capacity model's assumptions, priced per client operation. */
export const CAPACITY_ASSUMPTIONS: CapacityAssumptions = {
  valueBytes: {
    Shops: {
      domain: 30,
      name: 40,
      // Sealed: an Encryption SDK message of a 38-character token under a KMS key (`npm run token-cost`).
      accessToken: 524,
      accessTokenExpiresAt: 24,
      refreshToken: 524,
      refreshTokenExpiresAt: 24,
      scopes: 45,
      tokenVersion: 3,
      plan: 4,
      installedAt: 24,
      uninstalledAt: 24,
      billingStatus: 9,
      settings: 1_500,
    },
    Jobs: {
      jobId: 26,
      shopDomain: 30,
      createdAt: 24,
      updatedAt: 24,
      type: 6,
      mode: 6,
      status: 9,
      isDryRun: 1,
      totalProducts: 3,
      processedProducts: 3,
      errorMessage: 200,
      expiresAt: 6,
      leaseOwner: 26,
      leaseExpiresAt: 24,
      idempotencyKey: 36,
    },
    ImportHistory: {
      shopDomain: 30,
      timestamp: 6,
      jobId: 26,
      productsImported: 3,
      status: 9,
      errorCount: 2,
      expiresAt: 6,
    },
  },
  writeKinds: [
    { name: 'jobs.create', description: 'A new job is created, PENDING.', table: 'Jobs', write: 'put' },
    {
      name: 'jobs.progress',
      description: 'A running job records its progress.',
      table: 'Jobs',
      write: 'update',
      changes: ['processedProducts', 'updatedAt'],
    },
    {
      name: 'jobs.transition',
      description: 'A job moves to another status: a claim also takes the lease (leaseOwner, leaseExpiresAt), leaving RUNNING removes it.',
      table: 'Jobs',
      write: 'update',
      changes: ['status', 'updatedAt', 'leaseOwner', 'leaseExpiresAt'],
    },
    {
      name: 'jobs.renew',
      description: 'A running job\'s worker renews its lease: leaseExpiresAt only, which no index holds.',
      table: 'Jobs',
      write: 'update',
      changes: ['leaseExpiresAt'],
    },
    { name: 'importHistory.record', description: 'A finished import is recorded.', table: 'ImportHistory', write: 'put' },
    { name: 'shops.install', description: 'A shop installs the app or changes its settings.', table: 'Shops', write: 'put' },
    {
      name: 'tokens.replace',
      description: 'A shop\'s expiring access token is refreshed (about hourly while the app works for it).',
      table: 'Shops',
      write: 'update',
      changes: ['accessToken', 'accessTokenExpiresAt', 'refreshToken', 'refreshTokenExpiresAt', 'scopes', 'tokenVersion'],
    },
  ],
  jobLifecycle: [
    { write: 'jobs.create', times: 1, sets: { status: 'PENDING' } },
    { write: 'jobs.transition', times: 1, sets: { status: 'RUNNING' } },
    { write: 'jobs.progress', times: 10 },
    // A five-minute job renews its 120-second lease every 40 seconds.
    { write: 'jobs.renew', times: 8 },
    { write: 'jobs.transition', times: 1, sets: { status: 'COMPLETED' } },
    // Half the jobs are imports, and each finished import is recorded.
    { write: 'importHistory.record', times: 0.5 },
  ],
  scale: {
    shops: 50_000,
    jobsPerShopPerDay: 2,
    peakFactor: 10,
    pollPageSize: 100,
  },
};
