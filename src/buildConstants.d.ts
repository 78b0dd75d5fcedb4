/**
 * True only in the test build (out-test/); false in every other build, so the bundler drops the
 * code it guards. Defined by electron.vite.config.ts (see src/lab/testing/appBuilds.ts).
 */
declare const __SEQLAB_TEST_HOOKS__: boolean;
