import type { OperationRun } from '../../core/observe';
import * as check from '../../core/validate';
import { FIRST_EVENT, type StoreContext } from './context';
import { Secret } from './secret';
import { checkSecret } from './token-set';

/** The slot of an online session's token in the opened-value cache. */
const sessionSlot = (sessionId: string) => `session ${sessionId}`;

/** An online session's seal: its own encryption context, so it opens for no other session, shop or attribute. */
const sessionContext = (ctx: StoreContext, shop: string, session: string) => ({ table: ctx.table, shop, attribute: 'accessToken', session });

/** Seals an online session's access token for the shop and that session (see `tokens.sealSession`). */
export async function sealSession(ctx: StoreContext, run: OperationRun, domain: string, sessionId: unknown, accessToken: unknown, expiresAt: unknown): Promise<Uint8Array> {
  const id = check.text(sessionId, run.context, 'sessionId', 1_024);
  checkSecret(run.context, 'accessToken', accessToken);
  if (expiresAt !== undefined && !check.isDateIn(expiresAt, FIRST_EVENT, check.LAST_DATE)) check.refuse(run.context, 'expiresAt', 'must be a valid Date of the years 2000 to 9999 when given');
  const ciphertext = await ctx.crypto.seal(sessionContext(ctx, domain, id), accessToken);
  ctx.cache.set(domain, sessionSlot(id), ciphertext, accessToken, ctx.now(run).getTime(), expiresAt);
  return ciphertext;
}

/** Opens what `sealSession` sealed for that shop and session: no KMS request when this process sealed or opened it lately. */
export async function openSession(ctx: StoreContext, run: OperationRun, domain: string, sessionId: unknown, ciphertext: Uint8Array, expiresAt: Date | undefined): Promise<Secret> {
  const id = check.text(sessionId, run.context, 'sessionId', 1_024);
  const now = ctx.now(run).getTime();
  const cached = ctx.cache.get(domain, sessionSlot(id), ciphertext, now);
  if (cached !== undefined) return new Secret(cached);
  const plaintext = await ctx.crypto.open(sessionContext(ctx, domain, id), ciphertext);
  ctx.cache.set(domain, sessionSlot(id), ciphertext, plaintext, now, expiresAt);
  return new Secret(plaintext);
}
