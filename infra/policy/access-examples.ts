import type { AccessRequestParams } from '../client';
import { TABLE_SCHEMAS, type TableName } from '../data/schemas';

/** Name of an access pattern declared in the schema map. */
export type AccessPatternName = (typeof TABLE_SCHEMAS)[number]['accessPatterns'][number]['name'];

/** The fixed "now" of the examples, so generated docs and test expectations are stable. */
export const EXAMPLE_NOW = new Date('2026-11-25T12:00:00.000Z');

/** One worked invocation of an access pattern. */
export interface AccessExample {
  /** The table the pattern belongs to. */
  readonly table: TableName;
  /** The parameters of the example request. */
  readonly params: AccessRequestParams;
}

/**
 * One example per access pattern (the type makes a missing one a compile error). The docs print
 * these requests and the integration tests run the same ones against a DynamoDB engine.
 */
export const ACCESS_EXAMPLES: Record<AccessPatternName, AccessExample> = {
  shopByDomain: { table: 'Shops', params: { partitionKey: 'acme-outfitters.myshopify.com' } },
  jobById: { table: 'Jobs', params: { partitionKey: '01JDQ3Z8W5K2R7M4N6P9T0V1XY' } },
  jobsByShop: {
    table: 'Jobs',
    params: { partitionKey: 'acme-outfitters.myshopify.com', limit: 20, now: EXAMPLE_NOW },
  },
  jobsByStatus: {
    table: 'Jobs',
    params: {
      partitionKey: 'RUNNING',
      range: { from: '2026-11-24T12:00:00.000Z', to: '2026-11-25T12:00:00.000Z' },
      now: EXAMPLE_NOW,
    },
  },
  importHistoryByShop: {
    table: 'ImportHistory',
    params: {
      partitionKey: 'acme-outfitters.myshopify.com',
      range: { from: 1_788_220_800, to: 1_795_608_000 },
      now: EXAMPLE_NOW,
    },
  },
};
