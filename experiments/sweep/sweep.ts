// A whole sweep: expand the grid, skip runs already in results.jsonl, run the rest in parallel, and write
// results.jsonl (appended run by run, so an interrupted sweep loses nothing) and results.csv.

import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { expandGrid, runHash, type SweepSpec, settingOf } from "./grid.ts";
import { type RunRequest, runPool } from "./pool.ts";
import { ProgressBar } from "./progress-bar.ts";
import { modelLabel, type RunResult, toCsv } from "./results.ts";

export interface SweepOptions {
  spec: SweepSpec;
  outDir: string;
  jobs: number;
  /** dist/ssp.js, started as the sweep's children. */
  script: string;
  /** Keep traces for the runs the report shows (the first seed of every model in every setting). */
  keepTraces: boolean;
  log: (line: string) => void;
}

export interface SweepOutcome {
  /** The results of this sweep's grid, old and new. */
  results: RunResult[];
  ran: number;
  skipped: number;
  failed: number;
  wallClockSeconds: number;
}

/** Reads results.jsonl; a damaged line stops the sweep rather than being overwritten. */
export function readResults(path: string): RunResult[] {
  if (!existsSync(path)) return [];
  const out: RunResult[] = [];
  readFileSync(path, "utf8")
    .split("\n")
    .forEach((line, i) => {
      if (line.trim() === "") return;
      try {
        out.push(JSON.parse(line) as RunResult);
      } catch (e) {
        throw new Error(
          `${path} line ${i + 1} is not a JSON result (${(e as Error).message}); fix or remove that line, or use another --out folder`,
        );
      }
    });
  return out;
}

export async function runSweep(options: SweepOptions): Promise<SweepOutcome> {
  const started = performance.now();
  const { outDir } = options;
  mkdirSync(join(outDir, "traces"), { recursive: true });
  const jsonlPath = join(outDir, "results.jsonl");
  const existing = new Map(readResults(jsonlPath).map((r) => [r.hash, r]));
  const configs = expandGrid(options.spec);
  const traced = new Set<string>();
  const requests: RunRequest[] = [];
  let skipped = 0;
  configs.forEach((config, id) => {
    const hash = runHash(config);
    const showKey = `${settingOf(config).id}/${modelLabel(config.consistency, config.staleness)}`;
    const wantsTrace = options.keepTraces && !traced.has(showKey);
    if (wantsTrace) traced.add(showKey);
    if (existing.has(hash)) {
      skipped++;
      return;
    }
    const relativePath = `traces/${hash.slice(0, 16)}.jsonl`;
    requests.push({
      id,
      config,
      trace: wantsTrace ? { absolutePath: join(outDir, relativePath), relativePath } : undefined,
    });
  });
  options.log(
    `sweep: ${configs.length} runs (${skipped} already in ${jsonlPath}, ${requests.length} to run on ${Math.min(options.jobs, Math.max(1, requests.length))} processes)`,
  );
  const bar = new ProgressBar(requests.length, "sweep");
  const { failed } = await runPool(requests, {
    script: options.script,
    jobs: options.jobs,
    onResult: (result) => {
      appendFileSync(jsonlPath, `${JSON.stringify(result)}\n`);
      existing.set(result.hash, result);
      bar.tick();
    },
    onError: (request, error) => {
      options.log(`run failed: ${JSON.stringify(request.config)}: ${error}`);
      bar.tick();
    },
  });
  const all = [...existing.values()];
  writeFileSync(join(outDir, "results.csv"), toCsv(all));
  const wanted = new Set(configs.map(runHash));
  return {
    results: all.filter((r) => wanted.has(r.hash)),
    ran: requests.length - failed,
    skipped,
    failed,
    wallClockSeconds: (performance.now() - started) / 1000,
  };
}
