// A sweep end to end: parallel children, results files, resuming, and reproducibility.

import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { expandGrid, parseModel, type SweepSpec } from "../../experiments/sweep/grid.ts";
import { readResults, runSweep } from "../../experiments/sweep/sweep.ts";

const spec: SweepSpec = {
  apps: [{ name: "mf", options: { users: "60", items: "60" } }],
  models: ["bsp", "ssp:2"],
  workers: [4],
  machines: [2],
  servers: [2],
  profiles: ["paper-2013"],
  stragglers: ["jitter:mean=0.3"],
  seeds: [1, 2],
  clocks: 5,
};

const withoutWallClock = (csv: string) =>
  csv
    .trim()
    .split("\n")
    .map((line) => line.replace(/,[^,]*$/, "")) // wall_clock_seconds is the last column
    .join("\n");

describe("sweep", () => {
  it("expands a grid and refuses bad models and shapes", () => {
    expect(expandGrid(spec)).toHaveLength(4);
    expect(parseModel("essp:3")).toEqual({ consistency: "essp", staleness: 3 });
    expect(() => parseModel("ssp")).toThrow(/not one of bsp, async, ssp:S, essp:S/);
    expect(() => expandGrid({ ...spec, machines: [8] })).toThrow(/8 machines and 4 workers/);
  });

  it("runs in parallel, resumes, and gives the same results.csv twice (but for wall-clock columns)", async () => {
    const run = (outDir: string, jobs: number) =>
      runSweep({ spec, outDir, jobs, script: "dist/ssp.js", keepTraces: true, log: () => {} });
    const a = mkdtempSync(join(tmpdir(), "ssp-sweep-a-"));
    const b = mkdtempSync(join(tmpdir(), "ssp-sweep-b-"));
    const first = await run(a, 2);
    expect(first.ran).toBe(4);
    expect(first.failed).toBe(0);
    expect(readResults(join(a, "results.jsonl"))).toHaveLength(4);
    // One trace per model in the setting (the first seed's).
    expect(first.results.filter((r) => r.trace !== undefined)).toHaveLength(2);
    const again = await run(a, 2);
    expect(again.ran).toBe(0);
    expect(again.skipped).toBe(4);
    await run(b, 1);
    const csvA = readFileSync(join(a, "results.csv"), "utf8");
    const csvB = readFileSync(join(b, "results.csv"), "utf8");
    expect(csvA.split("\n")[0]).toMatch(/wall_clock_seconds$/);
    expect(withoutWallClock(csvA)).toBe(withoutWallClock(csvB));
  });

  it("runs a grid on the TCP runtime with the same outputs", async () => {
    const outDir = mkdtempSync(join(tmpdir(), "ssp-sweep-rt-"));
    const outcome = await runSweep({
      spec: { ...spec, host: "runtime", models: ["ssp:2"], seeds: [1] },
      outDir,
      jobs: 1,
      script: "dist/ssp.js",
      keepTraces: false,
      log: () => {},
    });
    expect(outcome.failed).toBe(0);
    const [run] = outcome.results;
    expect(run.config.host).toBe("runtime");
    expect(run.summary.clocks).toBe(5);
    expect(run.summary.stalenessP99).toBeLessThanOrEqual(2);
    expect(Number.isFinite(run.summary.objective)).toBe(true);
    // A curve like the simulator's: the objective at every clock (the grid's objectiveEvery is 1), in time
    // order, ending at the final objective.
    expect(run.curve.map((p) => p.clock)).toEqual([0, 1, 2, 3, 4, 5]);
    for (let i = 1; i < run.curve.length; i++) expect(run.curve[i].t).toBeGreaterThan(run.curve[i - 1].t);
    expect(run.curve.at(-1)!.value).toBe(run.summary.objective);
    expect(readFileSync(join(outDir, "results.csv"), "utf8")).toMatch(/\nruntime,|,runtime,/);
  });
});
