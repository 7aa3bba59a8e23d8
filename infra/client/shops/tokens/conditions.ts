import { DOMAIN, INSTALLED_AT, INSTALL_ID, LEASE_EXPIRES_AT, LEASE_HOLDER, TOKEN_VERSION, UNINSTALLED_AT } from './token-set';

/**
 * How far apart the app's clock (a grant's time) and Shopify's (a webhook's event time) may be
 * taken to be, with the time a grant's answer takes to reach the store: a grant stored up to this
 * long after an uninstall's event time is taken to predate it (Shopify revoked it), and a
 * re-install must come later than that. A merchant needs longer to click through an install.
 */
export const GRANT_SKEW_MS = 10_000;

/**
 * The conditions of the token writes, with each `#name` standing for the attribute of that name
 * (printed as-is in the schema docs).
 */
export const TOKEN_CONDITIONS = {
  /** The first grant of a shop: no item yet. */
  create: `attribute_not_exists(#${DOMAIN})`,
  /**
   * A re-install: the uninstall read is still the stored one. The client has checked that the grant
   * is later than that uninstall by more than the skew: an earlier one was revoked by it.
   */
  reinstall: `#${UNINSTALLED_AT} = :uninstalledAt`,
  /**
   * A write within the generation read (a refresh, an invalidation, the same grant stored again) or
   * a new grant over it: that install and version are still current, and the shop still installed.
   */
  replace: `#${INSTALL_ID} = :installId AND #${TOKEN_VERSION} = :expectedVersion AND attribute_not_exists(#${UNINSTALLED_AT})`,
  /**
   * Uninstall: the shop is installed, and its grant was stored no later than the skew after the
   * webhook's event. A repeated event, or one older than a re-install, changes nothing.
   */
  remove: `attribute_not_exists(#${UNINSTALLED_AT}) AND #${INSTALLED_AT} <= :grantedBy`,
} as const;

/** The conditions of the lease writes and of redaction's delete of the Shops item. */
export const LIFECYCLE_CONDITIONS = {
  /** Take the refresh lease: the generation read is current and installed, and no lease is live. */
  lease: `${TOKEN_CONDITIONS.replace} AND (attribute_not_exists(#${LEASE_EXPIRES_AT}) OR #${LEASE_EXPIRES_AT} <= :now)`,
  /** Store a refresh under the lease: as a replace, and the lease is still this worker's. */
  refresh: `${TOKEN_CONDITIONS.replace} AND #${LEASE_HOLDER} = :holder`,
  /** Release the lease after a failed refresh: only this worker's. */
  release: `#${LEASE_HOLDER} = :holder`,
  /** Give tokens stored before install generations their install id: unchanged since read, still installed. */
  adopt: `attribute_not_exists(#${INSTALL_ID}) AND #${TOKEN_VERSION} = :expectedVersion AND attribute_not_exists(#${UNINSTALLED_AT})`,
  /** Redaction deletes the Shops item of the uninstalled generation it read, never a re-install. */
  redact: `#${UNINSTALLED_AT} = :uninstalledAt`,
} as const;
