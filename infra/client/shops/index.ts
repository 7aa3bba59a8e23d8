export { ShopsClient, type ShopsClientOptions } from './shops-client';
export { BILLING_STATUSES, PROFILE_CONDITIONS, type BillingStatus, type ProfileUpdateOptions, type Shop, type ShopProfile, type ShopProfileChanges, type ShopProfileFields } from './profile';
export * from './tokens';
