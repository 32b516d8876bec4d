// The simulator against intuition (and, where intuition is wrong, against the arithmetic).

import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { synthetic } from "../../apps/synthetic.ts";
import type { Consistency } from "../../core/tables.ts";
import { simulate } from "../../sim/simulate.ts";

async function waitFraction(consistency: Consistency, staleness: number, stragglers: string) {
  const { summary } = await simulate({
    // 10^7 reference ns of work per clock: 20 ms clocks on paper-2013, so a 100 ms pause spans ~5 clocks.
    app: synthetic.create({ rows: "200", "compute-units": "10000000" }, { workers: 32, seed: 4 }),
    workers: 32,
    machines: 8,
    servers: 4,
    consistency,
    staleness,
    clocks: 30,
    seed: 4,
    stragglers,
    objectiveEvery: 0,
  });
  return summary.waitFraction;
}

describe("stragglers and staleness", () => {
  it("BSP's wait fraction grows with one persistent straggler's slowness", async () => {
    const w2 = await waitFraction("bsp", 0, "slow:workers=1,factor=2");
    const w4 = await waitFraction("bsp", 0, "slow:workers=1,factor=4");
    const w8 = await waitFraction("bsp", 0, "slow:workers=1,factor=8");
    expect(w2).toBeGreaterThan(0.2);
    expect(w4).toBeGreaterThan(w2);
    expect(w8).toBeGreaterThan(w4);
  });

  it("SSP with s ≥ 3 hides most of the waiting that transient stragglers cause under BSP", async () => {
    for (const spec of ["jitter:mean=0.5", "pause:rate=2,ms=100"]) {
      const bsp = await waitFraction("bsp", 0, spec);
      const ssp = await waitFraction("ssp", 8, spec);
      expect(bsp).toBeGreaterThan(0.3);
      expect(ssp).toBeLessThan(bsp / 2);
    }
    const bsp = await waitFraction("bsp", 0, "jitter:mean=0.5");
    expect(await waitFraction("ssp", 3, "jitter:mean=0.5")).toBeLessThan(bsp / 4);
  });

  it("SSP cannot hide a persistent straggler for long: throughput is bound by the slowest worker", async () => {
    // Once the fast workers are s clocks ahead they wait every clock, as under BSP.
    const bsp = await waitFraction("bsp", 0, "slow:workers=1,factor=4");
    const ssp = await waitFraction("ssp", 3, "slow:workers=1,factor=4");
    expect(ssp).toBeLessThan(bsp);
    expect(ssp).toBeGreaterThan(bsp * 0.8);
  });

  it("async never waits", async () => {
    expect(await waitFraction("async", Number.POSITIVE_INFINITY, "slow:workers=1,factor=8+pareto")).toBe(0);
  });
});

describe("determinism across processes", () => {
  const sim = (seed: number) =>
    JSON.parse(
      execFileSync(
        process.execPath,
        [
          "dist/ssp.js",
          "sim",
          "--workers",
          "24",
          "--machines",
          "6",
          "--clocks",
          "10",
          "--stragglers",
          "pareto:alpha=1.5",
          "--seed",
          String(seed),
          "--json",
        ],
        { encoding: "utf8" },
      ),
    ).traceSha256 as string;

  it("the same command in two processes gives the same trace hash; another seed does not", () => {
    const a = sim(5);
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(sim(5)).toBe(a);
    expect(sim(6)).not.toBe(a);
  });
});
