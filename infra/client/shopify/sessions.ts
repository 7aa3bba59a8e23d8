import { Session } from '@shopify/shopify-api';
import { type OperationContext } from '../core/errors';
import type { OpenedTokens, SealedAttribute, ShopTokens } from '../shops';
import * as check from '../core/validate';

/**
 * How an online session's sealed access token is written in the app's session storage: this
 * prefix, then the Encryption SDK message in base64. A token without it is plain text (a row from
 * before the sealed storage), which the next load seals.
 */
export const SEALED_TOKEN_PREFIX = 'sealed:v1:';

/** The token fields of a session: what the app's own storage never keeps in plain text. */
const TOKEN_FIELDS = ['accessToken', 'expires', 'refreshToken', 'refreshTokenExpires'] as const;

/** The offline session id Shopify's library gives a shop: `offline_<shop>`. */
export function offlineSessionId(shop: string): string {
  return `offline_${shop}`;
}

/** The shop of an offline session id, or undefined for an online one. */
export function shopOfOfflineId(id: string): string | undefined {
  return id.startsWith('offline_') ? id.slice('offline_'.length) : undefined;
}

/** A copy of `session`, every field and any extra one kept, with `changes` applied; a field set to undefined is left out. */
export function copySession(session: Session, changes: Partial<Record<keyof Session, unknown>> = {}): Session {
  // Built without `delete`, which leaves an object slow to read (every load copies a session).
  const fields: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(session)) if (!Object.hasOwn(changes, name)) fields[name] = value;
  if (fields.onlineAccessInfo) fields.onlineAccessInfo = structuredClone(fields.onlineAccessInfo);
  for (const [name, value] of Object.entries(changes)) if (value !== undefined) fields[name] = value;
  return new Session(fields as ConstructorParameters<typeof Session>[0]);
}

/** The session without its token fields: what an offline session leaves in the app's own storage. */
export function withoutTokens(session: Session): Session {
  return copySession(session, Object.fromEntries(TOKEN_FIELDS.map((field) => [field, undefined])));
}

/** True when the stored session still holds a token in plain text. */
export function holdsPlaintext(session: Session): boolean {
  if (session.isOnline) return typeof session.accessToken === 'string' && session.accessToken !== '' && !session.accessToken.startsWith(SEALED_TOKEN_PREFIX);
  return Boolean(session.accessToken) || Boolean(session.refreshToken);
}

/** A session's tokens as the token store takes them: each field as Shopify's library set it. */
export function tokensOf(session: Session, where: OperationContext): ShopTokens {
  const date = (value: unknown, field: string): Date | undefined => {
    if (value === undefined || value === null) return undefined;
    if (!(value instanceof Date) || Number.isNaN(value.getTime())) check.refuse(where, `session.${field}`, 'must be a valid Date when given');
    return value;
  };
  const text = (value: unknown, field: string): string | undefined => {
    if (value === undefined || value === null || value === '') return undefined;
    if (typeof value !== 'string') check.refuse(where, `session.${field}`, 'must be text when given');
    return value;
  };
  const accessToken = text(session.accessToken, 'accessToken');
  const refreshToken = text(session.refreshToken, 'refreshToken');
  const accessTokenExpiresAt = date(session.expires, 'expires');
  const refreshTokenExpiresAt = date(session.refreshTokenExpires, 'refreshTokenExpires');
  const scopes = session.scope === undefined || session.scope === null ? undefined : text(session.scope, 'scope') ?? '';
  return {
    ...(accessToken !== undefined && { accessToken }),
    ...(accessToken !== undefined && accessTokenExpiresAt && { accessTokenExpiresAt }),
    ...(refreshToken !== undefined && { refreshToken }),
    ...(refreshToken !== undefined && refreshTokenExpiresAt && { refreshTokenExpiresAt }),
    ...(scopes !== undefined && { scopes }),
  };
}

/** The offline session the app's storage kept, with the shop's tokens as the token store holds them. */
export function offlineSession<A extends SealedAttribute>(stored: Session, tokens: OpenedTokens<A> | undefined): Session {
  const opened = tokens as OpenedTokens<SealedAttribute> | undefined;
  return copySession(stored, {
    accessToken: opened?.accessToken?.reveal(),
    expires: opened?.accessToken ? opened.accessTokenExpiresAt : undefined,
    refreshToken: opened?.refreshToken?.reveal(),
    refreshTokenExpires: opened?.refreshToken ? opened.refreshTokenExpiresAt : undefined,
    ...(opened?.scope !== undefined && { scope: opened.scope }),
  });
}
