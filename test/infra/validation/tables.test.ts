import { RegionInfo } from 'aws-cdk-lib/region-info';
import type { TableSchema } from '../../../infra/schema-model';
import { tableSchema, TABLE_SCHEMAS } from '../../../infra/schemas';
import { STAGES, STAGE_NAMES } from '../../../infra/stages';
import { AWS_REGIONS, validateDataConfig, validateSchemaMap, validateStages } from '../../../infra/validation';

// The map and stage config as plain mutable data, so a test can break them in ways the types forbid.
type Loose = any;

/** Validates a copy of the real map and stage config after `edit` has broken it. */
function problemsAfter(edit: (tables: Loose, stages: Loose, schemas: Loose[]) => void, requestedStages?: unknown[]) {
  const schemas: Loose[] = structuredClone(TABLE_SCHEMAS) as Loose;
  const stages: Loose = structuredClone(STAGES);
  edit(Object.fromEntries(schemas.map((table) => [table.name, table])), stages, schemas);
  return validateDataConfig({ schemas, stages, requestedStages });
}

/** Position of a named entry (attribute, index, access pattern) in a list of the map. */
function at(list: Loose[], name: string): number {
  const position = list.findIndex((entry) => entry.name === name);
  if (position < 0) throw new Error(`no entry named ${name}`);
  return position;
}

/** Total of non-key attributes the table's INCLUDE projections copy. */
function projectedCount(table: Loose): number {
  return table.indexes.reduce((sum: number, i: Loose) => sum + (i.projection.attributes?.length ?? 0), 0);
}

function index(name: string, partitionKey: string) {
  return { name, partitionKey: { name: partitionKey, type: 'S' }, projection: { type: 'KEYS_ONLY', reason: 'test' } };
}

test('the committed schema map and stage config have no problems', () => {
  expect(validateDataConfig({ schemas: TABLE_SCHEMAS, stages: STAGES, requestedStages: STAGE_NAMES })).toEqual([]);
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

describe('stage region', () => {
  test.each([
    ['us-east-l', '"us-east-l"'],
    ['', '""'],
    ['US-EAST-1', '"US-EAST-1"'],
    ['eu-west-9', '"eu-west-9"'],
    ['us-east-1 ', '"us-east-1 "'],
    [undefined, 'undefined'],
  ])('region %p is rejected', (region, shown) => {
    expect(problemsAfter((_t, stages) => (stages.prod.region = region))).toEqual([
      `stages.prod.region: ${shown} is not an AWS region name (e.g. us-east-1)`,
    ]);
  });

  test.each(['eu-central-2', 'ap-southeast-7', 'mx-central-1', 'us-gov-west-1', 'cn-northwest-1'])('region %p is accepted', (region) => {
    expect(problemsAfter((_t, stages) => (stages.prod.region = region))).toEqual([]);
  });

  test('the region list holds exactly the commercial, GovCloud and China regions aws-cdk-lib knows', () => {
    const known = RegionInfo.regions
      .filter((region) => ['aws', 'aws-us-gov', 'aws-cn'].includes(region.partition ?? ''))
      .map((region) => region.name);
    expect([...AWS_REGIONS].sort()).toEqual(known.sort());
  });
});

describe('stage tags (AWS limits)', () => {
  const tagProblems = (edit: (tags: Record<string, unknown>) => void) => problemsAfter((_t, stages) => edit(stages.prod.tags));

  test.each([
    ['a value of 257 characters', (tags: Loose) => (tags.Owner = 'v'.repeat(257)), 'stages.prod.tags["Owner"]: the value is 257 characters; AWS allows at most 256'],
    ['a key of 129 characters', (tags: Loose) => (tags['k'.repeat(129)] = 'v'), `stages.prod.tags["${'k'.repeat(129)}"]: the key is 129 characters; AWS allows 1-128`],
    ['an empty key', (tags: Loose) => (tags[''] = 'v'), 'stages.prod.tags[""]: the key is 0 characters; AWS allows 1-128'],
    ['a key starting with aws:', (tags: Loose) => (tags['aws:team'] = 'data'), 'stages.prod.tags["aws:team"]: keys starting with "aws:" (in any case) are reserved for AWS'],
    ['a key starting with AWS: in capitals', (tags: Loose) => (tags['AWS:Team'] = 'data'), 'stages.prod.tags["AWS:Team"]: keys starting with "aws:" (in any case) are reserved for AWS'],
    ['a key with a character outside the set', (tags: Loose) => (tags['cost#centre'] = '42'), 'stages.prod.tags["cost#centre"]: the key may hold only letters, digits, spaces and _ . : / = + - @'],
    ['a value with a character outside the set', (tags: Loose) => (tags.Owner = 'data*team'), 'stages.prod.tags["Owner"]: the value may hold only letters, digits, spaces and _ . : / = + - @'],
    ['a value that is not a string', (tags: Loose) => (tags.Owner = 42), 'stages.prod.tags["Owner"]: expected a string value, got 42'],
    ['51 tags', (tags: Loose) => {
      for (let i = 0; Object.keys(tags).length < 51; i++) tags[`extra${i}`] = 'x';
    }, 'stages.prod.tags: 51 tags; AWS allows at most 50 user tags per resource'],
  ])('%s is rejected', (_case, edit, message) => {
    expect(tagProblems(edit)).toEqual([message]);
  });

  test('tags that are not a map are rejected', () => {
    expect(problemsAfter((_t, stages) => (stages.dev.tags = ['Project']))).toEqual([
      'stages.dev.tags: expected a map of tag keys to values, got ["Project"]',
    ]);
  });

  test.each([
    ['a value of 256 characters and an empty value', (tags: Loose) => Object.assign(tags, { Owner: 'v'.repeat(256), Note: '' })],
    ['a key of 128 characters, counted in characters not bytes', (tags: Loose) => (tags['é'.repeat(128)] = 'v')],
    ['letters of any language, spaces and every allowed symbol', (tags: Loose) => (tags['Équipe données'] = 'a_b.c:d/e=f+g-h@i 日本')],
    ['50 tags', (tags: Loose) => {
      for (let i = 0; Object.keys(tags).length < 50; i++) tags[`extra${i}`] = 'x';
    }],
  ])('%s is accepted', (_case, edit) => {
    expect(tagProblems(edit)).toEqual([]);
  });
});

describe('stage names and the stack and export names made from them', () => {
  /** The stage config with prod renamed. */
  const renamed = (name: string) =>
    problemsAfter((_t, stages) => {
      stages[name] = stages.prod;
      delete stages.prod;
    });
  const STAGE_RULE =
    'is not a stage name: a lowercase letter, then lowercase letters, digits and single hyphens, not ending in a hyphen (it becomes part of stack, export, table and KMS alias names)';

  test.each(['Prod', '1st', 'qa-', 'qa--eu'])('stage name %p is rejected', (name) => {
    expect(renamed(name)).toEqual([`stages.${name}: "${name}" ${STAGE_RULE}`]);
  });

  test('a stage name with a character CloudFormation forbids in stack names is rejected for both', () => {
    expect(renamed('qa_eu')).toEqual([
      `stages.qa_eu: "qa_eu" ${STAGE_RULE}`,
      "stages.qa_eu: stack name InavorShuttleData-qa_eu breaks CloudFormation's rule: a letter, then letters, digits and hyphens",
    ]);
  });

  test('an empty stage name is rejected', () => {
    expect(renamed('')).toEqual([`stages.: "" ${STAGE_RULE}`]);
  });

  test('a stage name that makes the stack name longer than 128 characters is rejected', () => {
    const name = 'a'.repeat(111);
    expect(renamed(name)).toContain(`stages.${name}: stack name InavorShuttleData-${name} is 129 characters; CloudFormation allows at most 128`);
  });

  test('a stage name that makes a data-access role name longer than 64 characters is rejected, naming the longest', () => {
    const name = 'a'.repeat(34);
    expect(renamed(name)).toEqual([`stages.${name}: role name inavor-shuttle-${name}-token-refresher is 65 characters; IAM allows at most 64`]);
  });

  test.each(['qa', 'eu-prod-2', 'a'.repeat(33)])('stage name %p is accepted', (name) => {
    expect(renamed(name)).toEqual([]);
  });

  test('a table name with a character export names forbid is rejected', () => {
    expect(problemsAfter((t) => (t.Shops.name = 'Shops_v2'))).toEqual([
      'Shops_v2.name: "Shops_v2" is part of export names such as InavorShuttleData-dev-Shops_v2TableName, which CloudFormation limits to letters, digits, hyphens and colons',
    ]);
  });

  test('a table name that makes an export name longer than 255 characters is rejected per stage', () => {
    const name = 'x'.repeat(230);
    expect(problemsAfter((t) => (t.Shops.name = name))).toEqual(
      STAGE_NAMES.map((stage) => {
        const exportName = `InavorShuttleData-${stage}-${name}TableName`;
        return `${name}.name: export name ${exportName} of stage ${stage} is ${exportName.length} characters; CloudFormation allows at most 255`;
      }),
    );
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

describe('stage access: the break-glass role and the data-access roles\' trust', () => {
  test('the committed access blocks have no problems', () => {
    expect(validateStages(STAGES)).toEqual([]);
  });

  test('a missing access block is rejected naming stage and field', () => {
    expect(problemsAfter((_tables, stages) => delete stages.prod.access)).toEqual(['stages.prod.access: expected {breakGlassRole, roleTrust, reason}, got undefined']);
  });

  test.each(['*', '*BreakGlass', 'aws-reserved/sso.amazonaws.com/*'])('a break-glass role of %s, which roles anyone can create would match, is rejected', (role) => {
    expect(problemsAfter((_tables, stages) => (stages.prod.access.breakGlassRole = role))).toEqual([
      `stages.prod.access.breakGlassRole: "${role}" starts with or is only a wildcard, so roles anyone can create would match it; name the role`,
    ]);
  });

  test('a break-glass role with characters IAM refuses, or a name over 64 characters, is rejected', () => {
    expect(problemsAfter((_tables, stages) => (stages.prod.access.breakGlassRole = 'break glass'))).toEqual([
      'stages.prod.access.breakGlassRole: "break glass" is not a role path and name (letters, digits, + = , . @ _ - and /, with * for any run of characters)',
    ]);
    expect(problemsAfter((_tables, stages) => (stages.prod.access.breakGlassRole = `path/${'a'.repeat(65)}`))).toEqual([
      'stages.prod.access.breakGlassRole: the name is 65 characters; IAM allows at most 64',
    ]);
  });

  test('a role trusting an unknown service, a missing role and an unknown one are each rejected', () => {
    expect(
      problemsAfter((_tables, stages) => {
        stages.staging.access.roleTrust.webApp = 'ec2';
        delete stages.staging.access.roleTrust.redaction;
        stages.staging.access.roleTrust.reporting = 'lambda';
      }),
    ).toEqual([
      'stages.staging.access.roleTrust.webApp: "ec2" is not a trusted service (appRunner, lambda)',
      'stages.staging.access.roleTrust.redaction: undefined is not a trusted service (appRunner, lambda)',
      'stages.staging.access.roleTrust.reporting: not a data-access role (webApp, jobWorker, tokenRefresher, redaction)',
    ]);
  });

  test('an access block without a reason is rejected', () => {
    expect(problemsAfter((_tables, stages) => (stages.dev.access.reason = ''))).toEqual(['stages.dev.access.reason: expected one line on who holds the break-glass role']);
  });
});
