export { GRANT_SKEW_MS, LIFECYCLE_CONDITIONS, TOKEN_CONDITIONS } from './conditions';
export { TokenStore } from './token-store';
export type { FreshOptions, GrantOutcome, InvalidateOutcome, RefreshTokens, TokenStoreOptions, UninstallOutcome } from './types';
export { LOCAL_WRAPPING_KEY_ENV, SEAL_CONTEXT_KEYS, SealError, TOKEN_ALGORITHM_SUITE, TokenCrypto, kmsKeyring, rawAesKeyring, type SealContext } from './token-crypto';
export { SEALED_ATTRIBUTES, SHOPIFY_NON_EXPIRING_CUTOVER, TOKEN_SET_ATTRIBUTES, sealTokenSet, type OpenedTokens, type SealTokenSetOptions, type SealedAttribute, type ShopTokens, type StoredTokens, type TokenGeneration } from './token-set';
export { Secret } from './secret';
