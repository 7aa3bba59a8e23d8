import { tableSchema, TABLE_SCHEMAS } from '../../../infra/data/schemas';
import { type Loose, at, index, problemsAfter } from '../../support/data-config-problems';

test('two indexes with the same name are rejected', () => {
  const jobs: Loose = TABLE_SCHEMAS.find((table) => table.name === 'Jobs');
  expect(problemsAfter((t) => t.Jobs.indexes.push(index('status-createdAt', 'status')))).toEqual([
    `Jobs.indexes[${jobs.indexes.length}].name: "status-createdAt" is also the name of indexes[${at(jobs.indexes, 'status-createdAt')}]`,
  ]);
});

test('more than 20 indexes on a table are rejected', () => {
  const problems = problemsAfter((t) => {
    while (t.Jobs.indexes.length < 21) t.Jobs.indexes.push(index(`extra-${t.Jobs.indexes.length}`, 'status'));
  });
  expect(problems).toEqual(['Jobs.indexes: 21 global secondary indexes; DynamoDB allows at most 20']);
});

describe('INCLUDE projections', () => {
  test('an INCLUDE projection without attributes is rejected', () => {
    expect(problemsAfter((t) => (t.Jobs.indexes[0].projection.attributes = []))).toEqual([
      'Jobs.indexes[0].projection.attributes: INCLUDE needs at least one non-key attribute; use KEYS_ONLY to copy only the keys',
    ]);
  });

  const included = (TABLE_SCHEMAS.find((table) => table.name === 'Jobs') as Loose).indexes[0].projection.attributes.length;

  test('an INCLUDE projection listing a table key or an index key is rejected', () => {
    expect(problemsAfter((t) => t.Jobs.indexes[0].projection.attributes.push('jobId', 'createdAt'))).toEqual([
      `Jobs.indexes[0].projection.attributes[${included}]: "jobId" is a key, which every index copies already; list non-key attributes only`,
      `Jobs.indexes[0].projection.attributes[${included + 1}]: "createdAt" is a key, which every index copies already; list non-key attributes only`,
    ]);
  });

  test('an INCLUDE projection listing an undeclared attribute is rejected', () => {
    expect(problemsAfter((t) => t.Jobs.indexes[0].projection.attributes.push('progress'))).toEqual([
      `Jobs.indexes[0].projection.attributes[${included}]: "progress" is not declared in attributes`,
    ]);
  });
});

describe('sensitive and sealed attributes stay off indexes', () => {
  const shopsIndex = (projection: Loose) => ({ ...index('plan-index', 'plan'), projection: { ...projection, reason: 'test' } });
  // Where the index under test lands: after the indexes the map gives Shops.
  const pushedAt = tableSchema('Shops').indexes.length;

  test('an index projecting ALL on a table with a sensitive attribute is rejected, naming table, index and attribute', () => {
    const sensitive = (TABLE_SCHEMAS.find((table) => table.name === 'Shops') as Loose).attributes.filter((attribute: Loose) => attribute.sensitive).map((attribute: Loose) => attribute.name);
    expect(sensitive).toContain('accessToken');
    expect(problemsAfter((t) => t.Shops.indexes.push(shopsIndex({ type: 'ALL' })))).toEqual(
      sensitive.map(
        (name: string) =>
          `Shops.indexes[${pushedAt}].projection: index "plan-index" projects ALL attributes, so it copies the sensitive attribute "${name}"; project only what the index's readers need (INCLUDE without it, or KEYS_ONLY)`,
      ),
    );
  });

  test('an index that INCLUDEs a sensitive attribute is rejected, naming table, index and attribute', () => {
    expect(problemsAfter((t) => t.Shops.indexes.push(shopsIndex({ type: 'INCLUDE', attributes: ['name', 'accessToken'] })))).toEqual([
      `Shops.indexes[${pushedAt}].projection: index "plan-index" INCLUDEs the sensitive attribute "accessToken"; project only what the index's readers need (INCLUDE without it, or KEYS_ONLY)`,
    ]);
  });

  test('a sealed attribute counts as sensitive for indexes', () => {
    const problems = problemsAfter((t) => {
      t.Jobs.attributes.push({ name: 'webhookSecret', type: 'B', description: 'test', sealed: true });
      t.Jobs.indexes[0].projection.attributes.push('webhookSecret');
    });
    expect(problems).toContain(
      'Jobs.indexes[0].projection: index "shopDomain-createdAt" INCLUDEs the sensitive attribute "webhookSecret"; project only what the index\'s readers need (INCLUDE without it, or KEYS_ONLY)',
    );
  });

  test('an index with INCLUDE of other attributes, or KEYS_ONLY, on such a table passes', () => {
    expect(problemsAfter((t) => t.Shops.indexes.push(shopsIndex({ type: 'INCLUDE', attributes: ['name'] })))).toEqual([]);
    expect(problemsAfter((t) => t.Shops.indexes.push(shopsIndex({ type: 'KEYS_ONLY' })))).toEqual([]);
  });
});
