import { type OperationContext } from '../../core/errors';
import type { OperationRun } from '../../core/observe';
import { LIFECYCLE_CONDITIONS, TOKEN_CONDITIONS } from './conditions';
import type { StoreContext } from './context';
import { INSTALL_ID, LEASE_ATTRIBUTES, TOKEN_VERSION, UNINSTALLED_AT, names, projection, type SealedSet, type ShopTokens, type TokenGeneration } from './token-set';
import * as check from '../../core/validate';

/** Writes that keep losing their condition to other writers give up after this many reads. */
export const WRITE_ATTEMPTS = 5;

/**
 * One conditional UpdateItem of the token set at version + 1, ending the lease; under a lease,
 * only while it is `holder`'s. Resolves to the new version and what was sealed.
 */
export async function writeTokens(
  ctx: StoreContext,
  run: OperationRun,
  domain: string,
  read: TokenGeneration,
  tokens: ShopTokens,
  holder?: string,
  profile: Readonly<Record<string, unknown>> = {},
): Promise<{ version: number; sealed: SealedSet }> {
  const version = read.version + 1;
  const sealed = await ctx.seal(domain, tokens, version);
  const set = { ...profile, ...sealed.set };
  const remove = [...sealed.remove, ...LEASE_ATTRIBUTES];
  await ctx.update(
    run,
    domain,
    {
      UpdateExpression: `SET ${assignments(set)} REMOVE ${projection(...remove)}`,
      ConditionExpression: holder ? LIFECYCLE_CONDITIONS.refresh : TOKEN_CONDITIONS.replace,
      ExpressionAttributeNames: names(...Object.keys(set), ...remove, INSTALL_ID, TOKEN_VERSION, UNINSTALLED_AT),
      ExpressionAttributeValues: { ...assignedValues(set), ...generationValues(read), ...(holder && { ':holder': holder }) },
    },
    `token version ${read.version} of that install is no longer current (another refresh won, or the shop was uninstalled or re-installed); re-read the tokens`,
  );
  ctx.prime(run, domain, sealed, tokens);
  return { version, sealed };
}

/** Refuses a generation that is not what `tokens.read` returned. */
export function checkGeneration(where: OperationContext, read: TokenGeneration): void {
  const value = read as unknown;
  if (typeof value !== 'object' || value === null || typeof read.installId !== 'string' || read.installId.length === 0) {
    check.refuse(where, 'read', 'must be what tokens.read returned ({ installId, version }): a version alone cannot tell one install from the next');
  }
  if (!Number.isSafeInteger(read.version) || read.version < 1) check.refuse(where, 'read.version', 'must be the whole version read, 1 or more');
}

/** The values the `replace` condition names. */
export function generationValues(generation: TokenGeneration): Record<string, unknown> {
  return { ':installId': generation.installId, ':expectedVersion': generation.version };
}

/** `#name = :new_name` for each attribute set: the values' own prefix keeps them apart from the condition's (`:installId`). */
export function assignments(set: Readonly<Record<string, unknown>>): string {
  return Object.keys(set).map((name) => `#${name} = :new_${name}`).join(', ');
}

export function assignedValues(set: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(set).map(([name, value]) => [`:new_${name}`, value]));
}
