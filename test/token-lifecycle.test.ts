import fc from 'fast-check';
import { runSequence, sequenceArbitrary, type Step } from './support/lifecycle-model';
import { startLocalTables, type LocalTables } from './support/local-tables';

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

/** Orders Shopify produces that broke the token store, kept as they were found or shrunk. */
const REGRESSIONS: Record<string, readonly Step[]> = {
  'a stale refresh of the first install after an uninstall and re-install': [
    { kind: 'install' },
    { kind: 'holdRead' },
    { kind: 'uninstall' },
    { kind: 'deliver', index: 0, again: false },
    { kind: 'install' },
    { kind: 'staleRefresh' },
  ],
  'a late app/uninstalled of the first install after a re-install': [
    { kind: 'install' },
    { kind: 'uninstall' },
    { kind: 'install' },
    { kind: 'deliver', index: 0, again: false },
  ],
  'an app/uninstalled delivered twice, the second time after a re-install': [
    { kind: 'install' },
    { kind: 'uninstall' },
    { kind: 'deliver', index: 0, again: true },
    { kind: 'install' },
    { kind: 'job' },
    { kind: 'deliver', index: 0, again: false },
  ],
  'shop/redact of the first install arriving after a re-install': [
    { kind: 'install' },
    { kind: 'job' },
    { kind: 'uninstall' },
    { kind: 'deliver', index: 0, again: false },
    { kind: 'requestRedact' },
    { kind: 'install' },
    { kind: 'job' },
    { kind: 'deliver', index: 0, again: true },
  ],
  'three workers refreshing an expired token at once, then a stale refresh that Shopify still accepts': [
    { kind: 'install' },
    { kind: 'holdRead' },
    { kind: 'tick', minutes: 58 },
    { kind: 'fresh', workers: 3 },
    { kind: 'staleRefresh' },
    { kind: 'tick', minutes: 58 },
    { kind: 'fresh', workers: 2 },
  ],
  'a refresh while the uninstall webhook is on its way': [
    { kind: 'install' },
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
