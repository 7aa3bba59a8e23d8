/** What a secret renders as anywhere it could be printed. */
export const REDACTED = '[redacted]';

/**
 * A plain-text secret (a Shopify token) that does not print: `JSON.stringify`, `util.inspect`,
 * `console.log`, template strings and string concatenation all render {@link REDACTED}. The value
 * is held in a private field, so no walk of the object's properties finds it either; the one way
 * to it is {@link Secret.reveal}, called where the token is sent to Shopify.
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  /** The plain text, for the one place that sends it (e.g. the `X-Shopify-Access-Token` header). */
  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [Symbol.toPrimitive](): string {
    return REDACTED;
  }

  // util.inspect and console.log look this symbol up; Symbol.for avoids loading node:util here.
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `Secret(${REDACTED})`;
  }
}
