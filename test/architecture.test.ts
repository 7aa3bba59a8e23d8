import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { REPO, importClosure, importsOf, sourceFiles } from './support/source-imports';

/**
 * The rooms of docs/architecture.md, lowest first: a file imports its own room and the rooms of a
 * lower level, never one above it or beside it.
 */
const ROOMS = [
  { room: 'infra/data', level: 0, cdkFree: true },
  { room: 'infra/client', level: 1, cdkFree: true },
  { room: 'infra/policy', level: 2, cdkFree: true },
  { room: 'infra/validation', level: 3, cdkFree: true },
  { room: 'infra/models', level: 3, cdkFree: true },
  { room: 'infra/cdk', level: 4, cdkFree: false },
  { room: 'scripts/shared', level: 5, cdkFree: false },
] as const;
/** Every command folder is a room of the top level. */
const COMMAND_LEVEL = 6;
const CDK_PACKAGES = /^(?:aws-cdk-lib|constructs|cdk-nag|@cdklabs\/[^/]+)(?:\/|$)/;
const NOT_COMMANDS = ['shared', 'types'];
const COMMANDS = readdirSync(join(REPO, 'scripts'), { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && !NOT_COMMANDS.includes(entry.name))
  .map((entry) => entry.name)
  .sort();
/** A command that runs another command's work imports that command's folder; every such tie is named here. */
const COMMAND_TIES = ['local -> verify', 'rehearse -> local', 'rehearse -> restore', 'rehearse -> verify', 'restore -> verify'];
/** The client's entries: the only files of infra/client/ that code outside it imports. */
const CLIENT_ENTRIES = ['infra/client/index.ts', 'infra/client/shopify/index.ts'];

const SOURCES = ['infra', 'scripts'].flatMap(sourceFiles);
const ALL = [...SOURCES, ...sourceFiles('test')];
const commandOf = (file: string) => /^scripts\/([^/]+)\//.exec(file)?.[1];

/** The room of a file under infra/ or scripts/: its folder of the picture, or its command's. */
function roomOf(file: string): { readonly room: string; readonly level: number } | undefined {
  const known = ROOMS.find(({ room }) => file.startsWith(`${room}/`));
  if (known) return known;
  const command = commandOf(file);
  return command !== undefined && COMMANDS.includes(command) ? { room: `scripts/${command}`, level: COMMAND_LEVEL } : undefined;
}

/** Every import of `files` that names a file of this tree, as [importer, imported]. */
function edges(files: readonly string[]): Array<readonly [string, string]> {
  return files.flatMap((file) => importsOf(file).flatMap((target) => (target.file === undefined ? [] : [[file, target.file] as const])));
}

describe('the folders are the rooms', () => {
  test('every file of infra/ and scripts/ is in a room: infra/ holds only the rooms\' folders', () => {
    expect(SOURCES.filter((file) => roomOf(file) === undefined)).toEqual([]);
  });

  test('docs/architecture.md lists every folder of infra/ and scripts/ with one line, and no folder that is not there', () => {
    const doc = readFileSync(join(REPO, 'docs', 'architecture.md'), 'utf8');
    const listed = [...doc.matchAll(/^\| `((?:infra|scripts)\/[^`]*)\/` \|/gm)].map(([, folder]) => folder!);
    const folders = ['infra', 'scripts'].flatMap((top) =>
      readdirSync(join(REPO, top), { recursive: true, withFileTypes: true })
        .filter((entry) => entry.isDirectory())
        .map((entry) => join(entry.parentPath, entry.name).slice(REPO.length + 1).split('\\').join('/')),
    );
    expect([...listed].sort()).toEqual([...new Set(folders)].sort());
    expect(new Set(listed).size).toBe(listed.length);
  });
});

describe('the import graph', () => {
  test('no import runs up to a higher room, or sideways to another room of the same level', () => {
    const wrong = edges(SOURCES)
      .filter(([from, to]) => {
        const a = roomOf(from);
        const b = roomOf(to);
        if (!a || !b || a.room === b.room) return false;
        if (a.level === COMMAND_LEVEL && b.level === COMMAND_LEVEL) return false; // the command ties below
        return b.level >= a.level;
      })
      .map(([from, to]) => `${from} imports ${to}`);
    expect(wrong).toEqual([]);
  });

  test('no file reaches itself through its imports (infra/, scripts/ and test/)', () => {
    const graph = new Map<string, string[]>(ALL.map((file) => [file, []]));
    for (const [from, to] of edges(ALL)) graph.get(from)?.push(to);
    const circles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const path: string[] = [];
    const visit = (file: string) => {
      state.set(file, 'open');
      path.push(file);
      for (const next of graph.get(file) ?? []) {
        if (state.get(next) === 'open') circles.push([...path.slice(path.indexOf(next)), next].join(' -> '));
        else if (!state.has(next)) visit(next);
      }
      path.pop();
      state.set(file, 'done');
    };
    for (const file of graph.keys()) if (!state.has(file)) visit(file);
    expect(circles).toEqual([]);
  });

  test("a command imports another command's folder only where it runs that command's work", () => {
    const ties = new Set(
      edges(COMMANDS.flatMap((command) => sourceFiles(`scripts/${command}`)))
        .map(([from, to]) => [commandOf(from), commandOf(to)])
        .filter(([a, b]) => b !== undefined && b !== a && b !== 'shared')
        .map(([a, b]) => `${a} -> ${b}`),
    );
    expect([...ties].sort()).toEqual(COMMAND_TIES);
  });
});

describe("the client's inside stays inside", () => {
  const FEATURE = /^infra\/client\/([^/]+)\//;

  test('outside infra/client/, code imports the client through its entries only (the tests of its own files aside)', () => {
    const deep = edges(ALL)
      .filter(([from, to]) => to.startsWith('infra/client/') && !from.startsWith('infra/client/') && !from.startsWith('test/infra/client/'))
      .filter(([, to]) => !CLIENT_ENTRIES.includes(to))
      .map(([from, to]) => `${from} imports ${to}`);
    expect(deep).toEqual([]);
  });

  test("a feature imports another feature through that feature's index only, and core/ imports no feature", () => {
    const wrong = edges(sourceFiles('infra/client'))
      .filter(([from, to]) => {
        const a = FEATURE.exec(from)?.[1];
        const b = FEATURE.exec(to)?.[1];
        if (a === undefined || b === undefined || a === b || b === 'core') return false;
        return a === 'core' || to !== `infra/client/${b}/index.ts`;
      })
      .map(([from, to]) => `${from} imports ${to}`);
    expect(wrong).toEqual([]);
  });
});

describe('the CDK-free rooms', () => {
  test.each(ROOMS.filter(({ cdkFree }) => cdkFree).map(({ room }) => room))(
    'nothing %s reaches, itself or through another file of this tree, imports aws-cdk-lib, constructs, cdk-nag or @cdklabs',
    (room) => {
      const offending = [...importClosure(sourceFiles(room))].flatMap((file) =>
        importsOf(file)
          .filter(({ specifier }) => CDK_PACKAGES.test(specifier))
          .map(({ specifier }) => `${file} imports ${specifier}`),
      );
      expect(offending).toEqual([]);
    },
  );
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
});

describe('files a reader can take in', () => {
  // "About 300 lines": a file a little over it is not worth a split; one well past it says why it is one.
  const LONG = 330;

  test('a source or test file over about 300 lines says at its top why it is one file', () => {
    const long = ALL.filter((file) => !file.startsWith('test/fixtures/'))
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
