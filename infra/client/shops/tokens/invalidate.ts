import { ConflictError } from '../../core/errors';
import type { OperationRun } from '../../core/observe';
import { TOKEN_CONDITIONS } from './conditions';
import { ChangedSinceRead, type StoreContext } from './context';
import { INSTALL_ID, LEASE_ATTRIBUTES, SEALED_ATTRIBUTES, TOKEN_VERSION, UNINSTALLED_AT, expiryOf, names, projection, type SealedAttribute, type TokenGeneration } from './token-set';
import type { InvalidateOutcome } from './types';
import { WRITE_ATTEMPTS, generationValues } from './writes';

/**
 * Drops the shop's access token (with `discardRefresh` its refresh token too) within the current
 * generation, or within `generation` only when given (see `tokens.invalidate`).
 */
export async function invalidate(ctx: StoreContext, run: OperationRun, domain: string, generation: TokenGeneration | undefined, discardRefresh: boolean): Promise<InvalidateOutcome> {
  for (let attempt = 1; attempt <= WRITE_ATTEMPTS; attempt += 1) {
    const item = await ctx.installedItem(run, domain);
    const current = await ctx.generation(run, domain, item);
    if (generation && (generation.installId !== current.installId || generation.version !== current.version)) return 'unchanged';
    const dropped: SealedAttribute[] = discardRefresh ? [...SEALED_ATTRIBUTES] : ['accessToken'];
    if (dropped.every((attribute) => item[attribute] === undefined)) return 'unchanged';
    const remove = [...dropped.flatMap((attribute) => [attribute, expiryOf(attribute)]), ...LEASE_ATTRIBUTES];
    try {
      await ctx.update(
        run,
        domain,
        {
          UpdateExpression: `SET #${TOKEN_VERSION} = :version REMOVE ${projection(...remove)}`,
          ConditionExpression: TOKEN_CONDITIONS.replace,
          ExpressionAttributeNames: names(TOKEN_VERSION, INSTALL_ID, UNINSTALLED_AT, ...remove),
          ExpressionAttributeValues: { ':version': current.version + 1, ...generationValues(current) },
        },
        ctx.changed(run, domain, 'the tokens changed since they were read'),
      );
      ctx.cache.forget(domain);
      return 'invalidated';
    } catch (error) {
      if (!(error instanceof ChangedSinceRead)) throw error;
    }
  }
  throw new ConflictError(run.context, `the shop's item changed under ${WRITE_ATTEMPTS} attempts in a row; retry`);
}
