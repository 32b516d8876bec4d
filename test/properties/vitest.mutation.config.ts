// The tests Stryker runs against each mutant of core/: the core unit tests and the property tests only
// (the runtime, simulator and browser suites are slow and are not what proves the core).
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  root: fileURLToPath(new URL("../..", import.meta.url)),
  test: {
    include: ["test/core/**/*.test.ts", "test/properties/**/*.test.ts"],
    testTimeout: 120_000,
  },
});
