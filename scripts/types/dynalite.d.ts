declare module 'dynalite' {
  import type { Server } from 'node:http';

  /** Options of the dynalite server (see its readme); only those this project uses. */
  interface DynaliteOptions {
    /** LevelDB directory; in memory when absent. */
    path?: string;
    /** Milliseconds a new table stays CREATING. */
    createTableMs?: number;
    /** Milliseconds a deleted table stays DELETING. */
    deleteTableMs?: number;
    /** Milliseconds an updated table stays UPDATING. */
    updateTableMs?: number;
  }

  function dynalite(options?: DynaliteOptions): Server;
  export = dynalite;
}
