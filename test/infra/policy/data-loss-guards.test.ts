// One file: the replacement guard and the deploy-hazard check read the same committed baseline and edited prod templates.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { addDataStacks } from '../../../infra/cdk/data-app';
import type { TableSchema } from '../../../infra/data/schema-model';
import { TABLE_SCHEMAS } from '../../../infra/data/schemas';
import type { CfnTemplate } from '../../../infra/policy/cfn-template';
import { ConfigError } from '../../../infra/data/config-error';
import { STAGES as STAGE_POLICIES, STAGE_NAMES, dataStackName, type StageName } from '../../../infra/data/stages';
import {
  IDENTITY_BASELINE_FILE,
  deployHazards,
  hazardReport,
  parseIdentityBaseline,
  readIdentityBaseline,
  replacementProblems,
  replacementReport,
  stageIdentity,
  type IdentityBaseline,
  type StageIdentity,
} from '../../../infra/policy/table-identity';
import { stageTemplates } from '../../support/cdk-out';

/** Whether a stage's tables survive a stack delete or a replacement: staging and prod must, dev need not. */
const PROTECTION = {
  dev: { policy: 'Delete', deletionProtection: false },
  staging: { policy: 'Retain', deletionProtection: true },
  prod: { policy: 'Retain', deletionProtection: true },
} as const;
type Stage = keyof typeof PROTECTION;
const STAGES = Object.keys(PROTECTION) as Stage[];

type Resource = { Type: string; Properties: Record<string, any>; [attribute: string]: unknown };
type Resources = Record<string, Resource>;

let templates: Record<string, Template>;
/** Every configured stage's identity, as the committed baseline would record it now. */
let current: Record<string, StageIdentity>;
/** A stage's stack as the identity reads it: its name and the region it deploys to. */
const stackOf = (stage: StageName) => ({ stackName: dataStackName(stage), region: STAGE_POLICIES[stage].region });
beforeAll(() => {
  templates = stageTemplates();
  // Every configured stage, so a renamed or added stage reaches the guard instead of crashing here.
  current = Object.fromEntries(STAGE_NAMES.map((stage) => [stage, stageIdentity(stackOf(stage), templates[stage]!.toJSON())]));
});

/** The prod template as plain data, edited, then turned into identities beside the other stages. */
function currentWithProd(edit: (resources: Resources) => void): IdentityBaseline {
  const template = structuredClone(templates.prod!.toJSON()) as { Resources: Resources };
  edit(template.Resources);
  return { ...current, prod: stageIdentity(stackOf('prod'), template as CfnTemplate) };
}

function logicalIdOf(resources: Resources, tableName: string): string {
  const [id] = Object.entries(resources).filter(([, resource]) => resource.Properties.TableName === tableName);
  return id![0];
}

/** The prod table resource named `tableName` in an edited template. */
function table(resources: Resources, tableName: string): Resource['Properties'] {
  return resources[logicalIdOf(resources, tableName)]!.Properties;
}

function keyOnlyIndex(name: string, partitionKey: string) {
  return { IndexName: name, KeySchema: [{ AttributeName: partitionKey, KeyType: 'HASH' }], Projection: { ProjectionType: 'KEYS_ONLY' } };
}

describe('table replacement guard', () => {
  test('no table of any stage would be replaced or deleted compared with the committed baseline', () => {
    expect(replacementReport(readIdentityBaseline(join(__dirname, '..', '..', '..', IDENTITY_BASELINE_FILE)), current)).toBe('');
  });

  test("renaming a table's construct id is reported as a replacement by logical ID", () => {
    let oldId = '';
    const edited = currentWithProd((resources) => {
      oldId = logicalIdOf(resources, 'Jobs-prod');
      resources.JobTable5A1B2C3D = resources[oldId]!;
      delete resources[oldId];
    });
    expect(replacementProblems(current, edited)).toEqual([
      `prod: table Jobs-prod (${oldId}) would be replaced: its logical ID changed to JobTable5A1B2C3D, as happens when a construct id or its path changes.`,
    ]);
  });

  test('changing a key attribute is reported as a replacement by key schema', () => {
    let id = '';
    const edited = currentWithProd((resources) => {
      id = logicalIdOf(resources, 'ImportHistory-prod');
      resources[id]!.Properties.KeySchema = [
        { AttributeName: 'shopDomain', KeyType: 'HASH' },
        { AttributeName: 'finishedAt', KeyType: 'RANGE' },
      ];
      resources[id]!.Properties.AttributeDefinitions = [
        { AttributeName: 'shopDomain', AttributeType: 'S' },
        { AttributeName: 'finishedAt', AttributeType: 'N' },
      ];
    });
    expect(replacementProblems(current, edited)).toEqual([
      `prod: table ImportHistory-prod (${id}) would be replaced: its key schema changed from HASH shopDomain:S, RANGE timestamp:N to HASH shopDomain:S, RANGE finishedAt:N.`,
    ]);
  });

  test('changing a physical name is reported as a replacement by name', () => {
    let id = '';
    const edited = currentWithProd((resources) => {
      id = logicalIdOf(resources, 'Shops-prod');
      resources[id]!.Properties.TableName = 'Shop-prod';
    });
    expect(replacementProblems(current, edited)).toEqual([
      `prod: table Shops-prod (${id}) would be replaced: its physical name changed to Shop-prod.`,
    ]);
  });

  test('removing a table is reported as a deletion', () => {
    let id = '';
    const edited = currentWithProd((resources) => {
      id = logicalIdOf(resources, 'Shops-prod');
      delete resources[id];
    });
    expect(replacementProblems(current, edited)).toEqual([
      `prod: table Shops-prod (${id}) would be deleted: no table with that logical ID or name is synthesized.`,
    ]);
  });

  test('moving a stage to another region is refused: its tables there would be new and empty', () => {
    const tableNames = current.prod!.tables.map((t) => t.tableName).join(', ');
    const { region } = current.prod!;
    const elsewhere = region === 'eu-west-1' ? 'us-east-1' : 'eu-west-1';
    expect(replacementProblems(current, { ...current, prod: { ...current.prod!, region: elsewhere } })).toEqual([
      `prod: the stage moved from region ${region} to ${elsewhere}: its stack would be created there with new, empty tables, and ${tableNames} would stay behind in ${region} with the data.`,
    ]);
  });

  test.each([
    ['renamed', (stages: Record<string, StageIdentity>) => ({ ...stages, production: { ...stages.prod!, stackName: 'InavorShuttleData-production' } })],
    ['removed', (stages: Record<string, StageIdentity>) => ({ ...stages })],
  ])('a %s stage gets its own message', (_case, change) => {
    const { prod, ...others } = current;
    const tableNames = prod!.tables.map((t) => t.tableName).join(', ');
    expect(replacementProblems(current, change(others))).toEqual([
      `prod: the stage is in the baseline but no longer synthesized (renamed or removed in infra/data/stages.ts): its tables ${tableNames} stay in stack InavorShuttleData-prod in ${prod!.region}, and a renamed stage deploys a new stack with new, empty tables.`,
    ]);
  });

  test('the report says how to accept an intended replacement', () => {
    const edited = currentWithProd((resources) => {
      table(resources, 'Shops-prod').TableName = 'Shop-prod';
    });
    const report = replacementReport(current, edited);
    expect(report).toMatch(/^These changes would replace or delete DynamoDB tables, losing their data:\n- prod: table Shops-prod/);
    expect(report).toContain('run `npm run baseline:update` and commit test/baselines/table-identity.json');
  });

  test('adding a table or an index replaces nothing', () => {
    const edited = currentWithProd((resources) => {
      const jobs = resources[logicalIdOf(resources, 'Jobs-prod')]!;
      resources.WebhooksTable0A1B2C3D = structuredClone({ ...jobs, Properties: { ...jobs.Properties, TableName: 'Webhooks-prod' } });
      jobs.Properties.GlobalSecondaryIndexes.push(keyOnlyIndex('type-createdAt', 'type'));
    });
    expect(replacementProblems(current, edited)).toEqual([]);
  });
});

describe('a malformed or older baseline is one line, not a crash', () => {
  const REMEDY = 'Restore it from git, or rewrite it with `npm run baseline:update` and review its diff before committing.';

  const error = (problem: string) => new ConfigError([`${IDENTITY_BASELINE_FILE}: ${problem}. ${REMEDY}`]);

  // Each edit breaks a copy of the current identities and returns the problem it expects.
  test.each([
    ['the format before regions were recorded', (b: any) => {
      delete b.prod.region;
      return 'prod.region is not a string';
    }],
    ['the format before indexes were recorded', (b: any) => {
      delete b.dev.tables[0].indexes;
      return 'dev.tables[0].indexes is not a list';
    }],
    ['the format before TTL was recorded', (b: any) => {
      delete b.dev.tables[0].ttlAttribute;
      return 'dev.tables[0].ttlAttribute is not a string or null';
    }],
    ['an index without a projection', (b: any) => {
      const position = b.staging.tables.findIndex((t: any) => t.indexes.length > 0);
      delete b.staging.tables[position].indexes[0].projection;
      return `staging.tables[${position}].indexes[0].projection is not a string`;
    }],
    ['tables that are not a list', (b: any) => {
      b.dev.tables = {};
      return 'dev.tables is not a list';
    }],
    ['a stage that is not an object', (b: any) => {
      b.dev = 'InavorShuttleData-dev';
      return 'dev is not an object';
    }],
    ['a table without a key schema', (b: any) => {
      delete b.prod.tables[0].keySchema;
      return 'prod.tables[0].keySchema is not a string';
    }],
  ])('%s', (_case, edit) => {
    const baseline = structuredClone(current);
    const problem = edit(baseline);
    expect(() => parseIdentityBaseline(baseline)).toThrow(error(problem));
  });

  test('a list instead of an object of stages', () => {
    expect(() => parseIdentityBaseline([])).toThrow(error('the top level is not an object of stages'));
  });

  test('a file that is not JSON (e.g. a merge conflict) or is missing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'baseline-'));
    writeFileSync(join(dir, 'conflict.json'), '<<<<<<< HEAD\n{}\n');
    try {
      expect(() => readIdentityBaseline(join(dir, 'conflict.json'))).toThrow(error('is not valid JSON'));
      expect(() => readIdentityBaseline(join(dir, 'missing.json'))).toThrow(error('cannot be read (ENOENT)'));
    } finally {
      rmSync(dir, { recursive: true });
    }
  });
});

describe('deploy-hazard check', () => {
  const INDEX_REBUILD =
    'DynamoDB deletes and rebuilds the index, and Queries on it fail until the new one is backfilled. Safe sequence: add the new definition as an index under a new name (one deploy), move every reader to it (next deploy), then remove the old index.';
  const TWO_INDEXES =
    'DynamoDB creates one index per table update, so the deploy fails halfway and rolls back. Safe sequence: add one index per deploy, each deployed before the next is added.';
  const TTL_CHANGE =
    'DynamoDB changes the TTL attribute only by disabling TTL and enabling it again, and refuses another TTL change on the table for an hour after each one. Safe sequence: remove the TTL from the map and deploy; at least an hour later, add it with the new attribute and deploy again.';

  /** A Jobs index of the synthesized prod template, by name. */
  const jobsIndex = (resources: Resources, name: string) =>
    table(resources, 'Jobs-prod').GlobalSecondaryIndexes.find((index: { IndexName: string }) => index.IndexName === name);

  test('no stage has a deploy hazard compared with the committed baseline', () => {
    expect(hazardReport(readIdentityBaseline(join(__dirname, '..', '..', '..', IDENTITY_BASELINE_FILE)), current)).toBe('');
  });

  test.each([
    [
      'two new indexes on one table',
      (resources: Resources) => table(resources, 'Jobs-prod').GlobalSecondaryIndexes.push(keyOnlyIndex('type-a', 'type'), keyOnlyIndex('mode-a', 'mode')),
      [`prod: table Jobs-prod: 2 indexes would be created in one deploy (type-a (new), mode-a (new)). ${TWO_INDEXES}`],
    ],
    [
      'a changed TTL attribute',
      (resources: Resources) => (table(resources, 'Jobs-prod').TimeToLiveSpecification = { AttributeName: 'purgeAt', Enabled: true }),
      [`prod: table Jobs-prod: the TTL attribute changes from expiresAt to purgeAt. ${TTL_CHANGE}`],
    ],
    [
      'a changed index key',
      (resources: Resources) => {
        jobsIndex(resources, 'status-createdAt').KeySchema[1].AttributeName = 'updatedAt';
        // Defined as CDK would define it, once, whether or not another index already keys on it.
        const definitions: Array<{ AttributeName: string; AttributeType: string }> = table(resources, 'Jobs-prod').AttributeDefinitions;
        if (!definitions.some((definition) => definition.AttributeName === 'updatedAt')) definitions.push({ AttributeName: 'updatedAt', AttributeType: 'S' });
      },
      [`prod: table Jobs-prod: index status-createdAt changes its key from HASH status:S, RANGE createdAt:S to HASH status:S, RANGE updatedAt:S. ${INDEX_REBUILD}`],
    ],
    [
      'a changed projection type',
      (resources: Resources) => (jobsIndex(resources, 'status-createdAt').Projection = { ProjectionType: 'ALL' }),
      [`prod: table Jobs-prod: index status-createdAt changes its projection from KEYS_ONLY to ALL. ${INDEX_REBUILD}`],
    ],
    [
      'an attribute added to an INCLUDE projection',
      (resources: Resources) => jobsIndex(resources, 'shopDomain-createdAt').Projection.NonKeyAttributes.push('errorMessage'),
      [
        `prod: table Jobs-prod: index shopDomain-createdAt changes its projection from INCLUDE type, mode, status, isDryRun, totalProducts, processedProducts to INCLUDE type, mode, status, isDryRun, totalProducts, processedProducts, errorMessage. ${INDEX_REBUILD}`,
      ],
    ],
    [
      'a rebuilt index beside a new one: two creations',
      (resources: Resources) => {
        jobsIndex(resources, 'status-createdAt').Projection = { ProjectionType: 'ALL' };
        table(resources, 'Jobs-prod').GlobalSecondaryIndexes.push(keyOnlyIndex('type-a', 'type'));
      },
      [
        `prod: table Jobs-prod: index status-createdAt changes its projection from KEYS_ONLY to ALL. ${INDEX_REBUILD}`,
        `prod: table Jobs-prod: 2 indexes would be created in one deploy (status-createdAt (rebuilt), type-a (new)). ${TWO_INDEXES}`,
      ],
    ],
  ])('%s is refused with the reason and the safe sequence', (_case, edit, hazards) => {
    expect(deployHazards(current, currentWithProd(edit))).toEqual(hazards);
  });

  test.each([
    ['one new index', (resources: Resources) => table(resources, 'Jobs-prod').GlobalSecondaryIndexes.push(keyOnlyIndex('type-a', 'type'))],
    ['one new index on each of two tables', (resources: Resources) => {
      table(resources, 'Jobs-prod').GlobalSecondaryIndexes.push(keyOnlyIndex('type-a', 'type'));
      table(resources, 'Shops-prod').GlobalSecondaryIndexes = [keyOnlyIndex('plan-a', 'plan')];
    }],
    ['a new table with two indexes', (resources: Resources) => {
      const jobs = resources[logicalIdOf(resources, 'Jobs-prod')]!;
      resources.WebhooksTable0A1B2C3D = { ...structuredClone(jobs), Properties: { ...structuredClone(jobs.Properties), TableName: 'Webhooks-prod' } };
    }],
    ['a new attribute definition', (resources: Resources) => table(resources, 'Shops-prod').AttributeDefinitions.push({ AttributeName: 'plan', AttributeType: 'S' })],
    ['a removed index', (resources: Resources) => table(resources, 'Jobs-prod').GlobalSecondaryIndexes.pop()],
    ['TTL turned on where there was none', (resources: Resources) => (table(resources, 'Shops-prod').TimeToLiveSpecification = { AttributeName: 'purgeAt', Enabled: true })],
    ['TTL turned off', (resources: Resources) => delete table(resources, 'Jobs-prod').TimeToLiveSpecification],
  ])('%s is not a hazard', (_case, edit) => {
    expect(deployHazards(current, currentWithProd(edit))).toEqual([]);
  });

  test('the report lists each hazard and how to accept one deliberately; once the baseline records it, it passes', () => {
    const edited = currentWithProd((resources) => {
      table(resources, 'Jobs-prod').TimeToLiveSpecification = { AttributeName: 'purgeAt', Enabled: true };
    });
    const report = hazardReport(current, edited);
    expect(report.split('\n')).toEqual([
      'These changes cannot be deployed safely in one step:',
      `- prod: table Jobs-prod: the TTL attribute changes from expiresAt to purgeAt. ${TTL_CHANGE}`,
      'Split the change as each line says. If the hazard is intended (e.g. the tables are not deployed yet, or the baseline is behind what every stage runs), run `npm run baseline:update` and commit test/baselines/table-identity.json with the change: its diff records the acceptance.',
    ]);
    // `npm run baseline:update` writes the current identities as the baseline.
    expect(hazardReport(edited, edited)).toBe('');
  });
});

test('from the schema map to both guards: a new table, index and attribute and a changed retention pass, a changed sort key type fails', () => {
  const edited: TableSchema[] = TABLE_SCHEMAS.map((schema): TableSchema => {
    if (schema.name === 'Jobs') {
      return {
        ...schema,
        // Names no real attribute or index will take, so the test holds when the map grows.
        attributes: [...schema.attributes, { name: 'testOnlyRank', type: 'N', description: 'Added by this test.' }],
        indexes: [
          ...schema.indexes,
          {
            name: 'testOnly-rank',
            partitionKey: { name: 'type', type: 'S' },
            sortKey: { name: 'testOnlyRank', type: 'N' },
            projection: { type: 'KEYS_ONLY', reason: 'Added by this test.' },
          },
        ],
        ttl: { ...schema.ttl, retentionDays: schema.ttl.retentionDays + 30 },
      };
    }
    if (schema.name === 'ImportHistory') {
      return {
        ...schema,
        sortKey: { name: 'timestamp', type: 'S' },
        attributes: schema.attributes.map((a) => (a.name === 'timestamp' ? { ...a, type: 'S' } : a)),
      };
    }
    return schema;
  });
  edited.push({
    name: 'TestOnlyWebhooks',
    purpose: 'Added by this test.',
    partitionKey: { name: 'id', type: 'S' },
    attributes: [{ name: 'id', type: 'S', description: 'Delivery id.' }],
    indexes: [],
    accessPatterns: [],
  });
  const { prod } = addDataStacks(new App(), { stages: ['prod'], schemas: edited, nagReports: false });
  const identity = stageIdentity(prod, Template.fromStack(prod).toJSON());
  // Compared with today's map rather than the committed baseline, so pending edits to the map do not count.
  const baseline = { prod: current.prod! };
  expect(replacementProblems(baseline, { prod: identity })).toEqual([
    'prod: table ImportHistory-prod (ImportHistoryTable0DFF013F) would be replaced: its key schema changed from HASH shopDomain:S, RANGE timestamp:N to HASH shopDomain:S, RANGE timestamp:S.',
  ]);
  expect(deployHazards(baseline, { prod: identity })).toEqual([]);
});

describe.each(STAGES)('%s data protection', (stage) => {
  const expected = PROTECTION[stage];

  test(`every DynamoDB table has DeletionPolicy and UpdateReplacePolicy ${expected.policy} and deletion protection ${expected.deletionProtection ? 'on' : 'off'}`, () => {
    const template = templates[stage]!;
    const tables = Object.values({
      ...template.findResources('AWS::DynamoDB::Table'),
      ...template.findResources('AWS::DynamoDB::GlobalTable'),
    });
    expect(tables).toHaveLength(TABLE_SCHEMAS.length);
    for (const table of tables) {
      expect(table).toMatchObject({ DeletionPolicy: expected.policy, UpdateReplacePolicy: expected.policy });
      const { Replicas, DeletionProtectionEnabled } = table.Properties;
      const flags = table.Type === 'AWS::DynamoDB::GlobalTable'
        ? (Replicas as Array<{ DeletionProtectionEnabled?: boolean }>).map((replica) => replica.DeletionProtectionEnabled)
        : [DeletionProtectionEnabled];
      expect(flags).not.toHaveLength(0);
      expect(flags).toEqual(flags.map(() => expected.deletionProtection));
    }
  });

  test('every KMS key, the table key and the token key among them, survives a stack delete and a replacement', () => {
    const keys = Object.values(templates[stage]!.findResources('AWS::KMS::Key'));
    expect(keys.length).toBeGreaterThanOrEqual(2);
    expect(keys).toEqual(keys.map(() => expect.objectContaining({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' })));
  });
});

test('ImportHistory tells writers how the key is built, to put conditionally and what to do when a slot is taken', () => {
  const importHistory = TABLE_SCHEMAS.find((table) => table.name === 'ImportHistory')!;
  expect(importHistory.sortKey).toEqual({ name: 'timestamp', type: 'N' });
  expect(importHistory.writerRules).toEqual([
    expect.stringContaining('"<whole Unix seconds>.<milliseconds, 3 digits><slot, 2 digits>"'),
    expect.stringContaining('ConditionExpression "attribute_not_exists(#timestamp)"'),
    expect.stringContaining('if the stored jobId is the writer\'s own, the record is already there'),
    expect.stringContaining('A date range [from, to] reads timestamp BETWEEN'),
    expect.stringContaining('never drop the record silently'),
  ]);
});
