import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ACCESS_EXAMPLES } from '../../../infra/policy/access-examples';
import { buildAccessRequest, TOKEN_CONDITIONS, type AccessRequest } from '../../../infra/client';
import type { AccessPatternSchema, AttributeSchema, IndexSchema, TableSchema } from '../../../infra/data/schema-model';
import { TABLE_SCHEMAS } from '../../../infra/data/schemas';
import { loadSchemaDocsInput, renderSchemaDocs, type SchemaDocsInput } from '../../../scripts/docs/schema-docs';
import { cliCommand } from '../../../scripts/docs/request-snippets';

const DOCS_PATH = join(__dirname, '..', '..', '..', 'docs', 'database-schema.md');
const PATTERNS = TABLE_SCHEMAS.flatMap((schema: TableSchema) =>
  schema.accessPatterns.map((pattern: AccessPatternSchema) => ({ schema, pattern })),
);

let input: SchemaDocsInput;
let committed: string;
beforeAll(() => {
  input = loadSchemaDocsInput();
  committed = readFileSync(DOCS_PATH, 'utf8');
});

function withJobsIndex(name: string, change: (index: IndexSchema) => IndexSchema): TableSchema[] {
  return TABLE_SCHEMAS.map((schema) =>
    schema.name === 'Jobs' ? { ...schema, indexes: schema.indexes.map((index) => (index.name === name ? change(index) : index)) } : schema,
  );
}

/** The text under a pattern's `#### name` heading, up to the next heading of that level or higher. */
function patternSection(docs: string, name: string): string {
  const start = docs.indexOf(`#### \`${name}\`\n`);
  expect(start).toBeGreaterThanOrEqual(0);
  const rest = docs.slice(start + 1);
  const end = rest.search(/\n#{2,4} /);
  return end < 0 ? rest : rest.slice(0, end);
}

function fenced(section: string, language: string): string {
  const match = new RegExp('```' + language + '\\n([\\s\\S]*?)\\n```').exec(section);
  if (!match) throw new Error(`no ${language} block in:\n${section}`);
  return match[1]!;
}

/** Reads an `aws dynamodb` command back into the request it stands for. */
function parseCli(command: string): AccessRequest {
  const options: Record<string, string | true> = {};
  for (const [, flag, raw] of command.matchAll(/--([a-z-]+)(?: ('(?:[^']|'\\'')*'|[^\s\\']+))?/g)) {
    options[flag!] = raw === undefined ? true : raw.startsWith("'") ? raw.slice(1, -1).replace(/'\\''/g, "'") : raw;
  }
  const text = (flag: string) => options[flag] as string;
  const native = (json: string) =>
    Object.fromEntries(
      Object.entries(JSON.parse(json) as Record<string, { S?: string; N?: string }>).map(([key, value]) => [
        key,
        value.N !== undefined ? Number(value.N) : value.S!,
      ]),
    );
  if (command.startsWith('aws dynamodb get-item')) {
    return { operation: 'GetItem', input: { TableName: text('table-name'), Key: native(text('key')) } };
  }
  return {
    operation: 'Query',
    input: {
      TableName: text('table-name'),
      ...(options['index-name'] !== undefined && { IndexName: text('index-name') }),
      KeyConditionExpression: text('key-condition-expression'),
      ExpressionAttributeNames: JSON.parse(text('expression-attribute-names')),
      ExpressionAttributeValues: native(text('expression-attribute-values')),
      ScanIndexForward: options['scan-index-forward'] === true,
      ...(options.limit !== undefined && { Limit: Number(options.limit) }),
    },
  };
}

function exampleRequest(schema: TableSchema, name: string): AccessRequest {
  return buildAccessRequest(schema, name, `${schema.name}-dev`, ACCESS_EXAMPLES[name as keyof typeof ACCESS_EXAMPLES].params);
}

test('docs/database-schema.md is what `npm run docs` renders from the schema map now', () => {
  if (renderSchemaDocs(input) !== committed) throw new Error('docs/database-schema.md is stale: run `npm run docs`');
});

test('changing a GSI projection in the map changes the rendered docs', () => {
  const schemas = withJobsIndex('status-createdAt', (index) => ({ ...index, projection: { type: 'ALL', reason: 'Everything.' } }));
  const rendered = renderSchemaDocs({ ...input, schemas });
  expect(rendered).not.toBe(committed);
  expect(rendered).toContain('| `status` String (S) | `createdAt` String (S) | ALL | `jobsByStatus` |');
});

test('changing a TTL retention in the map changes the rendered docs', () => {
  const schemas = TABLE_SCHEMAS.map((schema) =>
    schema.name === 'ImportHistory' ? { ...schema, ttl: { ...schema.ttl, retentionDays: 400 } } : schema,
  );
  const rendered = renderSchemaDocs({ ...input, schemas });
  expect(rendered).not.toBe(committed);
  expect(rendered).toContain('Items expire **400 days** after `timestamp`');
});

test('the docs list the map\'s TTL retentions, projections and physical names per stage', () => {
  expect(committed).toContain('Items expire **90 days** after `createdAt`');
  expect(committed).toContain('Items expire **365 days** after `timestamp`');
  expect(committed).toContain(
    '| `shopDomain` String (S) | `createdAt` String (S) | INCLUDE `type`, `mode`, `status`, `isDryRun`, `totalProducts`, `processedProducts` | `jobsByShop` |',
  );
  expect(committed).toContain('| `status` String (S) | `createdAt` String (S) | KEYS_ONLY | `jobsByStatus` |');
  expect(committed).toContain('| `prod` | `Jobs-prod` | 35 days | on | KMS `alias/inavor-shuttle/prod/data` |');
  expect(committed).toContain('| `dev` | `Jobs-dev` | 7 days | off | KMS `alias/inavor-shuttle/dev/data` |');
  expect(committed).toContain('| `InavorShuttleData-prod-JobsTableArn` | ARN of the prod Jobs table |');
  expect(committed).toContain('| `InavorShuttleData-staging-DataKeyArn` | ARN of the KMS key encrypting the staging tables |');
});

test('the access patterns are the five the data layer serves', () => {
  expect(PATTERNS.map(({ pattern }) => pattern.name)).toEqual([
    'shopByDomain',
    'jobById',
    'jobsByShop',
    'jobsByStatus',
    'importHistoryByShop',
  ]);
});

describe.each(PATTERNS.map(({ schema, pattern }) => [pattern.name, schema, pattern] as const))(
  'access pattern %s',
  (name, schema, pattern) => {
    const target = pattern.index === undefined ? `${schema.name}_table` : `${schema.name}_${pattern.index.replace(/-/g, '_')}`;

    test('appears in the diagram, reading through its table or index', () => {
      const diagram = fenced(committed, 'mermaid');
      expect(diagram).toContain(`pattern_${name}(["${name}"])`);
      expect(diagram).toContain(`pattern_${name} -->|${pattern.operation}| ${target}`);
    });

    test('has an AWS CLI example that is exactly the request the integration tests run, sent to the local engine', () => {
      const command = fenced(patternSection(committed, name), 'sh');
      expect(command).toMatch(/ \\\n  --endpoint-url "\$AWS_ENDPOINT_URL_DYNAMODB"$/);
      expect(command).toMatch(pattern.operation === 'GetItem' ? /^aws dynamodb get-item / : /^aws dynamodb query /);
      expect(parseCli(command)).toEqual(exampleRequest(schema, name));
    });

    test('has a TypeScript example with @aws-sdk/lib-dynamodb sending exactly that request', () => {
      // The lib-dynamodb block is the last TypeScript block; the data-client one comes first.
      const section = patternSection(committed, name);
      const snippet = fenced(section.slice(section.lastIndexOf('```ts')), 'ts');
      const command = pattern.operation === 'GetItem' ? 'GetCommand' : 'QueryCommand';
      expect(snippet).toContain(`import { DynamoDBDocumentClient, ${command} } from '@aws-sdk/lib-dynamodb';`);
      const literal = new RegExp(`new ${command}\\((\\{[\\s\\S]*?\\n    \\})\\),`).exec(snippet)?.[1];
      expect(literal).toBeDefined();
      expect(new Function(`return (${literal});`)()).toEqual(exampleRequest(schema, name).input);
    });
  },
);

test('the jobsByShop example starts createdAt at the TTL horizon, 90 days before the examples\' now', () => {
  const command = fenced(patternSection(committed, 'jobsByShop'), 'sh');
  expect(command).toContain("--key-condition-expression '#pk = :pk AND #sk >= :from'");
  expect(command).toContain('":from": {"S": "2026-08-27T12:00:01.000Z"}');
  expect(command).toContain('--no-scan-index-forward');
  expect(command).toContain('--limit 20');
});

test('a CLI example quotes a value with a single quote so the shell passes it through intact', () => {
  const request: AccessRequest = { operation: 'GetItem', input: { TableName: 'Shops-dev', Key: { domain: "o'brien.myshopify.com" } } };
  const command = cliCommand(request);
  expect(command).toContain(`'{"domain": {"S": "o'\\''brien.myshopify.com"}}'`);
  expect(parseCli(command)).toEqual(request);
});

describe('who can read what', () => {
  /** The row of an attribute in a table's "who can read what" table, as cells. */
  function readers(docs: string, table: string, attribute: string): string[] {
    const section = docs.slice(docs.indexOf('## Who can read what'));
    const tableText = section.slice(section.indexOf(`### ${table}\n`));
    const row = tableText.split('\n').find((line) => line.startsWith(`| \`${attribute}\` |`));
    expect(row).toBeDefined();
    return row!.split(' | ').slice(1).map((cell) => cell.replace(/ \|$/, ''));
  }

  test('a sealed Shops attribute is ciphertext under read, readWrite and redaction, and plaintext with the token grant', () => {
    expect(readers(committed, 'Shops', 'accessToken')).toEqual(['**ciphertext**', '**ciphertext**', '**ciphertext**', 'plaintext']);
  });

  test('redaction reads only what the Jobs index it walks projects', () => {
    expect(readers(committed, 'Jobs', 'status')).toEqual(['plaintext', 'plaintext', 'plaintext']);
    expect(readers(committed, 'Jobs', 'errorMessage')).toEqual(['plaintext', 'plaintext', '—']);
  });

  test('ImportHistory offers append, not readWrite', () => {
    const section = committed.slice(committed.indexOf('## Who can read what'));
    expect(section.slice(section.indexOf('### ImportHistory\n'))).toContain('| attribute | `read` | `append` | redaction |');
  });

  test('follows the grant definitions: an index projecting errorMessage makes it readable to redaction', () => {
    const schemas = withJobsIndex('shopDomain-createdAt', (index) => ({ ...index, projection: { type: 'ALL', reason: 'Everything.' } }));
    expect(readers(renderSchemaDocs({ ...input, schemas }), 'Jobs', 'errorMessage')).toEqual(['plaintext', 'plaintext', 'plaintext']);
  });
});

describe('sealed tokens', () => {
  const sealedOf = (schema: TableSchema) => schema.attributes.filter((attribute) => attribute.sealed).map((attribute) => attribute.name);

  test('every attribute the map seals is marked sealed in its table\'s attribute list, and no other is', () => {
    const docs = renderSchemaDocs(input);
    const marked = [...docs.matchAll(/^\| `(\w+)` \|.*\| \*\*sealed\*\* \(stored as ciphertext\) \|$/gm)].map((match) => match[1]);
    expect(marked).toEqual(TABLE_SCHEMAS.flatMap(sealedOf));
  });

  test('the token lifecycle shows the exact conditions the token store sends, and the 2027-01-01 cut-off', () => {
    const docs = renderSchemaDocs(input);
    const start = docs.indexOf('### Sealed tokens and their lifecycle');
    const section = docs.slice(start, docs.indexOf('\n### ', start + 1));
    for (const condition of Object.values(TOKEN_CONDITIONS)) expect(section).toContain(`\`${condition}\``);
    expect(section.replace(/\s+/g, ' ')).toContain('a non-expiring offline token is stored until 2027-01-01, when Shopify stops accepting them for public apps');
    expect(section).toContain('about 60 minutes');
    expect(section).toContain('`table`, `shop`, `attribute`');
  });

  test('a table that seals nothing has no token section', () => {
    const unsealed = TABLE_SCHEMAS.map((schema) => ({
      ...schema,
      attributes: schema.attributes.map(({ sealed: _sealed, ...attribute }: AttributeSchema) => attribute),
    }));
    expect(renderSchemaDocs({ ...input, schemas: unsealed })).not.toContain('### Sealed tokens');
  });
});
