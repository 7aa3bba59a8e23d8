import { AlgorithmSuiteIdentifier } from '@aws-crypto/client-node';
import { SEAL_CONTEXT_KEYS, TOKEN_ALGORITHM_SUITE } from '../../infra/client/token-crypto';
import { LIFECYCLE_CONDITIONS, TOKEN_CONDITIONS, TOKEN_SET_ATTRIBUTES } from '../../infra/client/token-store';
import { sealedAttributeNames, type TableSchema } from '../../infra/schema-model';
import { code, markdownTable, paragraph } from '../shared/markdown';

/** The cut-off after which Shopify's non-expiring offline tokens stop working for public apps. */
const NON_EXPIRING_CUTOFF = '2027-01-01';

/**
 * How a table's sealed attributes are encrypted and how the token set lives through install,
 * refresh and uninstall, rendered from the map and the token store's own constants; it ends
 * with a blank line. Empty for a table that seals nothing.
 */
export function tokenSection(schema: TableSchema): string[] {
  const sealed = sealedAttributeNames(schema);
  if (sealed.length === 0) return [];
  const tokenSet = TOKEN_SET_ATTRIBUTES.map(code).join(', ');
  return [
    '### Sealed tokens and their lifecycle',
    '',
    paragraph([
      `${sealed.map(code).join(' and ')} are **sealed**: the client stores each as an AWS Encryption SDK message, the value`,
      'encrypted under a data key of its own and the data key encrypted under the stage\'s token key (KMS in AWS),',
      `with the committing, unsigned suite ${code(AlgorithmSuiteIdentifier[TOKEN_ALGORITHM_SUITE]!)}.`,
      `Each message is bound to an encryption context of ${SEAL_CONTEXT_KEYS.map(code).join(', ')}: the physical table name,`,
      'the shop\'s domain and the attribute name. KMS decrypts the data key only under that same context, and the client',
      'compares the context in the message with the one it expects, so a ciphertext copied to another shop, attribute',
      'or table does not open. A role that may read the table but not decrypt with the token key sees ciphertext only;',
      'the token key\'s policy lets only the roles it names decrypt, so an IAM Allow of `kms:Decrypt` on `*` is not enough.',
      `The secrets are written and read only through the token store (${code('infra/client/token-store.ts')});`,
      `${code('shops.get')} never returns them.`,
    ]),
    '',
    paragraph([
      'Shopify\'s offline access tokens expire after about 60 minutes and come with a refresh token that has its own',
      `expiry; non-expiring offline tokens stop working for public apps on ${NON_EXPIRING_CUTOFF}. The store takes only`,
      'expiring tokens (each secret with its expiry), so a shop still on a non-expiring token must grant again before then.',
      `The token set is ${tokenSet}; every write below is one request.`,
    ]),
    '',
    markdownTable(
      ['step', 'client call', 'request', 'condition', 'when the condition fails'],
      [
        [
          'install (OAuth done), a re-install after an uninstall, or a newer grant of an installed shop',
          code('shops.install(profile, tokens, at)'),
          `PutItem of the profile and the sealed token set: a new ${code('installId')}, ${code('tokenVersion')} 1`,
          code(TOKEN_CONDITIONS.install),
          'ConflictError: the stored grant is as new or newer (a repeated or late OAuth callback); nothing changes',
        ],
        [
          'use',
          `${code('tokens.fresh(domain, refresh)')} or ${code('tokens.read(domain, open?)')}`,
          'GetItem, consistent, of the token set; one KMS Decrypt per secret opened',
          '—',
          'NotFoundError when the shop has no tokens (never installed, or uninstalled)',
        ],
        [
          'take the refresh lease (the access token expires within the margin)',
          code('tokens.fresh(domain, refresh)'),
          'UpdateItem of the lease holder and its expiry',
          code(LIFECYCLE_CONDITIONS.lease),
          'another worker holds the lease or refreshed first: wait and re-read',
        ],
        [
          'refresh, under the lease (or without one, by hand)',
          `${code('tokens.fresh(domain, refresh)')} or ${code('tokens.replace(domain, read, tokens)')}`,
          `UpdateItem of the token set, ${code('tokenVersion')} + 1, the lease removed`,
          `${code(LIFECYCLE_CONDITIONS.refresh)} (by hand: ${code(TOKEN_CONDITIONS.replace)})`,
          'ConflictError: another refresh won, or the shop uninstalled or re-installed; discard what was obtained and re-read',
        ],
        [
          'uninstall (`app/uninstalled`, at its event time)',
          code('shops.uninstall(domain, eventAt)'),
          `UpdateItem: SET ${code('uninstalledAt')} to the event time, REMOVE the whole token set and any lease`,
          code(TOKEN_CONDITIONS.remove),
          'nothing changes: the event repeats or predates the current install (NotFoundError for an unknown shop)',
        ],
        [
          'redact (`shop/redact`, 48 hours after the uninstall)',
          code('redactShop(domain)'),
          'the shop\'s jobs and history written before it began, then DeleteItem of the Shops item',
          code(LIFECYCLE_CONDITIONS.redact),
          'ShopInstalledError: the shop re-installed; its item is kept',
        ],
      ],
    ),
    '',
    paragraph([
      'The order of events Shopify produces (re-installs, webhooks redelivered for hours, concurrent refreshes) and what',
      'each does is in [docs/token-lifecycle.md](token-lifecycle.md). Errors name the table, the key and the operation',
      'only: never a token, in plain text or sealed.',
    ]),
    '',
  ];
}
