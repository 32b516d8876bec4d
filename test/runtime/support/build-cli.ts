// Builds the ssp CLI for tests that spawn real processes. Each test file gets its own output file, so
// parallel test files never race on one bundle, and dist/ssp.js is left to `npm run build`.

import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { build } from "esbuild";

const ROOT = resolve(import.meta.dirname, "../../..");

export async function buildCli(name: string): Promise<string> {
  // Inside the repository, so the bundle's external packages resolve from its node_modules.
  const dir = join(ROOT, "dist", ".test-bin");
  mkdirSync(dir, { recursive: true });
  const outfile = join(dir, `${name}-${process.pid}.js`);
  await build({
    entryPoints: [join(ROOT, "cli/ssp.ts")],
    outfile,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    packages: "external",
    logLevel: "warning",
  });
  return outfile;
}
