import { randomBytes } from 'node:crypto';
import { Session } from '@shopify/shopify-api';

const MINUTE = 60_000;

/** A webhook Shopify queued: its topic, its event time, and the Shopify install it follows. */
export interface Webhook {
  readonly topic: 'app/uninstalled' | 'shop/redact';
  readonly eventAt: Date;
  readonly install: number;
}

/**
 * Shopify's side of one shop in the lifecycle model: installs, the grants it issues (OAuth or a
 * token exchange: an expiring pair), the rotation of refresh tokens as its changelog of
 * 2026-08-28 describes it, and the webhooks it queues.
 */
export class FakeShopify {
  private readonly clock: () => number;
  readonly shop: string;
  installed = false;
  install = 0;
  /** When the app was last uninstalled on Shopify's side. */
  uninstalledAt = Number.NEGATIVE_INFINITY;
  readonly queue: Webhook[] = [];
  /** Every token issued, by value: the install it belongs to. */
  readonly issuedFor = new Map<string, number>();
  /** Refresh tokens Shopify accepts: the latest, and a used one until its replacement is used. */
  readonly validRefresh = new Set<string>();
  /** Access tokens Shopify accepts: those of the current install. */
  readonly validAccess = new Set<string>();
  /** Each refresh token issued by a refresh, with the one it replaced. */
  private readonly predecessor = new Map<string, string>();
  /** Refresh calls in progress now, and the most there ever were at once. */
  private inProgress = 0;
  mostAtOnce = 0;
  /** Refreshes Shopify's library made by itself (beside the lease): there must be none. */
  libraryRefreshes = 0;

  constructor(clock: () => number, shop: string) {
    this.clock = clock;
    this.shop = shop;
  }

  /** A grant of the current install: the offline session OAuth or a token exchange gives. */
  grant(): Session {
    const now = this.clock();
    const accessToken = `shpat_${randomBytes(8).toString('hex')}`;
    const refreshToken = `shprt_${randomBytes(8).toString('hex')}`;
    this.issuedFor.set(accessToken, this.install);
    this.issuedFor.set(refreshToken, this.install);
    this.validRefresh.add(refreshToken);
    this.validAccess.add(accessToken);
    return new Session({
      id: `offline_${this.shop}`,
      shop: this.shop,
      state: '',
      isOnline: false,
      scope: 'write_products,read_products',
      accessToken,
      expires: new Date(now + 60 * MINUTE),
      refreshToken,
      refreshTokenExpires: new Date(now + 90 * 24 * 60 * MINUTE),
    });
  }

  /** The refresh-token grant, as `shopify.api.auth.refreshToken` answers it. */
  refresh = async ({ refreshToken }: { refreshToken: string }): Promise<{ session: Session }> => {
    this.inProgress += 1;
    this.mostAtOnce = Math.max(this.mostAtOnce, this.inProgress);
    // Let other workers run in between, as a network call would.
    await new Promise((resolve) => setTimeout(resolve, 5));
    this.inProgress -= 1;
    if (!this.validRefresh.has(refreshToken)) throw Object.assign(new Error('invalid_grant'), { name: 'ShopifyInvalidGrant' });
    // Presenting a replacement retires the token it replaced.
    const replaced = this.predecessor.get(refreshToken);
    if (replaced !== undefined) this.validRefresh.delete(replaced);
    const session = this.grant();
    this.predecessor.set(session.refreshToken!, refreshToken);
    return { session };
  };

  uninstall(eventAt: Date): void {
    this.installed = false;
    this.uninstalledAt = eventAt.getTime();
    this.validRefresh.clear();
    this.validAccess.clear();
    this.queue.push({ topic: 'app/uninstalled', eventAt, install: this.install }, { topic: 'shop/redact', eventAt, install: this.install });
  }
}
