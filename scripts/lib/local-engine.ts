import type { AddressInfo } from 'node:net';
import dynalite from 'dynalite';

/** A running dynalite server. */
export interface LocalEngine {
  /** HTTP endpoint of the server, e.g. `http://127.0.0.1:8000`. */
  readonly endpoint: string;
  /** Stops accepting requests and closes the store (flushing it to disk when persisted). */
  close(): Promise<void>;
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
export function startLocalEngine(options: LocalEngineOptions): Promise<LocalEngine> {
  const server = dynalite({ path: options.path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => {
      server.off('error', reject);
      const { port } = server.address() as AddressInfo;
      resolve({
        endpoint: `http://127.0.0.1:${port}`,
        close: () =>
          new Promise<void>((done, fail) => {
            // Keep-alive sockets of SDK clients would otherwise hold the server open.
            server.closeAllConnections();
            server.close((error?: Error) => (error ? fail(error) : done()));
          }),
      });
    });
  });
}
