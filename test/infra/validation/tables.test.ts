import { TABLE_SCHEMAS } from '../../../infra/data/schemas';
import { type Loose, at, problemsAfter, projectedCount } from '../../support/data-config-problems';

describe("names follow DynamoDB's rule (3-255 characters of a-z, A-Z, 0-9, _ . -)", () => {
  const RULE = "DynamoDB's naming rule: 3-255 characters of a-z, A-Z, 0-9, _, . and -";

  test.each(['Jo', 'Import History', 'Jobs/v2', 'x'.repeat(256)])('table name %p is rejected', (name) => {
    expect(problemsAfter((t) => (t.Shops.name = name))).toEqual([`${name}.name: "${name}" breaks ${RULE}`]);
  });

  test('a table name whose physical name in a stage exceeds 255 characters is rejected, with its export names', () => {
    const name = 'x'.repeat(250);
    const exportTooLong = (stage: string, length: number) =>
      `${name}.name: export name InavorShuttleData-${stage}-${name}TableName of stage ${stage} is ${length} characters; CloudFormation allows at most 255`;
    expect(problemsAfter((t) => (t.Shops.name = name))).toEqual([
      `${name}.name: physical name "${name}-staging" of stage staging breaks ${RULE}`,
      exportTooLong('dev', 281),
      exportTooLong('staging', 285),
      exportTooLong('prod', 282),
    ]);
  });

  test.each(['by', 'by status', 'status:createdAt'])('index name %p is rejected', (name) => {
    expect(
      problemsAfter((t) => {
        for (const pattern of t.Jobs.accessPatterns) if (pattern.index === t.Jobs.indexes[1].name) pattern.index = name;
        t.Jobs.indexes[1].name = name;
      }),
    ).toEqual([`Jobs.indexes[1].name: "${name}" breaks ${RULE}`]);
  });
});

describe('DynamoDB limits that CDK or CloudFormation would stop on', () => {
  const long = 'k'.repeat(256);
  const tooLong = (field: string, what: string, bytes = 256) =>
    `${field}: the name is ${bytes} bytes (UTF-8); DynamoDB allows at most 255 for ${what}`;
  /** Declares `name` on Jobs and projects it into the shop's job-list index. */
  const project = (t: Loose, name: string) => {
    t.Jobs.attributes.push({ name, type: 'S', description: 'x' });
    t.Jobs.indexes[0].projection.attributes.push(name);
  };

  test('more than 100 non-key attributes projected across a table\'s indexes are rejected', () => {
    expect(
      problemsAfter((t) => {
        t.Jobs.indexes[1].projection = { type: 'INCLUDE', attributes: [], reason: 'x' };
        for (let i = 0; projectedCount(t.Jobs) < 101; i++) {
          t.Jobs.attributes.push({ name: `extra${i}`, type: 'S', description: 'x' });
          t.Jobs.indexes[projectedCount(t.Jobs) % 2].projection.attributes.push(`extra${i}`);
        }
      }),
    ).toEqual([
      'Jobs.indexes: 101 non-key attributes projected (INCLUDE) across the indexes; DynamoDB allows at most 100 in total, an attribute in two indexes counting twice',
    ]);
  });

  test('100 projected non-key attributes, one of them in two indexes, are accepted', () => {
    expect(
      problemsAfter((t) => {
        t.Jobs.indexes[1].projection = { type: 'INCLUDE', attributes: ['type'], reason: 'x' };
        for (let i = 0; projectedCount(t.Jobs) < 100; i++) project(t, `extra${i}`);
      }),
    ).toEqual([]);
  });

  test.each([
    ['a table key', (t: Loose) => {
      t.Shops.attributes[at(t.Shops.attributes, 'domain')].name = long;
      t.Shops.partitionKey.name = long;
    }, tooLong('Shops.partitionKey.name', 'key attribute names')],
    ['an index key', (t: Loose) => {
      t.Jobs.attributes.push({ name: long, type: 'S', description: 'x' });
      t.Jobs.indexes[0].partitionKey.name = long;
    }, tooLong('Jobs.indexes[0].partitionKey.name', 'key attribute names')],
    ['a key of 128 two-byte characters', (t: Loose) => {
      t.Jobs.attributes.push({ name: 'é'.repeat(128), type: 'S', description: 'x' });
      t.Jobs.indexes[1].sortKey.name = 'é'.repeat(128);
    }, tooLong('Jobs.indexes[1].sortKey.name', 'key attribute names')],
    ['a projected attribute', (t: Loose) => project(t, long), tooLong(
      `Jobs.indexes[0].projection.attributes[${(TABLE_SCHEMAS.find((table) => table.name === 'Jobs') as Loose).indexes[0].projection.attributes.length}]`,
      'projected attribute names',
    )],
    ['the TTL attribute', (t: Loose) => {
      t.Jobs.attributes.push({ name: long, type: 'N', description: 'x' });
      t.Jobs.ttl.attribute = long;
    }, tooLong('Jobs.ttl.attribute', 'the TTL attribute name')],
  ])('a name of more than 255 bytes for %s is rejected', (_case, edit, message) => {
    expect(problemsAfter(edit)).toEqual([message]);
  });

  test('key, projected and TTL attribute names of 255 bytes are accepted', () => {
    const name = (c: string) => c.repeat(255);
    expect(
      problemsAfter((t) => {
        t.Jobs.attributes.push({ name: name('n'), type: 'N', description: 'x' }, { name: name('s'), type: 'S', description: 'x' });
        t.Jobs.ttl.attribute = name('n');
        t.Jobs.indexes[1].sortKey.name = name('s');
        project(t, name('p'));
      }),
    ).toEqual([]);
  });
});

test('two tables with the same name are rejected', () => {
  expect(problemsAfter((_t, _s, schemas) => schemas.push(structuredClone(schemas[0])))).toEqual([
    `${TABLE_SCHEMAS[0].name}.name: tables[0] and tables[${TABLE_SCHEMAS.length}] share the name "${TABLE_SCHEMAS[0].name}"`,
  ]);
});

describe('access patterns', () => {
  test('a pattern naming an index the table lacks is rejected, listing the indexes it has', () => {
    const jobs: Loose = TABLE_SCHEMAS.find((table) => table.name === 'Jobs');
    const byStatus = at(jobs.accessPatterns, 'jobsByStatus');
    expect(problemsAfter((t) => (t.Jobs.accessPatterns[byStatus].index = 'status-updatedAt'))).toEqual([
      `Jobs.accessPatterns[${byStatus}].index: "status-updatedAt" is not an index of Jobs; its indexes are ${jobs.indexes.map((i: Loose) => i.name).join(', ')}`,
    ]);
  });

  test('a pattern naming an index on a table without indexes is rejected', () => {
    const problems = problemsAfter((t) => {
      // ImportHistory as the plan has it, without indexes, whatever indexes the map gives it later.
      t.ImportHistory.indexes = [];
      t.ImportHistory.noIndexReason ??= 'The primary key answers every read.';
      t.ImportHistory.accessPatterns[0].index = 'byJob';
    });
    expect(problems).toEqual([
      'ImportHistory.accessPatterns[0].index: "byJob" is not an index of ImportHistory; it has no index',
    ]);
  });
});

describe('append-only tables and redaction walks', () => {
  test('an appendOnly that is not a boolean is rejected', () => {
    expect(problemsAfter((t) => (t.ImportHistory.appendOnly = 'yes'))).toEqual([
      'ImportHistory.appendOnly: expected true or false, got "yes"',
    ]);
  });

  test('a redaction through an access pattern the table does not have is rejected', () => {
    expect(problemsAfter((t) => (t.Jobs.redaction.accessPattern = 'jobsByShopDomain'))).toEqual([
      'Jobs.redaction.accessPattern: "jobsByShopDomain" is not an access pattern of the table (jobById, jobsByShop, jobsByStatus)',
    ]);
  });

  test('a redaction through a GetItem pattern is rejected', () => {
    expect(problemsAfter((t) => (t.Jobs.redaction.accessPattern = 'jobById'))).toEqual([
      'Jobs.redaction.accessPattern: "jobById" is a GetItem; a redaction walks a shop\'s items with a Query',
    ]);
  });

  test('a redaction by key on a table with a sort key is rejected', () => {
    expect(problemsAfter((t) => (t.ImportHistory.redaction = { by: 'key' }))).toEqual([
      'ImportHistory.redaction.by: "key" needs a table keyed by the shop alone; this table has a sort key, so name the access pattern that lists a shop\'s items',
    ]);
  });

  test('a redaction of an unknown kind is rejected', () => {
    expect(problemsAfter((t) => (t.Shops.redaction = { by: 'scan' }))).toEqual(['Shops.redaction.by: "scan" is not "key" or "accessPattern"']);
  });
});
