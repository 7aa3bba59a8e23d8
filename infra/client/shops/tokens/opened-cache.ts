/** Opened values kept at most this long, even for a token that does not expire. */
const MAX_AGE_MS = 60 * 60_000;

interface Entry {
  readonly ciphertext: Uint8Array;
  readonly plaintext: string;
  /** Epoch milliseconds after which the entry is not used: the token's expiry, or the maximum age. */
  readonly until: number;
}

/**
 * The plain text of sealed values this process opened or sealed lately, so a warm read costs no
 * KMS request. An entry serves only the exact ciphertext it was made from, so a value written
 * since by another process (a refresh, an uninstall) is never answered from here: the caller
 * reads the item every time and asks with what it found. Bounded: the shops used longest ago are
 * dropped first; a shop's entries go when this process writes its tokens.
 */
export class OpenedCache {
  private readonly maxShops: number;
  /** Per shop, per slot (an attribute, or an online session's token): the newest entry. Map order is use order. */
  private readonly shops = new Map<string, Map<string, Entry>>();

  constructor(maxShops = 10_000) {
    this.maxShops = maxShops;
  }

  /** The plain text of `ciphertext` in `slot` of `shop`, if this process has it and it is still good at `now`. */
  get(shop: string, slot: string, ciphertext: Uint8Array, now: number): string | undefined {
    const entries = this.shops.get(shop);
    const entry = entries?.get(slot);
    if (!entries || !entry) return undefined;
    if (entry.until <= now || !sameBytes(entry.ciphertext, ciphertext)) {
      entries.delete(slot);
      return undefined;
    }
    this.shops.delete(shop);
    this.shops.set(shop, entries);
    return entry.plaintext;
  }

  /** Keeps what `ciphertext` opens to, until `expiresAt` (never past the maximum age from `now`). */
  set(shop: string, slot: string, ciphertext: Uint8Array, plaintext: string, now: number, expiresAt?: Date): void {
    const until = Math.min(expiresAt?.getTime() ?? Number.POSITIVE_INFINITY, now + MAX_AGE_MS);
    if (!(until > now)) return;
    const entries = this.shops.get(shop) ?? new Map<string, Entry>();
    entries.set(slot, { ciphertext: new Uint8Array(ciphertext), plaintext, until });
    this.shops.delete(shop);
    this.shops.set(shop, entries);
    if (this.shops.size > this.maxShops) this.shops.delete(this.shops.keys().next().value as string);
  }

  /** Drops every value of `shop`: its tokens changed, or it was uninstalled. */
  forget(shop: string): void {
    this.shops.delete(shop);
  }

  /** How many shops have entries (for tests of the bound). */
  get size(): number {
    return this.shops.size;
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}
