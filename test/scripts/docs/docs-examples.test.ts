import { randomBytes } from 'node:crypto';
import { LOCAL_WRAPPING_KEY_ENV, rawAesKeyring, tableEnvironmentVariable, TokenCrypto } from '../../../infra/client';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { format } from 'node:util';
import { ModuleKind, ScriptTarget, transpileModule } from 'typescript';
import { EXAMPLE_NOW } from '../../../infra/policy/access-examples';
import { LOCAL_CREDENTIALS } from '../../../scripts/shared/clients';
import { seedDemoData } from '../../../scripts/local/demo-data';
import { CLIENT_MODULE } from '../../../scripts/docs/request-snippets';
import { TABLE_SCHEMAS } from '../../../infra/data/schemas';
import { startLocalTables, type LocalTables } from '../../support/local-tables';

const DOCS = readFileSync(join(__dirname, '..', '..', '..', 'docs', 'database-schema.md'), 'utf8');

/** Every TypeScript example under each pattern heading, in order. */
const EXAMPLES = DOCS.split(/\n(?=#{2,4} )/).flatMap((section) => {
  const pattern = /^#### `(\w+)`\n/.exec(section)?.[1];
  if (!pattern) return [];
  return [...section.matchAll(/```ts\n([\s\S]*?)\n```/g)].map(([, source]) => ({ pattern, source: source! }));
});

let local: LocalTables;
const saved = { ...process.env };

beforeAll(async () => {
  local = await startLocalTables();
  const wrappingKey = randomBytes(32);
  await seedDemoData(local.doc, 'dev', new TokenCrypto(rawAesKeyring(wrappingKey)));
  // What `npm run local -- --keep` tells the app to export.
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_DYNAMODB: local.engine.endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    [LOCAL_WRAPPING_KEY_ENV]: wrappingKey.toString('base64'),
    ...Object.fromEntries(TABLE_SCHEMAS.map(({ name }) => [tableEnvironmentVariable(name), local.tables[name]])),
  });
  // The examples read as of the docs' "now"; only Date is faked, timers stay real.
  jest.useFakeTimers({ now: EXAMPLE_NOW, doNotFake: ['nextTick', 'setImmediate', 'clearImmediate', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'queueMicrotask', 'hrtime', 'performance'] });
});

afterAll(async () => {
  jest.useRealTimers();
  process.env = saved;
  await local.close();
});

/** Compiles an example to CommonJS as written and runs it; resolves to what it printed, rejects with what it reported. */
function run(source: string): Promise<unknown> {
  const { outputText } = transpileModule(source, { compilerOptions: { module: ModuleKind.CommonJS, target: ScriptTarget.ES2022, esModuleInterop: true } });
  return new Promise((resolve, reject) => {
    const shownConsole = { log: resolve, error: reject };
    // The package's own name resolves to its client, as it does for the app.
    const load = (name: string) => (name === CLIENT_MODULE ? require('../../../infra/client') : require(name));
    new Function('require', 'console', 'process', 'exports', outputText)(load, shownConsole, process, {});
  });
}

test('the docs have a data-client and a lib-dynamodb example for every access pattern the client answers', () => {
  const patterns = TABLE_SCHEMAS.flatMap((schema) => schema.accessPatterns.map((pattern) => pattern.name));
  for (const pattern of patterns) expect(EXAMPLES.filter((example) => example.pattern === pattern).length).toBeGreaterThanOrEqual(1);
  expect(EXAMPLES.filter(({ source }) => source.includes(CLIENT_MODULE)).length).toBeGreaterThanOrEqual(patterns.length - 1);
  expect(EXAMPLES.every(({ source }) => !/^\s*(const .*= )?await /m.test(source.split('async function main')[0]!))).toBe(true);
});

test.each(EXAMPLES.map(({ pattern, source }) => [pattern, source.includes(CLIENT_MODULE) ? 'data client' : 'lib-dynamodb', source]))(
  '%s (%s) runs as written against the local engine and reads the demo data',
  async (pattern, _form, source) => {
    const printed = await run(source);
    const items = printed && typeof printed === 'object' && 'items' in printed ? (printed as { items: unknown[] }).items : printed;
    expect(Array.isArray(items) ? items.length : items).toBeTruthy();
    // Both forms of one pattern print the same items.
    const twin = EXAMPLES.find((example) => example.pattern === pattern && example.source !== source);
    if (twin) {
      const other = await run(twin.source);
      const otherItems = other && typeof other === 'object' && 'items' in other ? (other as { items: unknown[] }).items : other;
      expect(items).toEqual(otherItems);
    }
  },
);

/** A TypeScript block of README.md or docs/*.md, where it stands, and the declarations a fragment is checked with. */
interface DocBlock {
  /** Repository-relative Markdown file. */
  readonly file: string;
  /** 1-based, in the file's order of TypeScript blocks. */
  readonly block: number;
  /** Line of the opening fence in the file. */
  readonly line: number;
  readonly source: string;
  /**
   * Set when the line above the fence is `<!-- fragment: <declarations> -->`: the block is not a
   * whole program, is not run, and is type-checked after the declarations it assumes.
   */
  readonly fragment?: string;
}

const ROOT = join(__dirname, '..', '..', '..');
/** The package's Shopify entry, as the app imports it. */
const SHOPIFY_MODULE = `${CLIENT_MODULE.split('/')[0]}/shopify`;
const FRAGMENT = /^<!-- fragment(?:: (.*))? -->$/;
const DOC_BLOCKS: DocBlock[] = ['README.md', ...readdirSync(join(ROOT, 'docs')).filter((name) => name.endsWith('.md')).map((name) => `docs/${name}`)]
  .sort()
  .flatMap((file) => {
    const lines = readFileSync(join(ROOT, file), 'utf8').split('\n');
    const blocks: DocBlock[] = [];
    lines.forEach((text, index) => {
      if (!/^```(ts|typescript)\s*$/.test(text)) return;
      const end = lines.findIndex((closing, at) => at > index && closing.trimEnd() === '```');
      const fragment = FRAGMENT.exec(lines[index - 1] ?? '')?.[1];
      blocks.push({ file, block: blocks.length + 1, line: index + 1, source: lines.slice(index + 1, end).join('\n'), ...(fragment !== undefined && { fragment }) });
    });
    return blocks;
  });
const where = ({ file, block, line }: DocBlock) => `${file} block ${block} (line ${line})`;

/**
 * Type-checks every block at once with TypeScript 7's tsc under the project's strict settings, each as its own
 * module: the package's client export resolves to infra/client, `inavor-shuttle-data-infra/infra/*`
 * (for fragments about the stacks) to infra/. Resolves to each block's errors as `file:line:column message`.
 */
async function typeCheckBlocks(blocks: readonly DocBlock[]): Promise<Map<DocBlock, string[]>> {
  const dir = mkdtempSync(join(tmpdir(), 'doc-blocks-'));
  try {
    symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
    // The fragment's declarations share the block's first line, so block line n is file line n.
    const files = blocks.map((block, index) => {
      const name = `block-${index}.ts`;
      writeFileSync(join(dir, name), `${block.fragment ?? ''}\n${block.source}\nexport {};\n`);
      return name;
    });
    const tsconfig = {
      extends: join(ROOT, 'tsconfig.json'),
      compilerOptions: {
        module: 'preserve',
        moduleResolution: 'bundler',
        types: ['node'],
        paths: {
          [CLIENT_MODULE]: [join(ROOT, 'infra', 'client', 'index.ts')],
          [SHOPIFY_MODULE]: [join(ROOT, 'infra', 'client', 'shopify', 'index.ts')],
          [`${CLIENT_MODULE.split('/')[0]}/infra/*`]: [join(ROOT, 'infra', '*')],
          // As in the gate's check: aws-cdk-lib's root read as its core.
          'aws-cdk-lib': [join(ROOT, 'node_modules', 'aws-cdk-lib', 'core', 'index.d.ts')],
        },
      },
      include: [],
      files,
    };
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify(tsconfig));
    const output = await new Promise<string>((resolve) =>
      // Go's collector held off, as in the gate's own check (scripts/test-gate/main.mts).
      execFile(
        process.execPath,
        [join(ROOT, 'node_modules', 'typescript-native', 'bin', 'tsc'), '-p', join(dir, 'tsconfig.json'), '--pretty', 'false'],
        { env: { ...process.env, GOGC: 'off', GOMEMLIMIT: '1GiB' } },
        (_error, stdout, stderr) => resolve(`${stdout}${stderr}`),
      ),
    );
    const errors = new Map(blocks.map((block) => [block, [] as string[]]));
    for (const text of output.split('\n')) {
      const found = /(?:^|\/)block-(\d+)\.ts\((\d+),(\d+)\): (.*)$/.exec(text);
      if (!found) {
        // An error tsc could not place (a bad option, a crash) is every block's.
        if (/error/i.test(text)) for (const list of errors.values()) list.push(text);
        continue;
      }
      const block = blocks[Number(found[1])]!;
      const line = Number(found[2]);
      errors.get(block)!.push(`${block.file}:${line === 1 ? `${block.line - 1} (the fragment's declarations)` : block.line + line - 1}:${found[3]} ${found[4]}`);
    }
    return errors;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The call that starts a whole program; the runner awaits what it returns. */
const MAIN_CALL = 'main().catch(';

/** Runs a whole-program block to its end; rejects with what it reported, naming the block. */
async function runBlock(block: DocBlock): Promise<string[]> {
  const { outputText } = transpileModule(block.source, { compilerOptions: { module: ModuleKind.CommonJS, target: ScriptTarget.ES2022, esModuleInterop: true } });
  const printed: string[] = [];
  const reported: unknown[] = [];
  const shownConsole = { log: (...values: unknown[]) => printed.push(format(...values)), error: (value: unknown) => reported.push(value) };
  // exitCode is the block's own: a failing example must not fail the test run by the back door.
  const shownProcess = Object.create(process, { exitCode: { value: undefined, writable: true } }) as NodeJS.Process;
  const exported: { done?: Promise<unknown> } = {};
  const load = (name: string) => (name === CLIENT_MODULE ? require('../../../infra/client') : name === SHOPIFY_MODULE ? require('../../../infra/client/shopify') : require(name));
  new Function('require', 'console', 'process', 'exports', outputText.replace(MAIN_CALL, `exports.done = ${MAIN_CALL}`))(load, shownConsole, shownProcess, exported);
  await exported.done;
  if (reported.length > 0 || shownProcess.exitCode) throw new Error(`${where(block)} failed: ${reported.map((value) => (value instanceof Error ? `${value.name}: ${value.message}` : String(value))).join('; ')}`);
  return printed;
}

describe('every TypeScript block of README.md and docs/', () => {
  let errors: Map<DocBlock, string[]>;
  beforeAll(async () => {
    // The guide's programs run at the real time, as the app would run them; each writes its own shop.
    jest.useRealTimers();
    errors = await typeCheckBlocks(DOC_BLOCKS);
  });

  test('there are blocks to check, and the data client guide has one per section that has calls', () => {
    expect(DOC_BLOCKS.filter(({ file }) => file === 'docs/client.md').length).toBeGreaterThanOrEqual(7);
  });

  test.each(DOC_BLOCKS.map((block) => [where(block), block] as const))('%s type-checks under the strict settings', (_name, block) => {
    expect(errors.get(block)).toEqual([]);
  });

  // The schema reference's blocks run above, pattern by pattern, against the demo data.
  const runnable = DOC_BLOCKS.filter((block) => block.fragment === undefined && block.file !== 'docs/database-schema.md');
  test.each(runnable.map((block) => [where(block), block] as const))('%s is a whole program that runs against the local engine', async (_name, block) => {
    expect(block.source.split(MAIN_CALL)).toHaveLength(2);
    expect((await runBlock(block)).length).toBeGreaterThan(0);
  });
});

describe('the data client guide (docs/client.md)', () => {
  const guide = readFileSync(join(ROOT, 'docs', 'client.md'), 'utf8');
  // TypeScript-private methods, and those marked @internal (for the client's own classes), are on
  // the prototypes at run time too: they are left out by name.
  const privateNames = new Set(
    readdirSync(join(ROOT, 'infra', 'client'), { recursive: true, encoding: 'utf8' })
      .filter((file) => file.endsWith('.ts'))
      .flatMap((file) => {
        const source = readFileSync(join(ROOT, 'infra', 'client', file), 'utf8');
        return [
          ...[...source.matchAll(/^\s+private (?:async )?(\w+)[<(]/gm)].map(([, name]) => name!),
          ...[...source.matchAll(/@internal[^\n]*\n(?:\s+\*[^\n]*\n)*?\s+(?:\*\/\s+)?(?:async )?(\w+)[<(]/g)].map(([, name]) => name!),
        ];
      }),
  );

  test('names every value the package exports', () => {
    const client = require('../../../infra/client') as Record<string, unknown>;
    expect(Object.keys(client).filter((name) => !new RegExp(`\\b${name}\\b`).test(guide))).toEqual([]);
  });

  test.each([
    ['JobsClient', 'jobs'],
    ['ImportHistoryClient', 'importHistory'],
    ['ShopsClient', 'shops'],
    ['TokenStore', 'tokens'],
    ['TokenCrypto', 'tokenCrypto'],
  ])('names every public method of %s, as %s.<method>', (className, prefix) => {
    const prototype = (require('../../../infra/client') as Record<string, { prototype: object }>)[className]!.prototype;
    const methods = Object.getOwnPropertyNames(prototype).filter((name) => name !== 'constructor' && !privateNames.has(name));
    expect(methods.length).toBeGreaterThan(0);
    expect(methods.filter((name) => !guide.includes(`${prefix}.${name}`))).toEqual([]);
  });

  test("every error the package exports names, as its help, a section of the guide that says what to do", () => {
    const client = require('../../../infra/client') as Record<string, unknown>;
    // GitHub's anchor of a heading: lower case, spaces as hyphens, other punctuation dropped.
    const anchors = new Set([...guide.matchAll(/^#{2,4} (.+)$/gm)].map(([, title]) => title!.toLowerCase().replace(/[^\w\s-]/g, '').replace(/\s/g, '-')));
    const errors = Object.entries(client).filter(([, value]) => typeof value === 'function' && value.prototype instanceof Error);
    expect(errors.map(([name]) => name)).toEqual(expect.arrayContaining(['DataClientError', 'ConflictError', 'InvalidInputError', 'SealError', 'ClientConfigError']));
    const helps = errors.map(([name, value]) => {
      const ErrorClass = value as new (context: object, ...rest: unknown[]) => { help: string };
      const help = new ErrorClass({ table: 'Jobs-dev', operation: 'docs.check', key: {} }, 'reason', 'reason').help;
      return [name, help, help.startsWith('docs/client.md#') && anchors.has(help.slice('docs/client.md#'.length))] as const;
    });
    expect(helps.filter(([, , found]) => !found)).toEqual([]);
    // Each public error has a section of its own; DataClientError's is the one of every other failure.
    const own = helps.filter(([name]) => name !== 'DataClientError').map(([, help]) => help);
    expect(new Set(own).size).toBe(own.length);
  });
});
