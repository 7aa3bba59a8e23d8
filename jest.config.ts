import type { Config } from 'jest';

const config: Config = {
  // aws-cdk-lib, constructs and cdk-nag load once per worker, not once per test file: the
  // resolver sends test files' imports of them to Node's loader, which the environment provides.
  testEnvironment: '<rootDir>/test/support/host-module-environment.ts',
  resolver: '<rootDir>/test/support/host-module-resolver.ts',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // Types are checked once by TypeScript 7's `tsc --noEmit` in `npm test`, which also compiles the
  // modules in one pass (compiled-transform.cjs). What it did not compile, ts-jest transpiles
  // (isolatedModules), with the 5.x API it needs (package.json `typescript`), to CommonJS, where
  // the transformer gives `import.meta.dirname`, `.filename` and `.main` their CommonJS forms.
  transform: { '^.+\\.ts$': ['<rootDir>/test/support/compiled-transform.cjs', { astTransformers: { before: ['<rootDir>/test/support/import-meta-transformer.cjs'] } }] },
  // Jest's default of cores - 1 is one worker on the 2-core CI machine; two finish ~4 s sooner,
  // even beside the type-check that `npm test` runs at the same time.
  maxWorkers: 2,
  // The longest suite starts first (see the sequencer), so it never runs alone at the end.
  testSequencer: '<rootDir>/test/support/slow-first-sequencer.ts',
  // A timeout stops a hang; it never judges speed. The slowest hook takes a few seconds on an idle
  // machine and under a minute on a loaded one, so two minutes fails only what would never finish.
  testTimeout: 120_000,
  // A worker leaves nothing open: it reaches its exit within 60 ms of Jest's last message. Its
  // process then takes 150-550 ms (300-700 MB to release; the longest on a loaded 2-core machine)
  // to end, and Jest's default of 500 ms killed it and printed its open-handle warning. A handle
  // left open holds a worker forever, so it is still reported, after 5 s.
  workerGracefulExitTimeout: 5_000,
  setupFiles: ['<rootDir>/test/support/env.ts'],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
};

export default config;
