export { redactShop, type RedactShopOptions, type RedactionCounts } from './redact-shop';
export { DEFAULT_RETRY, retryPolicy, type RetryPolicy } from './retry';
