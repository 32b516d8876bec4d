// Writes the self-contained timeline page for a trace file: what `ssp viz TRACE --out DIR` does, and what a
// report uses to link each run to its timeline.

import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { parseTrace, TraceFormatError } from "../core/trace-format.ts";
import { readVizBundle } from "./bundle.ts";
import { buildPage } from "./page.ts";

/** Reads and validates a trace file, so a bad file is reported with its path and line. */
export function readTraceFile(path: string): string {
  if (!existsSync(path)) throw new Error(`no trace at ${path}; write one with 'ssp sim … --trace ${path}'`);
  const text = readFileSync(path, "utf8");
  try {
    parseTrace(text);
  } catch (e) {
    if (e instanceof TraceFormatError) throw new Error(`${path} is not a valid ssptable trace: ${e.message}`);
    throw e;
  }
  return text;
}

/** Writes `outDir/fileName` (default index.html) with the trace embedded; returns the page's path. */
export function writeTimelinePage(tracePath: string, outDir: string, fileName = "index.html"): string {
  if (existsSync(outDir) && !statSync(outDir).isDirectory()) {
    throw new Error(`${outDir} is a file; give a directory (it is created if missing)`);
  }
  const traceText = readTraceFile(tracePath);
  const traceName = basename(tracePath);
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, fileName);
  writeFileSync(
    file,
    buildPage({ script: readVizBundle(), traceText, traceName, title: `${traceName} · ssptable timeline` }),
  );
  return file;
}
