// `ssp sweep --paper`: the paper's experiments, one sweep per config in this folder, then a markdown
// account of each claim (holds or not, with the numbers).

import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { packageRoot } from "../package-root.ts";
import { type SweepSpec, specFromJson } from "../sweep/grid.ts";
import type { RunResult } from "../sweep/results.ts";
import { runSweep } from "../sweep/sweep.ts";
import { claimsMarkdown, scalingTable, settingStats } from "./claims.ts";

export interface PaperExperiment {
  name: string;
  title: string;
  spec: SweepSpec;
}

export function paperExperiments(): PaperExperiment[] {
  const dir = join(packageRoot(), "experiments", "paper");
  return readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((file) => {
      const path = join(dir, file);
      const raw = JSON.parse(readFileSync(path, "utf8")) as { title?: string };
      return { name: file.replace(/\.json$/, ""), title: raw.title ?? file, spec: specFromJson(raw, path) };
    });
}

export interface PaperOutcome {
  name: string;
  title: string;
  outDir: string;
  results: RunResult[];
  wallClockSeconds: number;
}

export async function runPaper(options: {
  outDir: string;
  jobs: number;
  script: string;
  only?: string[];
  log: (line: string) => void;
}): Promise<{ outcomes: PaperOutcome[]; markdown: string }> {
  const outcomes: PaperOutcome[] = [];
  for (const exp of paperExperiments()) {
    if (options.only !== undefined && !options.only.includes(exp.name)) continue;
    options.log(`paper experiment ${exp.name}: ${exp.title}`);
    const outDir = join(options.outDir, exp.name);
    const outcome = await runSweep({
      spec: exp.spec,
      outDir,
      jobs: options.jobs,
      script: options.script,
      keepTraces: true,
      log: options.log,
    });
    outcomes.push({ ...exp, outDir, results: outcome.results, wallClockSeconds: outcome.wallClockSeconds });
  }
  const parts = ["# The paper's claims in the simulator", ""];
  for (const o of outcomes) {
    const stats = settingStats(o.results);
    parts.push(claimsMarkdown(o.title, stats));
    if (o.name === "scaling") parts.push("Time to target (median over seeds):", "", scalingTable(stats), "");
  }
  const markdown = parts.join("\n");
  writeFileSync(join(options.outDir, "RESULTS.md"), markdown);
  return { outcomes, markdown };
}
