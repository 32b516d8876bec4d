// Finds the browser bundle dist/viz.js that scripts/build.mjs writes, from the bundled CLI (dist/ssp.js,
// next to it) or from the sources (viz/, one level down from the repository root).

import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const CANDIDATES = ["./viz.js", "../dist/viz.js", "../../dist/viz.js"];

export function vizBundlePath(): string {
  for (const candidate of CANDIDATES) {
    const path = fileURLToPath(new URL(candidate, import.meta.url));
    if (existsSync(path) && path.endsWith("/dist/viz.js")) return path;
  }
  throw new Error("the viewer bundle dist/viz.js is missing; build it with 'npm run build'");
}

export function readVizBundle(): string {
  return readFileSync(vizBundlePath(), "utf8");
}
