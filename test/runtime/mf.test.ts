// The same app, config and seed on both hosts: matrix factorisation over the TCP runtime (real processes)
// must reach the objective the simulator reaches, within 5% (the runtime's interleavings differ, so the
// SGD path differs a little; the bound says it converges to the same place).

import { rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findApp } from "../../apps/index.ts";
import { simulate } from "../../sim/simulate.ts";
import { buildCli } from "./support/build-cli.ts";
import { type Run, runCli } from "./support/run-cli.ts";

let bin = "";
beforeAll(async () => {
  bin = await buildCli("mf-test");
});
afterAll(() => {
  rmSync(bin, { force: true });
});

function launchJson(args: string[]): Promise<Run> {
  return runCli(bin, ["launch", ...args, "--json"], 90_000);
}

describe("MF on the runtime and in the simulator", () => {
  it("2 servers × 4 workers, SSP s=2, 20 clocks: the runtime's training loss is within 5% of the simulator's", async () => {
    const factory = findApp("mf");
    if (factory === undefined) throw new Error("the mf app is not registered in apps/index.ts");
    const sim = await simulate({
      app: factory.create({}, { workers: 4, seed: 1 }),
      workers: 4,
      machines: 2,
      servers: 2,
      consistency: "ssp",
      staleness: 2,
      clocks: 20,
      seed: 1,
      objectiveEvery: 20,
    });
    const run = await launchJson([
      "--app",
      "mf",
      "--servers",
      "2",
      "--workers",
      "4",
      "--workers-per-process",
      "2",
      "--consistency",
      "ssp",
      "--staleness",
      "2",
      "--clocks",
      "20",
      "--seed",
      "1",
    ]);
    expect(run.code, run.stderr).toBe(0);
    const runtime = JSON.parse(run.stdout);
    const simObjective = sim.summary.objective;
    expect(Number.isFinite(simObjective)).toBe(true);
    expect(Math.abs(runtime.objective - simObjective) / Math.abs(simObjective)).toBeLessThan(0.05);
  });
});
