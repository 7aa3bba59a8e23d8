import { AlgorithmSuiteIdentifier } from '@aws-crypto/client-node';
import { GRANT_SKEW_MS, LIFECYCLE_CONDITIONS, PROFILE_CONDITIONS, SEAL_CONTEXT_KEYS, SHOPIFY_NON_EXPIRING_CUTOVER, TOKEN_ALGORITHM_SUITE, TOKEN_CONDITIONS, TOKEN_SET_ATTRIBUTES } from '../../infra/client';
import { sealedAttributeNames, type TableSchema } from '../../infra/data/schema-model';
import { code, markdownTable, paragraph } from '../shared/markdown';

/**
 * How a table's sealed attributes are encrypted and how the token set lives through grants,
 * refresh, invalidation and uninstall, rendered from the map and the token store's own constants;
 * it ends with a blank line. Empty for a table that seals nothing.
 */
export function tokenSection(schema: TableSchema): string[] {
  const sealed = sealedAttributeNames(schema);
  if (sealed.length === 0) return [];
  const tokenSet = TOKEN_SET_ATTRIBUTES.map(code).join(', ');
  const skew = `${GRANT_SKEW_MS / 1000} s`;
  return [
    '### Sealed tokens and their lifecycle',
    '',
    paragraph([
      `${sealed.map(code).join(' and ')} are **sealed**: the client stores each as an AWS Encryption SDK message, the value`,
      'encrypted under a data key of its own and the data key encrypted under the stage\'s token key (KMS in AWS),',
      `with the committing, unsigned suite ${code(AlgorithmSuiteIdentifier[TOKEN_ALGORITHM_SUITE]!)}.`,
      `Each message is bound to an encryption context of ${SEAL_CONTEXT_KEYS.slice(0, 3).map(code).join(', ')}: the physical table name,`,
      'the shop\'s domain and the attribute name. KMS decrypts the data key only under that same context, and the client',
      'compares the context in the message with the one it expects, so a ciphertext copied to another shop, attribute',
      'or table does not open. A role that may read the table but not decrypt with the token key sees ciphertext only;',
      'the token key\'s policy lets only the roles it names decrypt, so an IAM Allow of `kms:Decrypt` on `*` is not enough.',
      `An online session's access token (a user's) is sealed the same way with a fourth key, ${code(SEAL_CONTEXT_KEYS[3])}: the`,
      'session id, and kept by the app\'s session storage, never here.',
      `The secrets are written and read only through the token store (${code('infra/client/shops/tokens/')});`,
      `${code('shops.get')} never returns them.`,
    ]),
    '',
    paragraph([
      'Shopify\'s expiring offline access tokens last about 60 minutes and come with a refresh token (with or without an',
      `expiry); a non-expiring offline token is stored until ${SHOPIFY_NON_EXPIRING_CUTOVER.toISOString().slice(0, 10)}, when Shopify stops accepting`,
      'them for public apps, and refused after it. An installed shop may hold no usable token (Shopify refused it with a',
      `401, or the app deleted its session) without being uninstalled. The token set is ${tokenSet}. A grant is decided`,
      'from one consistent read of the item (by the stored access token, opened, against the one given); each write below',
      'is one request, and a write that finds the item changed since that read reads and decides again.',
    ]),
    '',
    markdownTable(
      ['step', 'client call', 'request', 'condition', 'when the condition fails'],
      [
        [
          'the first grant of a shop (OAuth or token exchange)',
          `${code('shops.install(profile, tokens, at)')} or ${code('tokens.grant(domain, tokens)')}`,
          `PutItem of the profile (if any) and the sealed token set: a new ${code('installId')}, ${code('tokenVersion')} 1`,
          code(TOKEN_CONDITIONS.create),
          'read again and decide again (another grant was first)',
        ],
        [
          `a grant after the uninstall, later than it by more than ${skew}`,
          'the same',
          `UpdateItem: a new generation, the profile kept, ${code('uninstalledAt')} removed`,
          code(TOKEN_CONDITIONS.reinstall),
          `read again; a grant within ${skew} of the uninstall is refused first (StaleGrantError: Shopify revoked it)`,
        ],
        [
          'a new grant of an installed shop (another access token)',
          'the same',
          'UpdateItem: a new generation, the profile kept',
          code(TOKEN_CONDITIONS.replace),
          `read again; a grant older than the stored one by more than ${skew} is refused first (ConflictError: a late callback)`,
        ],
        [
          'the stored grant again (the same access token)',
          'the same',
          'nothing when every field is the same; otherwise UpdateItem within the generation',
          code(TOKEN_CONDITIONS.replace),
          'read again',
        ],
        [
          'use',
          `${code('tokens.fresh(domain, refresh)')} or ${code('tokens.read(domain, open?)')}`,
          'GetItem, consistent, of the token set; a KMS Decrypt per secret opened that this process has not opened lately',
          '—',
          'NotFoundError when the shop is not installed; NoTokenError from fresh when it holds no usable token',
        ],
        [
          'take the refresh lease (the access token expires within the margin, or there is none)',
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
          'Shopify refused the access token (a 401), or the app deleted the offline session',
          code('tokens.invalidate(domain, options?)'),
          `UpdateItem: REMOVE the access token (with ${code('discardRefresh')}, the refresh token too), ${code('tokenVersion')} + 1`,
          code(TOKEN_CONDITIONS.replace),
          'read again; given the generation that was served, a newer one is left alone',
        ],
        [
          'the profile changes (plan, billing, settings)',
          code('shops.update(domain, changes, { installId?, eventAt? })'),
          'UpdateItem of the fields given',
          `${code(PROFILE_CONDITIONS.installed)}, and ${code(PROFILE_CONDITIONS.ofInstall)} or ${code(PROFILE_CONDITIONS.ofEvent)} when given`,
          'NotFoundError when the shop is not installed; ConflictError when it was installed again since',
        ],
        [
          'uninstall (`app/uninstalled`, at its event time)',
          code('shops.uninstall(domain, eventAt)'),
          `UpdateItem: SET ${code('uninstalledAt')} to the event time, REMOVE the whole token set and any lease`,
          `${code(TOKEN_CONDITIONS.remove)} (${code(':grantedBy')}: the event time + ${skew})`,
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
