import { InvalidInputError } from '../../../../infra/client/core/errors';
import { canonicalShopDomain } from '../../../../infra/client/core/shop-domain';

const where = { table: 'Shops-dev', operation: 'shops.get' };

describe('a shop domain has one canonical form', () => {
  test.each([
    ['acme.myshopify.com', 'acme.myshopify.com'],
    ['CaseShop.myshopify.com', 'caseshop.myshopify.com'],
    ['ACME-2.MYSHOPIFY.COM', 'acme-2.myshopify.com'],
  ])('%s is stored and looked up as %s', (given, canonical) => {
    expect(canonicalShopDomain(given, where)).toBe(canonical);
  });

  test.each([
    ['an empty string', ''],
    ['a custom domain', 'acme.com'],
    ['a URL', 'https://acme.myshopify.com'],
    ['surrounding spaces', ' acme.myshopify.com'],
    ['a leading hyphen', '-acme.myshopify.com'],
    ['a dot inside the handle', 'a.b.myshopify.com'],
    ['a 2 KB handle', `${'a'.repeat(2048)}.myshopify.com`],
    ['a Kelvin sign that lower-cases to "k" (another shop\'s key)', '\u212Aacme.myshopify.com'],
    ['a dotless i that upper-cases to "I"', 'shop\u0131fy.myshopify.com'],
    ['a full-width letter', '\uFF41cme.myshopify.com'],
    ['a number', 42],
    ['undefined', undefined],
  ])('%s is refused with an error naming the field, not the value', (_case, given) => {
    const refuse = () => canonicalShopDomain(given, where, 'domain');
    expect(refuse).toThrow(InvalidInputError);
    expect(refuse).toThrow(/^shops\.get on Shops-dev \{\}: domain must be a shop's "<handle>\.myshopify\.com" domain$/);
  });
});
