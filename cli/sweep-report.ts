// After a sweep: a timeline page for every run that kept a trace, then the report that links them.
// Composed here because it joins experiments/ (the report) and viz/ (the timeline pages).

import { existsSync } from "node:fs";
import { join } from "node:path";
import { writeReport } from "../experiments/report/write-report.ts";
import type { RunResult } from "../experiments/sweep/results.ts";
import { writeTimelinePage } from "../viz/write-page.ts";

export function writeSweepReport(
  outDir: string,
  results: RunResult[],
  options: { title: string; command: string; wallClockSeconds: number; log: (line: string) => void },
): string {
  const timelines: Record<string, string> = {};
  for (const r of results) {
    if (r.trace === undefined || !existsSync(join(outDir, r.trace))) continue;
    const name = `${r.hash.slice(0, 16)}.html`;
    writeTimelinePage(join(outDir, r.trace), join(outDir, "timelines"), name);
    timelines[r.hash] = `timelines/${name}`;
  }
  options.log(`report: ${Object.keys(timelines).length} timeline pages`);
  return writeReport(outDir, results, {
    title: options.title,
    timelines,
    command: options.command,
    wallClockSeconds: options.wallClockSeconds,
  }).reportPath;
}
