import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { addDataStacks } from '../../infra/cdk/data-app';
import type { TableSchema } from '../../infra/data/schema-model';
import { TABLE_SCHEMAS } from '../../infra/data/schemas';
import { STAGES } from '../../infra/data/stages';
import { tablesNoRoleUses } from '../../infra/policy/data-roles';
import { validateDataConfig } from '../../infra/validation';
import { REPO } from '../support/source-imports';

/**
 * The recipe for a new table (docs/architecture.md, "A new table"), tried on a copy of the map
 * with one more table: what derives from the map takes it as it is, and each place to change by
 * hand fails until it is changed.
 */
const PRODUCTS = {
  name: 'Products',
  purpose: 'A shop\'s products as the last import left them, for the next export.',
  partitionKey: { name: 'shopDomain', type: 'S' },
  sortKey: { name: 'productId', type: 'S' },
  attributes: [
    { name: 'shopDomain', type: 'S', description: 'Domain of the shop the product belongs to.' },
    { name: 'productId', type: 'S', description: 'Shopify\'s product id.' },
    { name: 'title', type: 'S', description: 'The product\'s title.' },
    { name: 'importedAt', type: 'S', description: 'When the import wrote it, ISO-8601 UTC.' },
    { name: 'expiresAt', type: 'N', description: 'Epoch seconds when the item expires: importedAt + 30 days.' },
  ],
  indexes: [],
  noIndexReason: 'The only read is a shop\'s products, which the primary key answers.',
  ttl: { attribute: 'expiresAt', retentionDays: 30, countedFrom: 'importedAt' },
  accessPatterns: [{ name: 'productsByShop', description: 'A shop\'s products, one page at a time.', operation: 'Query' }],
  redaction: { by: 'accessPattern', accessPattern: 'productsByShop' },
} as const satisfies TableSchema;

const WITH_PRODUCTS: readonly TableSchema[] = [...TABLE_SCHEMAS, PRODUCTS];

/** The places the recipe says to change by hand, each with what tells you. */
const BY_HAND = ['infra/models/capacity-assumptions.ts', 'infra/policy/access-examples.ts', 'infra/client/redact/redact-shop.ts', 'infra/policy/data-roles.ts'];

describe('what derives from the map takes the new table as it is', () => {
  test('the checks of the map and the stage config accept it', () => {
    expect(validateDataConfig({ schemas: WITH_PRODUCTS, stages: STAGES })).toEqual([]);
  });

  let template: Template;
  let annotations: Annotations;
  beforeAll(() => {
    const { prod } = addDataStacks(new App(), { stages: ['prod'], nagReports: false, schemas: WITH_PRODUCTS });
    template = Template.fromStack(prod!);
    annotations = Annotations.fromStack(prod!);
  });

  test('a stage synthesizes it with its keys, TTL, PITR, the stage key and deletion protection, and nag finds nothing', () => {
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      TableName: 'Products-prod',
      KeySchema: [
        { AttributeName: 'shopDomain', KeyType: 'HASH' },
        { AttributeName: 'productId', KeyType: 'RANGE' },
      ],
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
      Replicas: [Match.objectLike({ PointInTimeRecoverySpecification: Match.objectLike({ PointInTimeRecoveryEnabled: true }), DeletionProtectionEnabled: true })],
    });
    expect(annotations.findError('*', Match.anyValue())).toEqual([]);
  });

  test('the redaction role and the backups take it', () => {
    const [table] = Object.keys(template.findResources('AWS::DynamoDB::GlobalTable', { Properties: { TableName: 'Products-prod' } }));
    const arn = `{"Fn::GetAtt":["${table!}","Arn"]}`;
    expect(JSON.stringify(template.findResources('AWS::IAM::Policy'))).toContain(arn);
    expect(JSON.stringify(template.findResources('AWS::Backup::BackupSelection'))).toContain(arn);
  });
});

describe('each place to change by hand fails until it is changed', () => {
  test('DATA_ROLES: a table no data role reads or writes is named (the map\'s own tables all have one)', () => {
    expect(tablesNoRoleUses(TABLE_SCHEMAS)).toEqual([]);
    expect(tablesNoRoleUses(WITH_PRODUCTS)).toEqual(['Products']);
  });

  test('the type-check of a copy of infra/ with the table in its map fails in the capacity assumptions, the access examples and the redaction bounds, and nowhere else', () => {
    const copy = mkdtempSync(join(tmpdir(), 'new-table-'));
    try {
      cpSync(join(REPO, 'infra'), join(copy, 'infra'), { recursive: true });
      symlinkSync(join(REPO, 'node_modules'), join(copy, 'node_modules'), 'dir');
      const schemas = join(copy, 'infra', 'data', 'schemas.ts');
      const end = '] as const satisfies readonly TableSchema[];';
      const source = readFileSync(schemas, 'utf8');
      expect(source).toContain(end);
      writeFileSync(schemas, source.replace(end, `  ${JSON.stringify(PRODUCTS)},\n${end}`));
      writeFileSync(
        join(copy, 'tsconfig.json'),
        JSON.stringify({
          extends: join(REPO, 'tsconfig.typecheck.json'),
          compilerOptions: { types: ['node'], paths: { 'aws-cdk-lib': [join(REPO, 'node_modules/aws-cdk-lib/core/index.d.ts')] } },
          include: ['infra/**/*.ts'],
        }),
      );
      const failing = typeCheck(copy);
      expect(failing).toEqual(['infra/client/redact/redact-shop.ts', 'infra/models/capacity-assumptions.ts', 'infra/policy/access-examples.ts']);
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });

  test('the recipe in docs/architecture.md names every one of these places', () => {
    const architecture = readFileSync(join(REPO, 'docs', 'architecture.md'), 'utf8');
    const recipe = architecture.slice(architecture.indexOf('## A new table'));
    expect(recipe.length).toBeLessThan(architecture.length);
    expect(BY_HAND.filter((place) => !recipe.includes(place))).toEqual([]);
  });
});

/** The files of `folder`'s infra/ that TypeScript 7's check reports an error in. */
function typeCheck(folder: string): string[] {
  try {
    execFileSync(process.execPath, [join(REPO, 'node_modules', 'typescript-native', 'bin', 'tsc'), '--noEmit', '-p', join(folder, 'tsconfig.json')], { cwd: folder, encoding: 'utf8', stdio: 'pipe' });
    return [];
  } catch (error) {
    const output = String((error as { stdout?: string }).stdout ?? '');
    return [...new Set([...output.matchAll(/^(infra\/[^(]+)\(\d+,\d+\): error/gm)].map(([, file]) => file!))].sort();
  }
}
