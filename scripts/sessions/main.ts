import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DataClientError } from '../../infra/client';
import { migrateSessions, type SealedSessionStorage } from '../../infra/client/shopify';
import { ConfigError } from '../../infra/data/config-error';
import { parseOptions, runCli } from '../shared/cli';

const USAGE = `Usage: npm run sessions -- --storage <module> [--execute] [--after <id>]

Counts the app's sessions that still hold a Shopify token in plain text (every row written before
the sealed session storage) and, with --execute, seals them one at a time: an offline session's
tokens into the Shops table and the row blanked, an online session's token sealed in place.
Idempotent: a sealed row is only counted, so a pass that stopped can run again, or resume with
--after the last id it printed. <module> is the app's own file (JavaScript, or TypeScript Node
runs as it is) exporting sessionStorage (its sealedSessionStorage) and sessionIds() (every
session id of its storage, in a fixed order). Exit code: 0 no plain text left, 1 plain text left
(or a row that could not be sealed), 2 a usage error or a module that cannot be used.

  --storage <module>  the app's module with sessionStorage and sessionIds
  --execute           seal what holds plain text; without it, only count
  --after <id>        resume after this session id`;

/** What the app's module must export. */
interface SessionsModule {
  readonly sessionStorage: SealedSessionStorage;
  readonly sessionIds: () => Iterable<string> | AsyncIterable<string>;
}

/** Loads the app's module and checks what it exports, in one line when it cannot be used. */
async function load(path: string): Promise<SessionsModule> {
  const file = resolve(path);
  if (!existsSync(file) || !statSync(file).isFile()) throw new ConfigError([`--storage ${path} is not a file.`]);
  let loaded: Partial<SessionsModule> & { default?: Partial<SessionsModule> };
  try {
    loaded = (await import(pathToFileURL(file).href)) as typeof loaded;
  } catch (error) {
    throw new ConfigError([`--storage ${path} could not be loaded: ${error instanceof Error ? `${error.name}: ${error.message.split('\n')[0]}` : String(error)}.`]);
  }
  const module = typeof loaded.sessionStorage === 'object' ? loaded : (loaded.default ?? {});
  if (typeof module.sessionStorage?.seal !== 'function' || typeof module.sessionStorage.holdsPlaintext !== 'function') {
    throw new ConfigError([`--storage ${path} exports no sessionStorage made by sealedSessionStorage().`]);
  }
  if (typeof module.sessionIds !== 'function') throw new ConfigError([`--storage ${path} exports no sessionIds() listing the app's session ids.`]);
  return module as SessionsModule;
}

/** `npm run sessions`: resolves to the exit code. */
export async function main(argv: string[], print: (line: string) => void = console.log): Promise<number> {
  const options = parseOptions(argv, { storage: { type: 'string' }, execute: { type: 'boolean' }, after: { type: 'string' } }, { usage: USAGE });
  if (options.storage === undefined) throw new ConfigError(['--storage is required: the app\'s module exporting sessionStorage and sessionIds().']);
  const { sessionStorage, sessionIds } = await load(options.storage);
  const execute = options.execute === true;
  let lastId: string | undefined = options.after;
  try {
    const counts = await migrateSessions({
      storage: sessionStorage,
      sessionIds: sessionIds(),
      execute,
      ...(options.after !== undefined && { after: options.after }),
      progress: (progress) => {
        lastId = progress.lastId;
        if (progress.scanned % 1_000 === 0) print(`${progress.scanned} sessions looked at, ${progress.plaintext} in plain text, ${progress.sealed} sealed (last id ${JSON.stringify(progress.lastId)})`);
      },
    });
    print(`${counts.scanned} sessions looked at${options.after === undefined ? '' : ` after ${JSON.stringify(options.after)}`}: ${counts.plaintext} held a token in plain text, ${counts.sealed} sealed now.`);
    const left = counts.plaintext - counts.sealed;
    print(left === 0 ? 'No session holds a token in plain text.' : `${left} still hold a token in plain text: run again with --execute.`);
    return left === 0 ? 0 : 1;
  } catch (error) {
    if (!(error instanceof DataClientError)) throw error;
    print(`Stopped: ${error.message}`);
    print(lastId === undefined ? 'Nothing was sealed before it; run again.' : `Resume with --after ${JSON.stringify(lastId)}.`);
    return 1;
  }
}

if (import.meta.main) runCli(main);
