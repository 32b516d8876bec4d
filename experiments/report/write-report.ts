// Writes the report and, beside it, every figure as its own SVG file (for papers and slides):
// <out>/report.html and <out>/figures/<setting>/<figure>.svg.

import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { bySetting, settingTargets } from "../figures/groups.ts";
import { settingFigures } from "../figures/index.ts";
import type { RunResult } from "../sweep/results.ts";
import { buildReport, type ReportOptions, settingSlug } from "./report.ts";

export interface WrittenReport {
  reportPath: string;
  figurePaths: string[];
}

export function writeReport(outDir: string, results: RunResult[], options: ReportOptions): WrittenReport {
  const html = buildReport(results, options);
  mkdirSync(outDir, { recursive: true });
  const reportPath = join(outDir, "report.html");
  writeFileSync(reportPath, html);
  const figurePaths: string[] = [];
  bySetting(results).forEach((group, i) => {
    const dir = join(outDir, "figures", settingSlug(group.label, i));
    mkdirSync(dir, { recursive: true });
    for (const figure of settingFigures(group.runs, settingTargets(group.runs, options.targets))) {
      const path = join(dir, `${figure.name}.svg`);
      writeFileSync(path, `<?xml version="1.0" encoding="UTF-8"?>\n${figure.svg}\n`);
      figurePaths.push(path);
    }
  });
  return { reportPath, figurePaths };
}
