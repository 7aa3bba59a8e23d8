import { tableSchema } from '../../../../infra/data/schemas';
import { epochSeconds, expiresAt, oldestLive } from '../../../../infra/client/core/ttl';

const CREATED = new Date('2026-11-25T12:00:00.000Z');

test('epochSeconds is whole seconds since 1970, not milliseconds', () => {
  expect(epochSeconds(CREATED)).toBe(1_795_608_000);
  expect(epochSeconds(new Date('2026-11-25T12:00:00.999Z'))).toBe(1_795_608_000);
});

test('a job expires 90 days after createdAt, in epoch seconds', () => {
  // 2027-02-23T12:00:00Z
  expect(expiresAt(tableSchema('Jobs').ttl, CREATED)).toBe(1_803_384_000);
});

test('an import history record expires 365 days after its timestamp, in epoch seconds', () => {
  // 2027-11-25T12:00:00Z
  expect(expiresAt(tableSchema('ImportHistory').ttl, CREATED)).toBe(1_827_144_000);
});

test('expiresAt has the 10 digits of epoch seconds (epoch milliseconds would never expire)', () => {
  const value = expiresAt(tableSchema('Jobs').ttl, CREATED);
  expect(Number.isInteger(value)).toBe(true);
  expect(String(value)).toHaveLength(10);
});

test('the oldest live item at a given now started exactly one retention period earlier', () => {
  for (const ttl of [tableSchema('Jobs').ttl, tableSchema('ImportHistory').ttl]) {
    expect(oldestLive(ttl, CREATED).getTime()).toBe(CREATED.getTime() - ttl.retentionDays * 86_400_000);
  }
});
