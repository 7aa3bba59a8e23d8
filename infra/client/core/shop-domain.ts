import * as check from './validate';

/**
 * A shop's permanent `*.myshopify.com` domain as Shopify issues it: a DNS label of lower-case
 * letters, digits and hyphens (not first), 63 characters at most. Every table keys a shop by it.
 */
const SHOP_DOMAIN = /^[a-z0-9][a-z0-9-]{0,62}\.myshopify\.com$/;

/**
 * The one canonical form of a shop domain: lower case, `<handle>.myshopify.com`. Every entry point
 * of the client passes the domains it is given through here, so no read, write or redaction can
 * miss an item by case. Anything else (a custom domain, a URL, surrounding spaces, an empty string,
 * a non-string) is refused with an `InvalidInputError` naming `field`.
 */
export function canonicalShopDomain(value: unknown, where: check.Where, field = 'shopDomain'): string {
  // Only ASCII is lower-cased: some other letters lower-case to ASCII (the Kelvin sign to "k"),
  // which would turn a domain no shop has into another shop's key.
  const canonical = typeof value === 'string' && /^[\x21-\x7e]*$/.test(value) ? value.toLowerCase() : undefined;
  if (canonical === undefined || !SHOP_DOMAIN.test(canonical)) {
    check.refuse(where, field, 'must be a shop\'s "<handle>.myshopify.com" domain');
  }
  return canonical;
}
