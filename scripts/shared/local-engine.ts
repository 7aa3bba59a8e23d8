import { createRequire } from 'node:module';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { ConfigError } from '../../infra/data/config-error';
import { LOCAL_CREDENTIALS } from './clients';

/** A running dynalite server. */
export interface LocalEngine {
  /** HTTP endpoint of the server, e.g. `http://127.0.0.1:8000`. */
  readonly endpoint: string;
  /** Stops accepting requests and closes the store (flushing it to disk when persisted). */
  close(): Promise<void>;
  /** The HTTP server, whose request listener a caller in this process may call without a socket (the suites do). */
  readonly server?: Server;
}

/** Options of {@link startLocalEngine}. */
export interface LocalEngineOptions {
  /** TCP port; 0 picks a free one. */
  readonly port: number;
  /** LevelDB directory to persist to; in memory when absent. */
  readonly path?: string;
}

/**
 * Starts dynalite on 127.0.0.1 only, so the unauthenticated engine is never reachable from the
 * network. Table state changes are instant: nothing here waits on CREATING or DELETING.
 */
export async function startLocalEngine(options: LocalEngineOptions): Promise<LocalEngine> {
  if (options.path !== undefined) await assertStoreOpens(options.path);
  const server = dynalite({ path: options.path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const engine = await new Promise<LocalEngine>((resolve, reject) => {
    const listening = () => {
      server.off('error', failed);
      const { port } = server.address() as AddressInfo;
      resolve({
        endpoint: `http://127.0.0.1:${port}`,
        server,
        close: () =>
          new Promise<void>((done, fail) => {
            // Keep-alive sockets of SDK clients would otherwise hold the server open.
            server.closeAllConnections();
            server.close((error?: Error) => (error ? fail(error) : done()));
          }),
      });
    };
    const failed = (error: Error) => {
      server.off('listening', listening);
      // dynalite has opened its store already and closes it only through a listening server;
      // left open, the store holds its LevelDB lock and writes into --path after the caller removed it.
      server.once('error', () => reject(error));
      server.listen(0, '127.0.0.1', () => server.close(() => reject(error)));
    };
    server.once('error', failed);
    server.once('listening', listening);
    server.listen(options.port, '127.0.0.1');
  });
  // dynalite opens its store in the background; one answered request means it is open, so the
  // folder's LevelDB lock is held by this engine from the moment it is returned.
  if (options.path !== undefined) {
    const client = new DynamoDBClient({ region: 'us-east-1', endpoint: engine.endpoint, credentials: LOCAL_CREDENTIALS });
    try {
      await client.send(new ListTablesCommand({ Limit: 1 }));
    } finally {
      client.destroy();
    }
  }
  return engine;
}

/**
 * Opens and closes the LevelDB store at `path` the way dynalite will, so that a folder it cannot
 * use fails here in one line: dynalite swallows the open error and then crashes on the first request.
 */
async function assertStoreOpens(path: string): Promise<void> {
  // The LevelDB binding dynalite itself loads, not a second copy.
  const require = createRequire(import.meta.filename);
  const { Level } = require(require.resolve('level', { paths: [dirname(require.resolve('dynalite'))] })) as {
    Level: new (location: string) => { open(): Promise<void>; close(): Promise<void> };
  };
  const store = new Level(path);
  try {
    await store.open();
  } catch (error) {
    const cause = (error as Error & { cause?: { code?: string; message?: string } }).cause;
    if (cause?.code === 'LEVEL_LOCKED') {
      throw new ConfigError([`--path ${path} is in use by another running engine (its LevelDB LOCK is held); stop that engine or pick another --path.`]);
    }
    throw new ConfigError([`--path ${path} cannot hold the engine's data: ${cause?.message ?? (error as Error).message}.`]);
  }
  await store.close();
}

/** The switch test/support/local-tables.ts reads: an endpoint to run the client suites against instead of dynalite (the rehearsal sets it to moto). */
export const LOCAL_TABLES_ENDPOINT_ENV = 'LOCAL_TABLES_ENDPOINT';
