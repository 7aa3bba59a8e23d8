import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { LIFECYCLE_CONDITIONS, TOKEN_CONDITIONS } from '../../../../../infra/client/shops';
import { runSequence, sequenceArbitrary, type Step } from '../../../../support/lifecycle-model';
import { startLocalTables, type LocalTables } from '../../../../support/local-tables';

/** `npm run test:lifecycle -- --runs N` sets this; the gate runs the default. */
const RUNS = Number(process.env.LIFECYCLE_RUNS ?? 200);
/** Fixed, so the gate runs the same sequences every time; the long run takes its own. */
const SEED = Number(process.env.LIFECYCLE_SEED ?? 22);

let local: LocalTables;
let shopCount = 0;
/** Every sequence, shrinking runs included, gets a shop of its own on the one engine. */
const nextShop = () => `model-${(shopCount += 1)}.myshopify.com`;

beforeAll(async () => {
  local = await startLocalTables();
});

afterAll(() => local.close());

/**
 * Orders Shopify produces that broke the token store: the reproductions, and the shrunk
 * counterexamples the property found when a guard was taken out (named after the guard).
 */
const REGRESSIONS: Record<string, readonly Step[]> = {
  'two admin requests at once find the token near expiry: one call to Shopify, and the library never refreshes by itself': [
    { kind: 'install', via: 'session' },
    { kind: 'tick', minutes: 56 },
    { kind: 'load', workers: 2 },
    { kind: 'tick', minutes: 54 },
    { kind: 'load', workers: 3 },
  ],
  'a token exchange answered before the uninstall and stored after its webhook is refused; stored before it, the webhook removes it': [
    { kind: 'install', via: 'session' },
    { kind: 'exchangeDuringUninstall', deliverFirst: true },
    { kind: 'install', via: 'session' },
    { kind: 'exchangeDuringUninstall', deliverFirst: false },
    { kind: 'deliver', index: 0, again: false },
  ],
  'a refresh answered after a re-install never overwrites the re-install\'s grant': [
    { kind: 'install', via: 'session' },
    { kind: 'refreshDuringReinstall' },
    { kind: 'deliver', index: 0, again: false },
    { kind: 'load', workers: 2 },
  ],
  'a 401 after the merchant uninstalled leaves the shop installed until app/uninstalled, which then uninstalls it': [
    { kind: 'install', via: 'session' },
    { kind: 'uninstall' },
    { kind: 'load', workers: 2 },
    { kind: 'deliver', index: 0, again: false },
    { kind: 'deliver', index: 0, again: false },
  ],
  'found by 2,000 sequences: a refresh due after the session was deleted has nothing to refresh': [
    { kind: 'install', via: 'oauth' },
    { kind: 'deleteSession' },
    { kind: 'refreshDuringReinstall' },
  ],
  'a deleted offline session: the shop stays installed, the next admin request grants anew': [
    { kind: 'install', via: 'oauth' },
    { kind: 'deleteSession' },
    { kind: 'fresh', workers: 2 },
    { kind: 'load', workers: 2 },
  ],
  'shrunk, without the install id in the refresh condition: a refresh started before a quick re-install writes back after it': [
    { kind: 'install', via: 'oauth' },
    { kind: 'startRefresh' },
    { kind: 'reinstall' },
    { kind: 'finishRefresh' },
    { kind: 'uninstall' },
  ],
  'shrunk, without the event time in the uninstall condition: the first install\'s app/uninstalled after a re-install': [
    { kind: 'install', via: 'oauth' },
    { kind: 'reinstall' },
    { kind: 'deliver', index: 0, again: false },
    { kind: 'reinstall' },
  ],
  'shrunk, without the event time in the uninstall condition: app/uninstalled redelivered after shop/redact deleted the shop': [
    { kind: 'install', via: 'oauth' },
    { kind: 'uninstall' },
    { kind: 'deliver', index: 0, again: true },
    { kind: 'deliver', index: 1, again: false },
    { kind: 'deliver', index: 0, again: false },
  ],
  'shrunk, without the installed check in redaction: shop/redact of the first install delivered after a re-install': [
    { kind: 'install', via: 'oauth' },
    { kind: 'reinstall' },
    { kind: 'deliver', index: 1, again: false },
    { kind: 'fresh', workers: 1 },
  ],
  'shrunk, without the refresh lease: two workers find the token expiring at once': [
    { kind: 'install', via: 'oauth' },
    { kind: 'tick', minutes: 55 },
    { kind: 'fresh', workers: 2 },
    { kind: 'uninstall' },
  ],
  'a stale refresh of the first install after an uninstall and re-install': [
    { kind: 'install', via: 'oauth' },
    { kind: 'startRefresh' },
    { kind: 'uninstall' },
    { kind: 'deliver', index: 0, again: false },
    { kind: 'install', via: 'oauth' },
    { kind: 'finishRefresh' },
  ],
  'a late app/uninstalled of the first install after a re-install': [
    { kind: 'install', via: 'oauth' },
    { kind: 'uninstall' },
    { kind: 'install', via: 'oauth' },
    { kind: 'deliver', index: 0, again: false },
  ],
  'an app/uninstalled delivered twice, the second time after a re-install': [
    { kind: 'install', via: 'oauth' },
    { kind: 'uninstall' },
    { kind: 'deliver', index: 0, again: true },
    { kind: 'install', via: 'oauth' },
    { kind: 'deliver', index: 0, again: false },
  ],
  'shop/redact of the first install arriving after a re-install': [
    { kind: 'install', via: 'oauth' },
    { kind: 'uninstall' },
    { kind: 'deliver', index: 0, again: false },
    { kind: 'install', via: 'oauth' },
    { kind: 'deliver', index: 0, again: true },
  ],
  'three workers refreshing an expired token at once, while a refresh started earlier is still to write': [
    { kind: 'install', via: 'oauth' },
    { kind: 'startRefresh' },
    { kind: 'tick', minutes: 58 },
    { kind: 'fresh', workers: 3 },
    { kind: 'finishRefresh' },
    { kind: 'tick', minutes: 58 },
    { kind: 'fresh', workers: 2 },
  ],
  'a refresh while the uninstall webhook is on its way': [
    { kind: 'install', via: 'oauth' },
    { kind: 'uninstall' },
    { kind: 'tick', minutes: 60 },
    { kind: 'fresh', workers: 2 },
    { kind: 'deliver', index: 0, again: false },
  ],
};

describe('regressions of the token lifecycle', () => {
  test.each(Object.entries(REGRESSIONS))('%s', async (_, steps) => {
    await runSequence(local, nextShop(), steps);
  });
});

test(`random interleavings of installs, refreshes, uninstalls, late and repeated webhooks and redactions keep every invariant (${RUNS} sequences, seed ${SEED})`, async () => {
  await fc.assert(
    fc.asyncProperty(sequenceArbitrary, (steps) => runSequence(local, nextShop(), steps)),
    { numRuns: RUNS, seed: SEED },
  );
});

test('docs/token-lifecycle.md quotes every condition the client writes under, as it sends it', () => {
  const doc = readFileSync(join(__dirname, '..', '..', '..', '..', '..', 'docs', 'token-lifecycle.md'), 'utf8');
  for (const condition of [...Object.values(TOKEN_CONDITIONS), ...Object.values(LIFECYCLE_CONDITIONS)]) expect(doc).toContain(`\`${condition}\``);
});
