import { createHash } from 'node:crypto';

/** A job id: a ULID, or for a job created with an idempotency key 26 characters of the same alphabet. */
export const JOB_ID_PATTERN = /^[0-9A-HJKMNP-TV-Z]{26}$/;
export const JOB_ID_TEXT = 'a job id: 26 characters of Crockford base32 (0-9, A-Z without I, L, O, U), as create returns it';
/** An idempotency key: what the app's request carries, e.g. a webhook id or a form's nonce. */
export const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7e]{1,128}$/;
/** A worker id: short and printable, so it can be compared and logged. */
export const WORKER_ID_PATTERN = /^[A-Za-z0-9._:-]{1,64}$/;
/**
 * The id of a job created with an idempotency key: 130 bits of SHA-256 over the shop and the key,
 * written in the ULID alphabet, so every retry addresses the same item with one conditional put.
 */
export function idempotentJobId(shopDomain: string, key: string): string {
  const digest = createHash('sha256').update(`jobs.create\u0000${shopDomain}\u0000${key}`).digest();
  let bits = BigInt(`0x${digest.subarray(0, 17).toString('hex')}`) >> 6n;
  let id = '';
  for (let n = 0; n < 26; n += 1) {
    id = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'[Number(bits & 31n)]! + id;
    bits >>= 5n;
  }
  return id;
}
