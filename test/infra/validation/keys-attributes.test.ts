import type { TableSchema } from '../../../infra/data/schema-model';
import { tableSchema, TABLE_SCHEMAS } from '../../../infra/data/schemas';
import { type Loose, at, problemsAfter } from '../../support/data-config-problems';

describe('key types', () => {
  test('a table key of a type other than S, N or B is rejected', () => {
    expect(problemsAfter((t) => (t.Shops.partitionKey.type = 'BOOL'))).toEqual([
      'Shops.partitionKey.type: "BOOL" is not a key type (S, N, B)',
    ]);
  });

  test('an index key of a type other than S, N or B is rejected', () => {
    expect(problemsAfter((t) => (t.Jobs.indexes[1].partitionKey.type = 'X'))).toEqual([
      'Jobs.indexes[1].partitionKey.type: "X" is not a key type (S, N, B)',
    ]);
  });
});

describe('index keys are declared with a type', () => {
  test('an index key without a type is rejected', () => {
    expect(problemsAfter((t) => delete t.Jobs.indexes[0].sortKey.type)).toEqual([
      'Jobs.indexes[0].sortKey.type: missing; a key needs a type (S, N, B)',
    ]);
  });

  test('an index key on an attribute the table does not declare is rejected', () => {
    expect(problemsAfter((t) => (t.Jobs.indexes[0].partitionKey.name = 'tenantId'))).toEqual([
      'Jobs.indexes[0].partitionKey.name: "tenantId" is not declared in attributes',
    ]);
  });

  test('an index key typed differently from its attribute declaration is rejected', () => {
    expect(problemsAfter((t) => (t.Jobs.indexes[0].sortKey.type = 'N'))).toEqual([
      'Jobs.indexes[0].sortKey.type: "N" but attributes declares "createdAt" as "S"',
    ]);
  });
});

describe('partition and sort keys', () => {
  test('a sort key without a partition key on a table is rejected', () => {
    expect(problemsAfter((t) => delete t.ImportHistory.partitionKey)).toEqual([
      'ImportHistory.partitionKey: missing; a sort key needs a partition key',
    ]);
  });

  test('a sort key without a partition key on an index is rejected', () => {
    expect(problemsAfter((t) => delete t.Jobs.indexes[1].partitionKey)).toEqual([
      'Jobs.indexes[1].partitionKey: missing; a sort key needs a partition key',
    ]);
  });

  test('a table without any key is rejected', () => {
    expect(problemsAfter((t) => delete t.Shops.partitionKey)).toEqual([
      'Shops.partitionKey: missing; every table and index needs one',
    ]);
  });

  test('a sort key on the partition key attribute is rejected', () => {
    expect(problemsAfter((t) => (t.Jobs.indexes[1].sortKey = { name: 'status', type: 'S' }))).toEqual([
      'Jobs.indexes[1].sortKey.name: "status" is also the partition key',
    ]);
  });
});

describe('attribute declarations', () => {
  const [jobs, shops]: Loose[] = ['Jobs', 'Shops'].map((name) => TABLE_SCHEMAS.find((table) => table.name === name));

  test('an attribute declared twice with different types is rejected', () => {
    expect(problemsAfter((t) => t.Jobs.attributes.push({ name: 'status', type: 'N', description: 'x' }))).toEqual([
      `Jobs.attributes[${jobs.attributes.length}].type: "status" is declared as "S" in attributes[${at(jobs.attributes, 'status')}] and as "N" here`,
    ]);
  });

  test('an attribute declared twice with the same type is rejected', () => {
    expect(problemsAfter((t) => t.Shops.attributes.push({ name: 'plan', type: 'S', description: 'x' }))).toEqual([
      `Shops.attributes[${shops.attributes.length}].name: "plan" is already declared in attributes[${at(shops.attributes, 'plan')}]`,
    ]);
  });

  test('an attribute of an unknown type is rejected', () => {
    const settings = at(shops.attributes, 'settings');
    expect(problemsAfter((t) => (t.Shops.attributes[settings].type = 'MAP'))).toEqual([
      `Shops.attributes[${settings}].type: "MAP" is not an attribute type (S, N, B, BOOL, M, L, SS, NS)`,
    ]);
  });
});

describe('sealed attributes', () => {
  const accessToken = (tables: Loose) => tables.Shops.attributes.findIndex((attribute: Loose) => attribute.name === 'accessToken');

  test('a sealed attribute declared as a String (not ciphertext bytes) is rejected', () => {
    expect(problemsAfter((t) => (t.Shops.attributes[accessToken(t)].type = 'S'))).toEqual([
      expect.stringMatching(/^Shops\.attributes\[\d+\]\.type: "accessToken" is sealed, so it holds ciphertext bytes: declare it "B", not "S"$/),
    ]);
  });

  test('a sealed attribute not marked sensitive is rejected', () => {
    expect(problemsAfter((t) => delete t.Shops.attributes[accessToken(t)].sensitive)).toEqual([
      expect.stringMatching(/^Shops\.attributes\[\d+\]\.sensitive: "accessToken" is sealed, so it is a secret: mark it sensitive too$/),
    ]);
  });

  test('a sealed key is rejected, naming the table or index it keys', () => {
    const problems = problemsAfter((t) => {
      t.Jobs.attributes.find((attribute: Loose) => attribute.name === 'shopDomain').sealed = true;
      t.Jobs.attributes.find((attribute: Loose) => attribute.name === 'shopDomain').sensitive = true;
      t.Jobs.attributes.find((attribute: Loose) => attribute.name === 'shopDomain').type = 'B';
    }).filter((problem) => problem.includes('sealed'));
    expect(problems).toContain(
      'Jobs.attributes: "shopDomain" is sealed and also a key of index "shopDomain-createdAt"; ciphertext is fresh on every write, so it cannot be looked up',
    );
    // One problem per index that shopDomain keys, and nothing else.
    const keyedIndexes = (tableSchema('Jobs') as TableSchema).indexes.filter((index) =>
      [index.partitionKey.name, index.sortKey?.name].includes('shopDomain'),
    );
    expect(problems).toEqual(keyedIndexes.map((index) => expect.stringContaining(`is sealed and also a key of index "${index.name}"`)));
  });
});
