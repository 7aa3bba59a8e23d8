/** Secrets to look for: plain-text values and ciphertext bytes. */
export interface Secrets {
  readonly texts: readonly string[];
  readonly bytes: readonly Uint8Array[];
}

/**
 * Every place a secret is reachable from `root`: strings (message, stack, every own property,
 * enumerable or not, of every object reachable, `cause` included) containing a text secret or the
 * base64 or hex of a ciphertext, and byte arrays containing a ciphertext. Returns the paths.
 */
export function findSecrets(root: unknown, secrets: Secrets): string[] {
  const texts = [
    ...secrets.texts,
    ...secrets.bytes.flatMap((bytes) => [Buffer.from(bytes).toString('base64'), Buffer.from(bytes).toString('hex')]),
  ];
  const found: string[] = [];
  const seen = new Set<unknown>();
  const visit = (value: unknown, path: string): void => {
    if (typeof value === 'string') {
      if (found.includes(path)) return;
      if (texts.some((text) => value.includes(text))) found.push(path);
      return;
    }
    if (typeof value !== 'object' || value === null || seen.has(value)) return;
    seen.add(value);
    if (ArrayBuffer.isView(value)) {
      const haystack = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
      if (secrets.bytes.some((bytes) => haystack.indexOf(Buffer.from(bytes)) >= 0)) found.push(path);
      return;
    }
    // Some engines expose stack as an accessor: read the error's own text explicitly too.
    if (value instanceof Error) {
      for (const key of ['message', 'stack', 'cause'] as const) visit(value[key], `${path}.${key}`);
    }
    for (const key of Reflect.ownKeys(value)) {
      const descriptor = Object.getOwnPropertyDescriptor(value, key);
      // Getters are not called: reading them could have effects; own data properties are what travel.
      if (descriptor && 'value' in descriptor) visit(descriptor.value, `${path}.${String(key)}`);
    }
    if (value instanceof Map || value instanceof Set) {
      let i = 0;
      for (const entry of value) visit(entry, `${path}[${i++}]`);
    }
  };
  visit(root, 'error');
  return found;
}
