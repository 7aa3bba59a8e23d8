import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../../infra/data/config-error';

/** The file, inside a `--path` data directory, that holds the wrapping key of the tokens stored there. */
export const WRAPPING_KEY_FILE = 'token-wrapping-key';

const KEY_BYTES = 32;

/**
 * The raw AES key that stands in for the stage's KMS token key on this machine. In memory, a new
 * one per run: the data goes with the process. With a data directory, kept beside the data
 * (base64, owner-only) so tokens stored in one run still open in the next, and deleting the
 * directory deletes both. It protects local demo tokens only, so it is a local setting, not an
 * AWS secret.
 */
export function localWrappingKey(dataDirectory?: string): Buffer {
  if (dataDirectory === undefined) return randomBytes(KEY_BYTES);
  const file = join(dataDirectory, WRAPPING_KEY_FILE);
  if (!existsSync(file)) {
    const key = randomBytes(KEY_BYTES);
    writeFileSync(file, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
    return key;
  }
  const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
  if (key.length !== KEY_BYTES) {
    throw new ConfigError([`${file} does not hold a ${KEY_BYTES}-byte base64 key; the tokens stored beside it cannot be opened. Delete the directory to start afresh.`]);
  }
  return key;
}
