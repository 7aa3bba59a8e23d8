import { type Loose, index, problemsAfter } from '../../support/data-config-problems';

describe('time to live', () => {
  test('a TTL attribute that is the table key is rejected', () => {
    expect(
      problemsAfter((t) => {
        t.ImportHistory.ttl.attribute = 'timestamp';
        t.ImportHistory.ttl.countedFrom = 'timestamp';
      }),
    ).toEqual(['ImportHistory.ttl.attribute: "timestamp" is also a key of the table; TTL needs a non-key attribute']);
  });

  test('a TTL attribute that is an index key is rejected', () => {
    expect(problemsAfter((t) => t.Jobs.indexes.push({ ...index('expiring', 'status'), sortKey: { name: 'expiresAt', type: 'N' } }))).toEqual([
      'Jobs.ttl.attribute: "expiresAt" is also a key of index "expiring"; TTL needs a non-key attribute',
    ]);
  });

  test('a TTL attribute declared as a String is rejected', () => {
    expect(problemsAfter((t) => (t.Jobs.attributes.find((a: Loose) => a.name === 'expiresAt').type = 'S'))).toEqual([
      'Jobs.ttl.attribute: "expiresAt" is declared as "S"; TTL reads only a Number ("N") of epoch seconds',
    ]);
  });

  test('a TTL attribute that is not declared at all is rejected', () => {
    expect(problemsAfter((t) => (t.Jobs.ttl.attribute = 'expiry'))).toEqual([
      'Jobs.ttl.attribute: "expiry" is not declared in attributes; TTL needs a Number ("N") attribute',
    ]);
  });

  test.each([0, -90, 1.5, '90', undefined])('a retention of %p days is rejected', (days) => {
    expect(problemsAfter((t) => (t.Jobs.ttl.retentionDays = days))).toEqual([
      `Jobs.ttl.retentionDays: ${typeof days === 'string' ? `"${days}"` : days} is not a positive whole number of days`,
    ]);
  });

  test('a retention counted from an undeclared attribute is rejected', () => {
    expect(problemsAfter((t) => (t.Jobs.ttl.countedFrom = 'startedAt'))).toEqual([
      'Jobs.ttl.countedFrom: "startedAt" is not declared in attributes',
    ]);
  });
});
