import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import baselineJson from './baselines/table-identity.json';
import { addDataStacks } from '../infra/data-app';
import type { TableSchema } from '../infra/schema-model';
import { TABLE_SCHEMAS } from '../infra/schemas';
import type { CfnTemplate } from '../infra/cfn-template';
import {
  replacementProblems,
  replacementReport,
  stageIdentity,
  type IdentityBaseline,
} from '../infra/table-identity';
import { synthAllStages } from './support/synth';

const BASELINE: IdentityBaseline = baselineJson;

/** Whether a stage's tables survive a stack delete or a replacement: staging and prod must, dev need not. */
const PROTECTION = {
  dev: { policy: 'Delete', deletionProtection: false },
  staging: { policy: 'Retain', deletionProtection: true },
  prod: { policy: 'Retain', deletionProtection: true },
} as const;
type Stage = keyof typeof PROTECTION;
const STAGES = Object.keys(PROTECTION) as Stage[];

type Resources = Record<string, { Type: string; Properties: Record<string, unknown>; [attribute: string]: unknown }>;

let templates: Record<Stage, Template>;
let current: Record<Stage, ReturnType<typeof stageIdentity>>;
beforeAll(() => {
  const synthesized = synthAllStages();
  templates = synthesized.templates;
  current = {} as typeof current;
  for (const stage of STAGES) {
    current[stage] = stageIdentity(synthesized.stacks[stage].stackName, templates[stage].toJSON());
  }
});

/** The prod template as plain data, edited, then turned into identities beside the other stages. */
function currentWithProd(edit: (resources: Resources) => void): IdentityBaseline {
  const template = structuredClone(templates.prod.toJSON()) as { Resources: Resources };
  edit(template.Resources);
  return { ...current, prod: stageIdentity(current.prod.stackName, template as CfnTemplate) };
}

function logicalIdOf(resources: Resources, tableName: string): string {
  const [id] = Object.entries(resources).filter(([, resource]) => resource.Properties.TableName === tableName);
  return id![0];
}

describe('table replacement guard', () => {
  test('no table of any stage would be replaced or deleted compared with the committed baseline', () => {
    expect(replacementReport(BASELINE, current)).toBe('');
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

  test('the report says how to accept an intended replacement', () => {
    const edited = currentWithProd((resources) => {
      resources[logicalIdOf(resources, 'Shops-prod')]!.Properties.TableName = 'Shop-prod';
    });
    const report = replacementReport(current, edited);
    expect(report).toMatch(/^These changes would replace or delete DynamoDB tables, losing their data:\n- prod: table Shops-prod/);
    expect(report).toContain('run `npm run baseline:update` and commit test/baselines/table-identity.json');
  });

  test('adding a table or an index replaces nothing', () => {
    const edited = currentWithProd((resources) => {
      const jobs = resources[logicalIdOf(resources, 'Jobs-prod')]!;
      resources.WebhooksTable0A1B2C3D = structuredClone({ ...jobs, Properties: { ...jobs.Properties, TableName: 'Webhooks-prod' } });
      (jobs.Properties.GlobalSecondaryIndexes as unknown[]).push({
        IndexName: 'type-createdAt',
        KeySchema: [{ AttributeName: 'type', KeyType: 'HASH' }],
        Projection: { ProjectionType: 'KEYS_ONLY' },
      });
    });
    expect(replacementProblems(current, edited)).toEqual([]);
  });

  test('from the schema map to the guard: a new table and index pass, a changed sort key type fails', () => {
    const [shops, jobs, importHistory] = TABLE_SCHEMAS;
    const edited: TableSchema[] = [
      shops,
      {
        ...jobs,
        indexes: [
          ...jobs.indexes,
          {
            name: 'type-createdAt',
            partitionKey: { name: 'type', type: 'S' },
            sortKey: { name: 'createdAt', type: 'S' },
            projection: { type: 'KEYS_ONLY', reason: 'Lists jobs of one kind.' },
          },
        ],
      },
      {
        ...importHistory,
        sortKey: { name: 'timestamp', type: 'S' },
        attributes: importHistory.attributes.map((a) => (a.name === 'timestamp' ? { ...a, type: 'S' } : a)),
      },
      {
        name: 'Webhooks',
        purpose: 'Deliveries of Shopify webhooks.',
        partitionKey: { name: 'id', type: 'S' },
        attributes: [{ name: 'id', type: 'S', description: 'Delivery id.' }],
        indexes: [],
        accessPatterns: [],
      },
    ];
    const { prod } = addDataStacks(new App(), { stages: ['prod'], schemas: edited, nagReports: false });
    const identity = stageIdentity(prod.stackName, Template.fromStack(prod).toJSON());
    expect(replacementProblems({ prod: BASELINE.prod! }, { prod: identity })).toEqual([
      'prod: table ImportHistory-prod (ImportHistoryTable0DFF013F) would be replaced: its key schema changed from HASH shopDomain:S, RANGE timestamp:N to HASH shopDomain:S, RANGE timestamp:S.',
    ]);
  });
});

describe.each(STAGES)('%s data protection', (stage) => {
  const expected = PROTECTION[stage];

  test(`every DynamoDB table has DeletionPolicy and UpdateReplacePolicy ${expected.policy} and deletion protection ${expected.deletionProtection ? 'on' : 'off'}`, () => {
    const template = templates[stage];
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

  test('the KMS key survives a stack delete and a replacement', () => {
    const keys = Object.values(templates[stage].findResources('AWS::KMS::Key'));
    expect(keys).toEqual([expect.objectContaining({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' })]);
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
