import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { ConflictError, DataClientError, StaleGrantError } from '../../core/errors';
import type { OperationRun } from '../../core/observe';
import { GRANT_SKEW_MS, TOKEN_CONDITIONS } from './conditions';
import { ChangedSinceRead, type StoreContext, type StoredItem } from './context';
import {
  DOMAIN,
  INSTALLED_AT,
  INSTALL_ID,
  LEASE_ATTRIBUTES,
  SEALED_ATTRIBUTES,
  TOKEN_VERSION,
  UNINSTALLED_AT,
  checkTokens,
  expiryOf,
  names,
  projection,
  scopeText,
  storedScope,
  type ShopTokens,
  type TokenGeneration,
} from './token-set';
import type { GrantOutcome } from './types';
import { WRITE_ATTEMPTS, assignedValues, assignments, generationValues, writeTokens } from './writes';

type Profile = Readonly<Record<string, unknown>>;

/**
 * Stores a grant `at` its time, with `profile`'s fields in the same request, deciding from the
 * stored item what it is (see `tokens.grant`). Another writer in between makes it read and decide again.
 */
export async function grant(ctx: StoreContext, run: OperationRun, domain: string, tokens: ShopTokens, at: Date, profile: Profile = {}): Promise<GrantOutcome> {
  const where = ctx.where(run, domain);
  checkTokens(where, tokens, ctx.rules(run, true));
  for (let attempt = 1; attempt <= WRITE_ATTEMPTS; attempt += 1) {
    const item = await ctx.readItem(run, domain);
    try {
      if (!item) return await install(ctx, run, domain, tokens, at, profile);
      const uninstalledAt = item[UNINSTALLED_AT] as string | undefined;
      if (uninstalledAt !== undefined || item[TOKEN_VERSION] === undefined) {
        if (uninstalledAt === undefined) throw new DataClientError(where, 'the shop\'s item holds no token version: it was not written by the token store');
        if (at.getTime() <= Date.parse(uninstalledAt) + GRANT_SKEW_MS) {
          throw new StaleGrantError(where, `the grant is not later than the shop's uninstall at ${uninstalledAt} by more than ${GRANT_SKEW_MS / 1000} s: Shopify revoked it; nothing was stored`);
        }
        return await newGeneration(ctx, run, domain, tokens, at, profile, { ':uninstalledAt': uninstalledAt }, TOKEN_CONDITIONS.reinstall, 'reinstalled');
      }
      const current = await ctx.generation(run, domain, item);
      const stored = item[SEALED_ATTRIBUTES[0]!] === undefined ? undefined : await ctx.openAttribute(run, domain, item, 'accessToken');
      if (stored !== undefined && stored === tokens.accessToken) return await sameGrant(ctx, run, domain, item, current, tokens, profile);
      if (at.getTime() < Date.parse(item[INSTALLED_AT] as string) - GRANT_SKEW_MS) {
        throw new ConflictError(where, `the grant is older than the installed one (${item[INSTALLED_AT] as string}): a late or repeated callback; nothing changed`);
      }
      const installedAt = new Date(Math.max(at.getTime(), Date.parse(item[INSTALLED_AT] as string)));
      return await newGeneration(ctx, run, domain, tokens, installedAt, profile, generationValues(current), TOKEN_CONDITIONS.replace, 'regranted');
    } catch (error) {
      // Another writer changed the item since it was read: read again and decide again.
      if (!(error instanceof ChangedSinceRead)) throw error;
    }
  }
  throw new ConflictError(where, `the shop's item changed under ${WRITE_ATTEMPTS} grants in a row; retry`);
}

/** The first grant: one PutItem of the profile and a new generation. */
async function install(ctx: StoreContext, run: OperationRun, domain: string, tokens: ShopTokens, at: Date, profile: Profile): Promise<GrantOutcome> {
  const installId = ulid();
  const sealed = await ctx.seal(domain, tokens, 1);
  await ctx.send(
    run,
    domain,
    () =>
      ctx.doc.send(
        new PutCommand({
          TableName: ctx.table,
          Item: { ...profile, [DOMAIN]: domain, ...sealed.set, [INSTALL_ID]: installId, [INSTALLED_AT]: at.toISOString() },
          ConditionExpression: TOKEN_CONDITIONS.create,
          ExpressionAttributeNames: names(DOMAIN),
          ...run.capacityRequest,
        }),
      ),
    ctx.changed(run, domain, 'the shop was installed by another writer meanwhile'),
  );
  ctx.prime(run, domain, sealed, tokens);
  return { installId, version: 1, outcome: 'installed' };
}

/** A new generation over the item read (a re-install, or a new grant of an installed shop): its profile kept, `profile` set. */
async function newGeneration(
  ctx: StoreContext,
  run: OperationRun,
  domain: string,
  tokens: ShopTokens,
  at: Date,
  profile: Profile,
  values: Record<string, unknown>,
  condition: string,
  outcome: 'reinstalled' | 'regranted',
): Promise<GrantOutcome> {
  const installId = ulid();
  const sealed = await ctx.seal(domain, tokens, 1);
  const set = { ...profile, ...sealed.set, [INSTALL_ID]: installId, [INSTALLED_AT]: at.toISOString() };
  const remove = [...sealed.remove, ...LEASE_ATTRIBUTES, UNINSTALLED_AT];
  await ctx.update(
    run,
    domain,
    {
      UpdateExpression: `SET ${assignments(set)} REMOVE ${projection(...remove)}`,
      ConditionExpression: condition,
      ExpressionAttributeNames: names(...Object.keys(set), ...remove, INSTALL_ID, TOKEN_VERSION, UNINSTALLED_AT),
      ExpressionAttributeValues: { ...assignedValues(set), ...values },
    },
    ctx.changed(run, domain, 'the shop changed since it was read'),
  );
  ctx.prime(run, domain, sealed, tokens);
  return { installId, version: 1, outcome };
}

/** The stored grant stored again: nothing when nothing differs, else one write within its generation. */
async function sameGrant(ctx: StoreContext, run: OperationRun, domain: string, item: StoredItem, current: TokenGeneration, tokens: ShopTokens, profile: Profile): Promise<GrantOutcome> {
  const identical = await holds(ctx, run, domain, item, tokens);
  const profileSame = Object.entries(profile).every(([name, value]) => JSON.stringify(item[name]) === JSON.stringify(value));
  if (identical && profileSame) return { ...current, outcome: 'unchanged' };
  if (identical) {
    await ctx.update(
      run,
      domain,
      {
        UpdateExpression: `SET ${assignments(profile)}`,
        ConditionExpression: TOKEN_CONDITIONS.replace,
        ExpressionAttributeNames: names(...Object.keys(profile), INSTALL_ID, TOKEN_VERSION, UNINSTALLED_AT),
        ExpressionAttributeValues: { ...assignedValues(profile), ...generationValues(current) },
      },
      ctx.changed(run, domain, 'the shop changed since it was read'),
    );
    return { ...current, outcome: 'updated' };
  }
  const { version } = await writeTokens(ctx, run, domain, current, tokens, undefined, profile);
  return { installId: current.installId, version, outcome: 'updated' };
}

/** True when the stored token set is `tokens` to the letter and the millisecond. */
async function holds(ctx: StoreContext, run: OperationRun, domain: string, item: StoredItem, tokens: ShopTokens): Promise<boolean> {
  for (const attribute of SEALED_ATTRIBUTES) {
    const expiry = item[expiryOf(attribute)] as string | undefined;
    if (expiry !== tokens[expiryOf(attribute)]?.toISOString()) return false;
    if ((item[attribute] === undefined) !== (tokens[attribute] === undefined)) return false;
    if (tokens[attribute] !== undefined && (await ctx.openAttribute(run, domain, item, attribute)) !== tokens[attribute]) return false;
  }
  return storedScope(item.scopes) === scopeText(tokens);
}
