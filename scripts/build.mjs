// Builds dist/ssp.js (the CLI, for Node) with esbuild. Runs on `npm install` via the prepare script.
import { chmodSync, existsSync, mkdirSync } from "node:fs";
import { build } from "esbuild";

mkdirSync("dist", { recursive: true });
await build({
  entryPoints: ["cli/ssp.ts"],
  outfile: "dist/ssp.js",
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  packages: "external",
  sourcemap: true,
  banner: { js: "#!/usr/bin/env node" },
  logLevel: "warning",
});
chmodSync("dist/ssp.js", 0o755);
if (existsSync("viz/main.ts")) {
  await build({
    entryPoints: ["viz/main.ts"],
    outfile: "dist/viz.js",
    bundle: true,
    platform: "browser",
    format: "iife",
    target: "es2020",
    minify: true,
    logLevel: "warning",
  });
}
