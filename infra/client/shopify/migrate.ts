import type { SealedSessionStorage } from './session-storage';

/** What a pass over the app's sessions found and did. */
export interface SessionMigration {
  /** Sessions looked at. */
  readonly scanned: number;
  /** Of those, rows that held a token in plain text when looked at. */
  readonly plaintext: number;
  /** Of those, rows this pass sealed (0 without `execute`). */
  readonly sealed: number;
  /** The last id looked at: pass it as `after` to resume a pass that stopped. */
  readonly lastId?: string;
}

/** Options of {@link migrateSessions}. */
export interface SessionMigrationOptions {
  /** The sealed storage over the app's own. */
  readonly storage: SealedSessionStorage;
  /** Every session id of the app's storage, in a fixed order (e.g. Prisma's `findMany({ select: { id: true }, orderBy: { id: 'asc' } })`). */
  readonly sessionIds: Iterable<string> | AsyncIterable<string>;
  /** Seal what holds plain text; without it, only count. */
  readonly execute?: boolean;
  /** Resume after this id (the `lastId` of a pass that stopped): ids up to it in the order given are skipped. */
  readonly after?: string;
  /** Called after each session with the counts so far, to report progress. */
  readonly progress?: (counts: SessionMigration) => void;
}

/**
 * One pass over the app's sessions: counts the rows that still hold a token in plain text and,
 * with `execute`, seals each (an offline session's tokens into the Shops table, an online
 * session's token in place), one at a time. Idempotent: a row sealed already is only counted as
 * scanned, so a pass that stopped can simply run again, or resume `after` its last id.
 */
export async function migrateSessions(options: SessionMigrationOptions): Promise<SessionMigration> {
  const { storage, sessionIds, execute = false, after, progress } = options;
  let counts: SessionMigration = { scanned: 0, plaintext: 0, sealed: 0 };
  let skipping = after !== undefined;
  for await (const id of sessionIds) {
    if (skipping) {
      skipping = id !== after;
      continue;
    }
    const plaintext = await storage.holdsPlaintext(id);
    const sealed = plaintext && execute ? await storage.seal(id) : false;
    counts = { scanned: counts.scanned + 1, plaintext: counts.plaintext + (plaintext ? 1 : 0), sealed: counts.sealed + (sealed ? 1 : 0), lastId: id };
    progress?.(counts);
  }
  return counts;
}
