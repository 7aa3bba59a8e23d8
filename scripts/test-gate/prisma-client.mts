import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(import.meta.dirname, '..', '..');
/** The Session model of Shopify's app template: the Prisma storage the session-storage tests run over. */
export const PRISMA_SCHEMA = join(ROOT, 'test', 'fixtures', 'prisma', 'schema.prisma');
/** Where `prisma generate` writes the client `@prisma/client` loads; it keeps a copy of the schema it read. */
const GENERATED_SCHEMA = join(ROOT, 'node_modules', '.prisma', 'client', 'schema.prisma');

/**
 * Generates the Prisma client of the test schema unless the one in node_modules was generated from
 * it already (about 2 s). Offline: the client runs on Prisma's query compiler with a driver adapter,
 * so no native engine is fetched, and the schema engine is never started.
 */
export function ensurePrismaClient(): void {
  const schema = readFileSync(PRISMA_SCHEMA, 'utf8');
  if (existsSync(GENERATED_SCHEMA) && readFileSync(GENERATED_SCHEMA, 'utf8') === schema) return;
  execFileSync(process.execPath, [join(ROOT, 'node_modules', 'prisma', 'build', 'index.js'), 'generate', '--schema', PRISMA_SCHEMA], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: '/bin/false', CHECKPOINT_DISABLE: '1', PRISMA_HIDE_UPDATE_MESSAGE: '1' },
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) ensurePrismaClient();
