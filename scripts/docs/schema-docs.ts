// One file: it renders docs/database-schema.md top to bottom from one input; the parts with a subject of their own (capacity, tokens, diagram, request snippets) are apart already.
import { App, CfnDeletionPolicy, CfnOutput } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import { ACCESS_EXAMPLES, EXAMPLE_NOW, type AccessExample, type AccessPatternName } from '../../infra/policy/access-examples';
import { buildAccessRequest, importFinishedAt, patternKeys } from '../../infra/client';
import { addDataStacks } from '../../infra/cdk/data-app';
import { dataAccessGrant, levelsOf, redactionGrant, visibility, type TableGrant, type Visibility } from '../../infra/policy/table-access';
import type { AccessPatternSchema, AttributeSchema, KeyAttribute, TableSchema } from '../../infra/data/schema-model';
import { TABLE_SCHEMAS } from '../../infra/data/schemas';
import type { DataStack } from '../../infra/cdk/stacks/data-stack';
import { STAGES, STAGE_NAMES, physicalTableName, type StagePolicy } from '../../infra/data/stages';
import { CAPACITY_ASSUMPTIONS, type CapacityAssumptions } from '../../infra/models/capacity-assumptions';
import { capacitySection } from './capacity-docs';
import { code, codeBlock, markdownTable, paragraph } from '../shared/markdown';
import { LOCAL_ENDPOINT, cliCommand, clientSnippet, sdkSnippet, tsString } from './request-snippets';
import { schemaDiagram } from './schema-diagram';
import { tokenSection } from './token-docs';

/** What one stage's synthesized-to-be stack says about itself. */
export interface StackFacts {
  /** The stack's CloudFormation outputs, in declaration order. */
  readonly outputs: readonly { readonly exportName: string; readonly description: string }[];
  /** Alias of the stage's customer-managed KMS key. */
  readonly keyAlias: string;
  /** True when the key rotates yearly. */
  readonly keyRotation: boolean;
  /** True when the key outlives a delete of the stack. */
  readonly keyRetained: boolean;
}

/** Everything the schema reference is rendered from. */
export interface SchemaDocsInput {
  /** The schema map. */
  readonly schemas: readonly TableSchema[];
  /** The stages and their policies. */
  readonly stages: Readonly<Record<string, StagePolicy>>;
  /** Facts read from each stage's stack, by stage name. */
  readonly stacks: Readonly<Record<string, StackFacts>>;
  /** One example per access pattern, by pattern name. */
  readonly examples: Readonly<Record<string, AccessExample>>;
  /** The stage whose table names the examples use. */
  readonly exampleStage: string;
  /** The capacity model's assumptions. */
  readonly capacity: CapacityAssumptions;
}

/** The outputs and key alias a data stack declares, read from its construct tree. */
function stackFacts(stack: DataStack): StackFacts {
  const children = stack.node.findAll();
  const outputs = children
    .filter((child): child is CfnOutput => child instanceof CfnOutput)
    .map((output) => ({ exportName: output.exportName ?? '', description: output.description ?? '' }));
  const key = stack.encryptionKey.node.defaultChild as kms.CfnKey;
  return {
    outputs,
    keyAlias: stack.encryptionKey.aliasName,
    keyRotation: key.enableKeyRotation === true,
    keyRetained: key.cfnOptions.deletionPolicy === CfnDeletionPolicy.RETAIN,
  };
}

/** The real inputs: the schema map, the stages, and the stacks the app builds for them. */
export function loadSchemaDocsInput(): SchemaDocsInput {
  const stacks = addDataStacks(new App(), { nagReports: false });
  return {
    schemas: TABLE_SCHEMAS,
    stages: STAGES,
    stacks: Object.fromEntries(Object.entries(stacks).map(([stage, stack]) => [stage, stackFacts(stack)])),
    examples: ACCESS_EXAMPLES,
    // The first stage in promotion order: the one a reader can safely point the examples at.
    exampleStage: STAGE_NAMES[0]!,
    capacity: CAPACITY_ASSUMPTIONS,
  };
}

const TYPE_NAMES: Record<AttributeSchema['type'], string> = {
  S: 'String',
  N: 'Number',
  B: 'Binary',
  BOOL: 'Boolean',
  M: 'Map',
  L: 'List',
  SS: 'String set',
  NS: 'Number set',
};

function typeName(type: AttributeSchema['type']): string {
  return `${TYPE_NAMES[type]} (${type})`;
}

function keyText(key: KeyAttribute | undefined): string {
  return key ? `${code(key.name)} ${typeName(key.type)}` : '—';
}

function anchor(heading: string): string {
  return heading.toLowerCase().replace(/[^a-z0-9 -]/g, '').replace(/ /g, '-');
}

function stageNames(input: SchemaDocsInput): string[] {
  return Object.keys(input.stages);
}

function encryptionKeyText(facts: StackFacts | undefined): string {
  if (!facts) return '';
  const traits = [
    facts.keyRotation ? 'rotates yearly' : 'no rotation',
    facts.keyRetained ? 'retained on stack delete' : 'deleted with the stack',
  ];
  return `${code(facts.keyAlias)}: ${traits.join(', ')}`;
}

function backupText(backup: StagePolicy['backup']): string {
  if (backup.rules.length === 0) return 'none';
  const rules = backup.rules.map((rule) => `${rule.schedule}, kept ${rule.retentionDays} days`);
  const lock = backup.vaultLock;
  if (lock) {
    const mode = lock.changeableForDays === undefined ? 'governance' : `compliance after ${lock.changeableForDays} days`;
    rules.push(`vault locked ${lock.minRetentionDays}-${lock.maxRetentionDays} days (${mode})`);
  }
  if (backup.copy) rules.push(`copied to ${backup.copy.destinationVaultArn} for ${backup.copy.retentionDays} days`);
  return rules.join('; ');
}

function stagesSection(input: SchemaDocsInput): string {
  const rows = Object.entries(input.stages).map(([stage, policy]) => [
    code(stage),
    policy.region,
    `${policy.pitrRecoveryPeriodDays} days`,
    policy.protectData ? 'on' : 'off',
    policy.protectData ? 'retained' : 'deleted',
    encryptionKeyText(input.stacks[stage]),
    backupText(policy.backup),
  ]);
  return [
    '## Stages',
    '',
    paragraph([
      'Every table in every stage bills on demand, keeps point-in-time recovery (PITR) on, and is encrypted at',
      "rest with the stage's customer-managed KMS key.",
      "A table's physical name is its logical name and the stage, as listed under each table.",
    ]),
    '',
    markdownTable(
      ['stage', 'region', 'PITR recovery period', 'deletion protection', 'tables on stack delete', 'KMS key', 'AWS Backup'],
      rows,
    ),
  ].join('\n');
}

/** How a pattern keeps items past their TTL, which DynamoDB has not deleted yet, out of its results. */
function ttlExclusion(schema: TableSchema, pattern: AccessPatternSchema): string {
  const ttl = schema.ttl;
  if (!ttl) return 'no TTL';
  const { sortKey } = patternKeys(schema, pattern);
  if (pattern.operation === 'Query' && sortKey?.name === ttl.countedFrom) {
    return `key condition starts ${code(sortKey.name)} at now − ${ttl.retentionDays} days`;
  }
  return `the caller treats an item whose ${code(ttl.attribute)} is not after now as absent`;
}

function ttlSection(schema: TableSchema): string[] {
  const { ttl } = schema;
  if (!ttl) return ['### Time to live', '', 'None: items stay until the application deletes them.'];
  return [
    '### Time to live',
    '',
    paragraph([
      `Items expire **${ttl.retentionDays} days** after ${code(ttl.countedFrom)}: writers set ${code(ttl.attribute)}`,
      `(Number, epoch **seconds**) to ${code(ttl.countedFrom)} + ${ttl.retentionDays} days`,
      `(${code('expiresAt')} in ${code('infra/client/core/ttl.ts')}). DynamoDB deletes expired items in the background,`,
      'usually within a few days of expiry, so an expired item can still be read until then. Reads exclude them',
      'without paying for them:',
    ]),
    '',
    ...schema.accessPatterns.map((pattern) => `- ${code(pattern.name)}: ${ttlExclusion(schema, pattern)}.`),
  ];
}

function indexSection(schema: TableSchema): string[] {
  if (schema.indexes.length === 0) return ['### Indexes', '', paragraph([`None. ${schema.noIndexReason ?? ''}`])];
  return [
    '### Indexes',
    '',
    ...schema.indexes.flatMap((index, i) => {
      const { projection } = index;
      const projected =
        projection.type === 'INCLUDE' ? `INCLUDE ${projection.attributes.map(code).join(', ')}` : projection.type;
      const serves = schema.accessPatterns.filter((pattern) => pattern.index === index.name).map((pattern) => code(pattern.name));
      return [
        ...(i > 0 ? [''] : []),
        `#### ${code(index.name)}`,
        '',
        markdownTable(
          ['partition key', 'sort key', 'projection', 'serves'],
          [[keyText(index.partitionKey), keyText(index.sortKey), projected, serves.join(', ') || '—']],
        ),
        '',
        paragraph([`Why this projection: ${projection.reason}`]),
      ];
    }),
  ];
}

const date = (value: unknown) =>
  `new Date(${tsString(typeof value === 'number' ? importFinishedAt(value).toISOString() : String(value))})`;

/**
 * Each access pattern's example as a call of the data client. shopByDomain is served by the
 * Shops client, which has its own module; until it is plugged into the facade it has no call here.
 */
const CLIENT_CALLS: Readonly<Partial<Record<AccessPatternName, (params: AccessExample['params']) => string>>> = {
  jobById: (params) => `data.jobs.get(${tsString(String(params.partitionKey))})`,
  jobsByShop: (params) => `data.jobs.listByShop(${tsString(String(params.partitionKey))}, { limit: ${params.limit} })`,
  jobsByStatus: (params) =>
    `data.jobs.listByStatus(${tsString(String(params.partitionKey))}, { from: ${date(params.range?.from)}, to: ${date(params.range?.to)} })`,
  importHistoryByShop: (params) =>
    `data.importHistory.list(${tsString(String(params.partitionKey))}, { from: ${date(params.range?.from)}, to: ${date(params.range?.to)} })`,
};

/** The data-client form of a pattern's example, or where it will come from. */
function clientExample(pattern: AccessPatternSchema, example: AccessExample): string[] {
  const call = CLIENT_CALLS[pattern.name as AccessPatternName];
  if (!call) return [paragraph(['Through the data client: the Shops client (`data.shops`) answers it.']), ''];
  return ['TypeScript (the data client):', '', codeBlock('ts', clientSnippet(call(example.params))), ''];
}

function exampleSection(input: SchemaDocsInput, schema: TableSchema, pattern: AccessPatternSchema): string[] {
  const example = input.examples[pattern.name];
  if (!example) throw new Error(`No example for access pattern ${pattern.name}.`);
  const request = buildAccessRequest(schema, pattern.name, physicalTableName(schema.name, input.exampleStage), example.params);
  const region = input.stages[input.exampleStage]?.region ?? '';
  const via = pattern.index === undefined ? 'the table\'s primary key' : `index ${code(pattern.index)}`;
  return [
    `#### ${code(pattern.name)}`,
    '',
    paragraph([`${pattern.description} ${pattern.operation} through ${via}.`]),
    '',
    ...clientExample(pattern, example),
    `AWS CLI (against the local engine, with the variables ${code('npm run local -- --keep')} prints; leave out ${code(`--endpoint-url`)} for the deployed ${code(input.exampleStage)} stage):`,
    '',
    codeBlock('sh', cliCommand(request, LOCAL_ENDPOINT)),
    '',
    'TypeScript (`@aws-sdk/lib-dynamodb`):',
    '',
    codeBlock('ts', sdkSnippet(request, region)),
    '',
  ];
}

function tableSection(input: SchemaDocsInput, schema: TableSchema): string {
  const attributeRows = schema.attributes.map((attribute) => [
    code(attribute.name),
    typeName(attribute.type),
    attribute.description,
    attribute.sealed ? '**sealed** (stored as ciphertext)' : attribute.sensitive ? '**sensitive**' : '',
  ]);
  const keyRows = [['partition key', keyText(schema.partitionKey)], ...(schema.sortKey ? [['sort key', keyText(schema.sortKey)]] : [])];
  const stageRows = stageNames(input).map((stage) => {
    const policy = input.stages[stage]!;
    return [
      code(stage),
      code(physicalTableName(schema.name, stage)),
      `${policy.pitrRecoveryPeriodDays} days`,
      policy.protectData ? 'on' : 'off',
      `KMS ${code(input.stacks[stage]?.keyAlias ?? '')}`,
    ];
  });
  return [
    `## ${schema.name}`,
    '',
    paragraph([schema.purpose]),
    '',
    markdownTable(['key', 'attribute'], keyRows),
    '',
    '### Attributes',
    '',
    markdownTable(['attribute', 'type', 'meaning', 'sensitivity'], attributeRows),
    '',
    ...tokenSection(schema),
    ...indexSection(schema),
    '',
    ...ttlSection(schema),
    '',
    '### Per stage',
    '',
    markdownTable(['stage', 'physical name', 'PITR recovery period', 'deletion protection', 'encryption'], stageRows),
    '',
    ...(schema.writerRules?.length
      ? ['### Writer rules', '', ...schema.writerRules.map((rule, i) => paragraph([`${i + 1}. ${rule}`], '   ')), '']
      : []),
    '### Access patterns and example queries',
    '',
    paragraph([
      `The examples use the ${code(input.exampleStage)} stage and take ${code(EXAMPLE_NOW.toISOString())} as now,`,
      'which sets the TTL bound of a key condition; the integration tests run the same requests.',
    ]),
    '',
    ...schema.accessPatterns.flatMap((pattern) => exampleSection(input, schema, pattern)),
  ]
    .join('\n')
    .trimEnd();
}

const VISIBILITY_TEXT: Record<Visibility, string> = { plaintext: 'plaintext', ciphertext: '**ciphertext**', none: '—' };

/**
 * Each grant a role can be given on a table against each attribute of it, computed from the same
 * grant definitions `DataStack` turns into IAM statements.
 */
function readersSection(input: SchemaDocsInput): string {
  const redaction = redactionGrant(input.schemas);
  const tables = input.schemas.flatMap((schema) => {
    const columns: { header: string; grant: TableGrant; tokens: boolean }[] = [
      ...levelsOf(schema).map((level) => ({ header: code(level), grant: dataAccessGrant({ [schema.name]: level }, input.schemas), tokens: false })),
      ...(schema.redaction ? [{ header: 'redaction', grant: redaction, tokens: false }] : []),
      ...(schema.attributes.some((attribute) => attribute.sealed)
        ? [{ header: `${code('read')} + token ${code('decrypt')}`, grant: dataAccessGrant({ [schema.name]: 'read' }, input.schemas), tokens: true }]
        : []),
    ];
    const rows = schema.attributes.map((attribute) => [
      code(attribute.name),
      ...columns.map(({ grant, tokens }) => VISIBILITY_TEXT[visibility(grant, schema, attribute, tokens)]),
    ]);
    return [`### ${schema.name}`, '', markdownTable(['attribute', ...columns.map((column) => column.header)], rows), ''];
  });
  return [
    '## Who can read what',
    '',
    paragraph([
      'What a role reads of each attribute under each grant of `DataStack`: the level a table is given with',
      "`grantDataAccess(role, { Jobs: 'readWrite', ImportHistory: 'append' })` (append-only tables take",
      '`append` instead of `readWrite`), `grantRedaction(role)` for deleting a shop\'s data, and',
      "`grantTokenAccess(role, 'decrypt')` on top of a read. Sealed attributes are ciphertext to every role",
      'without the token grant, administrators included: the token key\'s policy refuses decryption to every',
      'principal it does not name, whatever IAM allows (the roles it names, and the break-glass role, are in',
      '[security](security.md#who-can-read-a-token)). A redaction role reads what its walk returns: the items it deletes by key',
      '(DeleteItem returns the old item) and what its Query reads; a Query of an index returns only what the',
      'index projects. Computed from the grant definitions in `infra/policy/table-access.ts`.',
    ]),
    '',
    ...tables,
  ]
    .join('\n')
    .trimEnd();
}

function outputsSection(input: SchemaDocsInput): string {
  return [
    '## CloudFormation outputs',
    '',
    'Each stage\'s stack exports these names; other stacks read them with `Fn.importValue`.',
    '',
    ...stageNames(input).flatMap((stage) => [
      `### ${code(stage)}`,
      '',
      markdownTable(
        ['export name', 'value'],
        (input.stacks[stage]?.outputs ?? []).map((output) => [code(output.exportName), output.description]),
      ),
      '',
    ]),
  ]
    .join('\n')
    .trimEnd();
}

/** The whole `docs/database-schema.md`, deterministic for a given input. */
export function renderSchemaDocs(input: SchemaDocsInput): string {
  const sections = ['Overview', 'Stages', ...input.schemas.map((schema) => schema.name), 'Who can read what', 'Capacity model', 'CloudFormation outputs'];
  return [
    '# Database schema',
    '',
    '<!-- Generated by `npm run docs` from infra/data/schemas.ts, infra/data/stages.ts and infra/models/capacity-assumptions.ts; do not edit by hand. -->',
    '',
    paragraph([
      'The DynamoDB tables of the Inavor Shuttle data layer. This file is generated from the schema map',
      '(`infra/data/schemas.ts`), the stage config (`infra/data/stages.ts`) and the capacity assumptions',
      '(`infra/models/capacity-assumptions.ts`) by `npm run docs`; `npm test` fails when it',
      'is out of date. Shopify sessions are not stored here: see [decision 0001](decisions/0001-sessions-prisma-keeps-their-fields-the-shops-table.md).',
    ]),
    '',
    ...sections.map((section) => `- [${section}](#${anchor(section)})`),
    '',
    '## Overview',
    '',
    'Tables with their keys and indexes, and the access pattern that reads through each.',
    '',
    codeBlock('mermaid', schemaDiagram(input.schemas)),
    '',
    stagesSection(input),
    '',
    ...input.schemas.flatMap((schema) => [tableSection(input, schema), '']),
    readersSection(input),
    '',
    capacitySection(input.schemas, input.capacity),
    '',
    outputsSection(input),
    '',
  ].join('\n');
}
