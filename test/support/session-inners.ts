import { readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Session } from '@shopify/shopify-api';
import type { SessionStorage } from '@shopify/shopify-app-session-storage';

/** One of the app's own session storages, and a raw read of every row it holds. */
export interface InnerStorage {
  readonly kind: string;
  readonly storage: SessionStorage;
  /** Every row as the storage keeps it, every field, no class of Shopify's in between. */
  rows(): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

/** Shopify's in-memory storage: it keeps the Session objects it is given. */
export async function memoryInner(): Promise<InnerStorage> {
  const { MemorySessionStorage } = await import('@shopify/shopify-app-session-storage-memory');
  const storage = new MemorySessionStorage();
  return {
    kind: 'memory',
    storage,
    rows: async () => Object.values((storage as unknown as { sessions: Record<string, Session> }).sessions).map((session) => ({ ...session })),
    close: async () => {},
  };
}

/**
 * Shopify's Prisma storage on SQLite, as the app's template sets it up: the template's Session
 * table, made from its migration's SQL through the driver (Prisma's migrate needs a native engine),
 * and Prisma's client on the libSQL driver adapter.
 */
export async function prismaInner(): Promise<InnerStorage> {
  const [{ PrismaClient }, { PrismaLibSQL }, { createClient }, { PrismaSessionStorage }] = await Promise.all([
    import('@prisma/client'),
    import('@prisma/adapter-libsql'),
    import('@libsql/client'),
    import('@shopify/shopify-app-session-storage-prisma'),
  ]);
  const url = `file:${join(await mkdtemp(join(tmpdir(), 'sessions-')), 'sessions.sqlite')}`;
  const sql = createClient({ url });
  await sql.execute(readFileSync(join(__dirname, '..', 'fixtures', 'prisma', 'migration.sql'), 'utf8'));
  const prisma = new PrismaClient({ adapter: new PrismaLibSQL({ url }) });
  const storage = new PrismaSessionStorage(prisma, { connectionRetries: 1, connectionRetryIntervalMs: 10 });
  await storage.isReady();
  return {
    kind: 'prisma',
    storage,
    rows: async () => (await sql.execute('SELECT * FROM "Session"')).rows.map((row) => ({ ...row })),
    close: async () => {
      await prisma.$disconnect();
      sql.close();
    },
  };
}

/** Both kinds the app can give the sealed storage: the one it uses (Prisma) and Shopify's reference (memory). */
export const INNER_STORAGES: readonly (readonly [string, () => Promise<InnerStorage>])[] = [
  ['memory', memoryInner],
  ['prisma', prismaInner],
];
