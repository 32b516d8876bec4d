// Mutation testing of the SSP core: `npm run test:mutation` (not in CI; it takes a while).
// The property tests run with SSP_PROP_RUNS schedules per property (set by the npm script) to stay fast.

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: "vitest",
  vitest: { configFile: "test/properties/vitest.mutation.config.ts", related: false },
  mutate: ["core/**/*.ts", "!core/trace-format.ts", "!core/memory-host.ts"],
  coverageAnalysis: "perTest",
  // Module-level mutants would rerun every test with a fresh module graph: costly, and core/ has few.
  ignoreStatic: true,
  concurrency: 2,
  timeoutMS: 60_000,
  reporters: ["clear-text", "progress", "html", "json"],
  htmlReporter: { fileName: "reports/mutation/index.html" },
  jsonReporter: { fileName: "reports/mutation/mutation.json" },
  // Reruns only mutants whose code or covering tests changed since the last run.
  incremental: true,
  incrementalFile: "reports/mutation/stryker-incremental.json",
  tempDirName: ".stryker-tmp",
  cleanTempDir: "always",
  // Only what the core's tests need goes into the sandbox.
  ignorePatterns: ["/*", "!/core", "!/test", "!/package.json", "!/tsconfig.json", "!/stryker.config.mjs"],
  thresholds: { high: 90, low: 85, break: null },
};
