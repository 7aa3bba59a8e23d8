import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { REPO, importClosure, importsOf, sourceFiles } from './support/source-imports';

/** The rooms of docs/architecture.md, checked here against the imports the code makes. */
const CDK_PACKAGES = /^(?:aws-cdk-lib|constructs|cdk-nag|@cdklabs\/[^/]+)(?:\/|$)/;
const COMMANDS = readdirSync(join(REPO, 'scripts'), { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && !['shared', 'types'].includes(entry.name))
  .map((entry) => entry.name)
  .sort();
/** A command that runs another command's work imports that command's folder; every such tie is named here. */
const COMMAND_TIES = ['local -> verify', 'rehearse -> local', 'rehearse -> restore', 'rehearse -> verify', 'restore -> verify'];

const commandOf = (file: string) => /^scripts\/([^/]+)\//.exec(file)?.[1];

describe('the runtime client stays free of the CDK', () => {
  const reached = [...importClosure(sourceFiles('infra/client'))];

  test('nothing the client imports, itself or through another file of this tree, is aws-cdk-lib, constructs, cdk-nag or @cdklabs', () => {
    const offending = reached.flatMap((file) =>
      importsOf(file)
        .filter(({ specifier }) => CDK_PACKAGES.test(specifier))
        .map(({ specifier }) => `${file} imports ${specifier}`),
    );
    expect(offending).toEqual([]);
  });

  test('outside infra/client, the client reaches only the schema map, its vocabulary and the stage config', () => {
    const allowed = ['infra/data/schema-model.ts', 'infra/data/schemas.ts', 'infra/data/stages.ts'];
    expect(reached.filter((file) => !file.startsWith('infra/client/') && !allowed.includes(file))).toEqual([]);
  });
});

describe('the data and the models', () => {
  const DATA = ['infra/data/schema-model.ts', 'infra/data/schemas.ts', 'infra/data/stages.ts'];

  test('the schema map, its vocabulary and the stage config import only each other', () => {
    const outside = DATA.flatMap((file) => importsOf(file).filter((target) => !DATA.includes(target.file ?? '')).map(({ specifier }) => `${file} imports ${specifier}`));
    expect(outside).toEqual([]);
  });

  test('nothing the models import, themselves or through another file of this tree, is of the CDK', () => {
    const offending = [...importClosure(sourceFiles('infra/models'))].flatMap((file) =>
      importsOf(file)
        .filter(({ specifier }) => CDK_PACKAGES.test(specifier))
        .map(({ specifier }) => `${file} imports ${specifier}`),
    );
    expect(offending).toEqual([]);
  });
});

describe('the commands under scripts/', () => {
  test('every command folder has its entry, main.ts (main.mts for the gate, which Node runs as it is)', () => {
    const withoutEntry = COMMANDS.filter((command) => !sourceFiles(`scripts/${command}`).includes(`scripts/${command}/main.${command === 'test-gate' ? 'mts' : 'ts'}`));
    expect(withoutEntry).toEqual([]);
    expect(COMMANDS.length).toBeGreaterThan(1);
  });

  test('each file under scripts/shared/ is used by at least two commands', () => {
    const users = new Map<string, Set<string>>(sourceFiles('scripts/shared').map((file) => [file, new Set()]));
    for (const command of COMMANDS) {
      for (const file of importClosure(sourceFiles(`scripts/${command}`))) users.get(file)?.add(command);
    }
    const single = [...users].filter(([, commands]) => commands.size < 2).map(([file, commands]) => `${file}: ${[...commands].join(', ') || 'no command'}`);
    expect(single).toEqual([]);
  });

  test('shared code imports no command, and infra/ imports nothing of scripts/', () => {
    const upward = [
      ...sourceFiles('scripts/shared').flatMap((file) => importsOf(file).map((target) => [file, target.file] as const).filter(([, target]) => target?.startsWith('scripts/') && !target.startsWith('scripts/shared/'))),
      ...sourceFiles('infra').flatMap((file) => importsOf(file).map((target) => [file, target.file] as const).filter(([, target]) => target?.startsWith('scripts/'))),
    ].map(([file, target]) => `${file} imports ${target}`);
    expect(upward).toEqual([]);
  });

  test("a command imports another command's folder only where it runs that command's work", () => {
    const ties = new Set<string>();
    for (const command of COMMANDS) {
      for (const file of sourceFiles(`scripts/${command}`)) {
        for (const target of importsOf(file)) {
          const other = target.file === undefined ? undefined : commandOf(target.file);
          if (other !== undefined && other !== command && other !== 'shared') ties.add(`${command} -> ${other}`);
        }
      }
    }
    expect([...ties].sort()).toEqual(COMMAND_TIES);
  });
});

describe('files a reader can take in', () => {
  // "About 300 lines": a file a little over it is not worth a split; one well past it says why it is one.
  const LONG = 330;

  test('a source or test file over about 300 lines says at its top why it is one file', () => {
    const long = ['infra', 'scripts', 'test']
      .flatMap(sourceFiles)
      .filter((file) => !file.startsWith('test/fixtures/'))
      .filter((file) => readFileSync(join(REPO, file), 'utf8').split('\n').length > LONG)
      .filter((file) => !readFileSync(join(REPO, file), 'utf8').startsWith('// One file: '));
    expect(long).toEqual([]);
  });
});

describe('code the commands run as ES modules', () => {
  // Comments and string literals, left out of what is searched (a child process's script is a string).
  const COMMENTS_AND_STRINGS = /\/\/[^\n]*|\/\*[\s\S]*?\*\/|'(?:\\.|[^'\\\n])*'|"(?:\\.|[^"\\\n])*"|`(?:\\.|[^`\\])*`/g;

  test('infra/ and scripts/ use no name only CommonJS has: __dirname, __filename, module.exports, require but one made by createRequire', () => {
    // Jest runs these files as CommonJS, so such a name passes the tests and the type-check, and
    // fails the command that reaches it (docs/decisions/0093-commands-on-nodes-own-typescript-support.md).
    const found = ['infra', 'scripts'].flatMap(sourceFiles).filter((file) => {
      const code = readFileSync(join(REPO, file), 'utf8').replace(COMMENTS_AND_STRINGS, '""');
      const ownRequire = /\bconst require = createRequire\(/.test(code);
      return /\b__dirname\b|\b__filename\b|\bmodule\.exports\b/.test(code) || (!ownRequire && /(?<![.\w])require\s*[.(]/.test(code));
    });
    expect(found).toEqual([]);
  });
});
