/**
 * The Shopify session storage the app imports (`inavor-shuttle-data-infra/shopify`): Shopify's
 * library keeps its sessions through it, and no token is kept in plain text at rest. Needs the
 * peer dependencies `@shopify/shopify-api` and `@shopify/shopify-app-session-storage`, which the
 * `./client` entry never loads.
 */
export {
  LIBRARY_REFRESH_MARGIN_MS,
  sealedSessionStorage,
  type RefreshSession,
  type SealedSessionStorage,
  type SealedSessionStorageOptions,
  type SessionRedactionCounts,
  type UninstalledResult,
} from './session-storage';
export { migrateSessions, type SessionMigration, type SessionMigrationOptions } from './migrate';
export { SEALED_TOKEN_PREFIX } from './sessions';
