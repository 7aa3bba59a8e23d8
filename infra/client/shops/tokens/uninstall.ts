import { ConflictError, NotFoundError } from '../../core/errors';
import type { OperationRun } from '../../core/observe';
import { GRANT_SKEW_MS, TOKEN_CONDITIONS } from './conditions';
import type { StoreContext } from './context';
import { INSTALLED_AT, LEASE_ATTRIBUTES, TOKEN_SET_ATTRIBUTES, UNINSTALLED_AT, names, projection } from './token-set';
import type { UninstallOutcome } from './types';

/**
 * The `app/uninstalled` webhook at `eventAt`: `uninstalledAt` set and the token set and lease
 * removed in one conditional UpdateItem (see `tokens.remove`).
 */
export async function uninstall(ctx: StoreContext, run: OperationRun, domain: string, eventAt: Date): Promise<UninstallOutcome> {
  const removed = [...TOKEN_SET_ATTRIBUTES, ...LEASE_ATTRIBUTES];
  try {
    await ctx.update(
      run,
      domain,
      {
        UpdateExpression: `SET #${UNINSTALLED_AT} = :eventAt REMOVE ${projection(...removed)}`,
        ConditionExpression: TOKEN_CONDITIONS.remove,
        ExpressionAttributeNames: names(UNINSTALLED_AT, INSTALLED_AT, ...removed),
        ExpressionAttributeValues: { ':eventAt': eventAt.toISOString(), ':grantedBy': new Date(eventAt.getTime() + GRANT_SKEW_MS).toISOString() },
      },
      'not installed before the event',
    );
    ctx.cache.forget(domain);
    return 'uninstalled';
  } catch (error) {
    if (!(error instanceof ConflictError)) throw error;
  }
  // The condition failed: one consistent read says why (dynalite returns no old item on failure).
  const item = await ctx.readItem(run, domain);
  if (!item) throw new NotFoundError(ctx.where(run, domain), 'no such shop');
  return item[UNINSTALLED_AT] !== undefined ? 'already-uninstalled' : 'older-than-install';
}
