import { DATA_ROLE_PURPOSES, type DataRolePurpose } from '../data/stages';
import type { DataAccess, TokenAccessLevel } from './table-access';

/** What one of the app's processes is given on the data layer. */
export interface DataRoleSpec {
  /** What the process does, one line (docs and the role's description). */
  readonly does: string;
  /** The tables it reads or writes, each at its level. */
  readonly data?: DataAccess;
  /** True when it deletes a shop's data (`shop/redact`). */
  readonly redaction?: boolean;
  /** Its use of the token key, if it opens or seals tokens. */
  readonly tokens?: TokenAccessLevel;
}

/**
 * The data-access roles the stack defines, one per process of the app, with exactly the grants
 * that process needs. The token key's policy names the roles with `tokens` and refuses data use to
 * every other principal of the account (the break-glass role aside), so this map is also the list
 * of who can open a token; the security doc is rendered from it.
 */
export const DATA_ROLES = {
  webApp: {
    does: 'The Shopify app\'s web process: installs shops after OAuth (seals their tokens), creates jobs, shows jobs and history.',
    data: { Shops: 'readWrite', Jobs: 'readWrite', ImportHistory: 'read' },
    tokens: 'encryptDecrypt',
  },
  jobWorker: {
    does: 'Runs import and export jobs: claims and progresses them, appends history, calls Shopify with the shop\'s access token.',
    data: { Shops: 'read', Jobs: 'readWrite', ImportHistory: 'append' },
    tokens: 'decrypt',
  },
  tokenRefresher: {
    does: 'Refreshes access tokens before they expire and stores the new set.',
    data: { Shops: 'readWrite' },
    tokens: 'encryptDecrypt',
  },
  redaction: {
    does: 'Handles shop/redact: deletes one shop\'s items from every table; never opens a token.',
    redaction: true,
  },
} as const satisfies Record<DataRolePurpose, DataRoleSpec>;

/** The purposes whose roles may use the token key, in the order of {@link DATA_ROLE_PURPOSES}. */
export function tokenRolePurposes(): DataRolePurpose[] {
  return DATA_ROLE_PURPOSES.filter((purpose) => (DATA_ROLES[purpose] as DataRoleSpec).tokens !== undefined);
}

/** The tables of `schemas` no data role reads or writes: deployed, but nothing of the app could use them. */
export function tablesNoRoleUses(schemas: readonly { readonly name: string }[]): string[] {
  const granted = new Set(DATA_ROLE_PURPOSES.flatMap((purpose) => Object.keys((DATA_ROLES[purpose] as DataRoleSpec).data ?? {})));
  return schemas.map(({ name }) => name).filter((name) => !granted.has(name));
}
