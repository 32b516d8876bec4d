import { describe, expect, it } from "vitest";
import { lipschitz, minimizeInBall, theoremBound, theoremSigma } from "../../experiments/theorem/regret.ts";
import { runTheorem } from "../../experiments/theorem/run-theorem.ts";

describe("convergence theorem (Ho et al. 2013, Theorem 1)", () => {
  it("measured regret of SGD under SSP stays below 4FL√(2(s+1)PT) on small runs", async () => {
    const runs = await runTheorem({
      stalenesses: [0, 3],
      workers: [4],
      clocks: 30,
      radius: 2,
      seed: 3,
      examples: 1500,
    });
    expect(runs).toHaveLength(2);
    for (const run of runs) {
      expect(run.sigma).toBeCloseTo(theoremSigma(4, 1, run.staleness, 4), 12);
      for (const p of run.points) {
        expect(p.regret).toBeLessThan(p.bound);
        expect(p.bound).toBeCloseTo(theoremBound(4, 1, run.staleness, 4, p.T), 9);
      }
      // Average regret falls as T grows (no-regret learning).
      expect(run.points.at(-1)!.regretPerT).toBeLessThan(run.points[0].regretPerT);
    }
    // Staleness was really exercised.
    expect(runs[1].stalenessP99).toBeGreaterThan(0);
  });

  it("finds the constrained minimum of a weighted logistic loss", () => {
    // One example x = (1), label +1: minimum over |w| ≤ 1 is at w = 1, value log(1 + e^-1).
    const ex = {
      rows: {
        rowStart: Int32Array.from([0, 1]),
        colIndex: Int32Array.from([0]),
        values: Float64Array.from([1]),
      },
      labels: Float64Array.from([1]),
      p: 1,
    };
    expect(minimizeInBall(ex, new Map([[0, 1]]), 1)).toBeCloseTo(Math.log1p(Math.exp(-1)), 8);
    expect(lipschitz(ex)).toBe(1);
  });
});
