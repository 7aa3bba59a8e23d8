import { TABLE_SCHEMAS } from '../infra/schemas';
import { STAGES } from '../infra/stages';
import { validateDataConfig, validateSchemaMap, validateStages } from '../infra/validate-schemas';

// The map and stage config as plain mutable data, so a test can break them in ways the types forbid.
type Loose = any;

/** Validates a copy of the real map and stage config after `edit` has broken it. */
function problemsAfter(edit: (tables: Loose, stages: Loose, schemas: Loose[]) => void, requestedStages?: unknown[]) {
  const schemas: Loose[] = structuredClone(TABLE_SCHEMAS) as Loose;
  const stages: Loose = structuredClone(STAGES);
  edit(Object.fromEntries(schemas.map((table) => [table.name, table])), stages, schemas);
  return validateDataConfig({ schemas, stages, requestedStages });
}

function index(name: string, partitionKey: string) {
  return { name, partitionKey: { name: partitionKey, type: 'S' }, projection: { type: 'KEYS_ONLY', reason: 'test' } };
}

test('the committed schema map and stage config have no problems', () => {
  expect(validateDataConfig({ schemas: TABLE_SCHEMAS, stages: STAGES, requestedStages: ['dev', 'staging', 'prod'] })).toEqual([]);
});

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

test('two indexes with the same name are rejected', () => {
  expect(problemsAfter((t) => t.Jobs.indexes.push(index('status-createdAt', 'status')))).toEqual([
    'Jobs.indexes[2].name: "status-createdAt" is also the name of indexes[1]',
  ]);
});

test('more than 20 indexes on a table are rejected', () => {
  const problems = problemsAfter((t) => {
    for (let i = 0; i < 19; i++) t.Jobs.indexes.push(index(`extra-${i}`, 'status'));
  });
  expect(problems).toEqual(['Jobs.indexes: 21 global secondary indexes; DynamoDB allows at most 20']);
});

describe("names follow DynamoDB's rule (3-255 characters of a-z, A-Z, 0-9, _ . -)", () => {
  const RULE = "DynamoDB's naming rule: 3-255 characters of a-z, A-Z, 0-9, _, . and -";

  test.each(['Jo', 'Import History', 'Jobs/v2', 'x'.repeat(256)])('table name %p is rejected', (name) => {
    expect(problemsAfter((t) => (t.Shops.name = name))).toEqual([`${name}.name: "${name}" breaks ${RULE}`]);
  });

  test('a table name whose physical name in a stage exceeds 255 characters is rejected', () => {
    const name = 'x'.repeat(250);
    expect(problemsAfter((t) => (t.Shops.name = name))).toEqual([
      `${name}.name: physical name "${name}-staging" of stage staging breaks ${RULE}`,
    ]);
  });

  test.each(['by', 'by status', 'status:createdAt'])('index name %p is rejected', (name) => {
    expect(
      problemsAfter((t) => {
        t.Jobs.indexes[1].name = name;
        t.Jobs.accessPatterns[2].index = name;
      }),
    ).toEqual([`Jobs.indexes[1].name: "${name}" breaks ${RULE}`]);
  });
});

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
  test('an attribute declared twice with different types is rejected', () => {
    expect(problemsAfter((t) => t.Jobs.attributes.push({ name: 'status', type: 'N', description: 'x' }))).toEqual([
      'Jobs.attributes[12].type: "status" is declared as "S" in attributes[6] and as "N" here',
    ]);
  });

  test('an attribute declared twice with the same type is rejected', () => {
    expect(problemsAfter((t) => t.Shops.attributes.push({ name: 'plan', type: 'S', description: 'x' }))).toEqual([
      'Shops.attributes[8].name: "plan" is already declared in attributes[3]',
    ]);
  });

  test('an attribute of an unknown type is rejected', () => {
    expect(problemsAfter((t) => (t.Shops.attributes[7].type = 'MAP'))).toEqual([
      'Shops.attributes[7].type: "MAP" is not an attribute type (S, N, B, BOOL, M, L, SS, NS)',
    ]);
  });
});

describe('INCLUDE projections', () => {
  test('an INCLUDE projection without attributes is rejected', () => {
    expect(problemsAfter((t) => (t.Jobs.indexes[0].projection.attributes = []))).toEqual([
      'Jobs.indexes[0].projection.attributes: INCLUDE needs at least one non-key attribute; use KEYS_ONLY to copy only the keys',
    ]);
  });

  test('an INCLUDE projection listing a table key or an index key is rejected', () => {
    expect(problemsAfter((t) => t.Jobs.indexes[0].projection.attributes.push('jobId', 'createdAt'))).toEqual([
      'Jobs.indexes[0].projection.attributes[6]: "jobId" is a key, which every index copies already; list non-key attributes only',
      'Jobs.indexes[0].projection.attributes[7]: "createdAt" is a key, which every index copies already; list non-key attributes only',
    ]);
  });

  test('an INCLUDE projection listing an undeclared attribute is rejected', () => {
    expect(problemsAfter((t) => t.Jobs.indexes[0].projection.attributes.push('progress'))).toEqual([
      'Jobs.indexes[0].projection.attributes[6]: "progress" is not declared in attributes',
    ]);
  });
});

test('an unknown requested stage is rejected with the valid stages', () => {
  expect(problemsAfter(() => undefined, ['qa'])).toEqual(['Unknown stage "qa"; valid stages: dev, staging, prod.']);
});

describe('stage config', () => {
  test.each([0, 36, 7.5, undefined])('a PITR recovery period of %p days is rejected', (days) => {
    expect(problemsAfter((_t, stages) => (stages.prod.pitrRecoveryPeriodDays = days))).toEqual([
      `stages.prod.pitrRecoveryPeriodDays: ${days} is outside 1-35 days (whole days only)`,
    ]);
  });

  test.each([1, 35])('a PITR recovery period of %p days is accepted', (days) => {
    expect(problemsAfter((_t, stages) => (stages.dev.pitrRecoveryPeriodDays = days))).toEqual([]);
  });

  test('a protectData that is not a boolean is rejected', () => {
    expect(problemsAfter((_t, stages) => (stages.staging.protectData = 'yes'))).toEqual([
      'stages.staging.protectData: expected true or false, got "yes"',
    ]);
  });
});

test('two tables with the same name are rejected', () => {
  expect(problemsAfter((_t, _s, schemas) => schemas.push(structuredClone(schemas[0])))).toEqual([
    'Shops.name: tables[0] and tables[3] share the name "Shops"',
  ]);
});

describe('access patterns', () => {
  test('a pattern naming an index the table lacks is rejected, listing the indexes it has', () => {
    expect(problemsAfter((t) => (t.Jobs.accessPatterns[2].index = 'status-updatedAt'))).toEqual([
      'Jobs.accessPatterns[2].index: "status-updatedAt" is not an index of Jobs; its indexes are shopDomain-createdAt, status-createdAt',
    ]);
  });

  test('a pattern naming an index on a table without indexes is rejected', () => {
    expect(problemsAfter((t) => (t.ImportHistory.accessPatterns[0].index = 'byJob'))).toEqual([
      'ImportHistory.accessPatterns[0].index: "byJob" is not an index of ImportHistory; it has no index',
    ]);
  });
});

test('every problem across tables and stages is reported at once', () => {
  const problems = problemsAfter(
    (t, stages) => {
      t.Shops.partitionKey.type = 'BOOL';
      t.Jobs.indexes[1].projection.type = 'SOME';
      t.ImportHistory.ttl.retentionDays = 0;
      stages.dev.pitrRecoveryPeriodDays = 40;
    },
    ['qa'],
  );
  expect(problems).toEqual([
    'Shops.partitionKey.type: "BOOL" is not a key type (S, N, B)',
    'Jobs.indexes[1].projection.type: "SOME" is not a projection type (ALL, KEYS_ONLY, INCLUDE)',
    'ImportHistory.ttl.retentionDays: 0 is not a positive whole number of days',
    'stages.dev.pitrRecoveryPeriodDays: 40 is outside 1-35 days (whole days only)',
    'Unknown stage "qa"; valid stages: dev, staging, prod.',
  ]);
});

test('input that is not a map of tables or a stage config is rejected without throwing', () => {
  expect(validateSchemaMap({ Shops: {} }, ['dev'])).toEqual(['schema map: expected a list of tables, got {"Shops":{}}']);
  expect(validateSchemaMap([null], ['dev'])).toEqual(['tables[0]: expected a table, got null']);
  expect(validateStages({})).toEqual(['stages: expected at least one stage']);
});
