import { describe, expect, it } from "vitest";
import type { Design } from "../../apps/data/regression.ts";
import { createLasso, lassoSettings } from "../../apps/lasso/app.ts";
import { support } from "../../apps/lasso/math.ts";
import { serialLasso } from "../../apps/lasso/serial.ts";
import { SETTINGS, simulateApp } from "./sim-run.ts";

const SMALL = { samples: "100", features: "200", support: "8" };
const SEED = 5;

/** The Lasso optimality conditions: |x_jᵀr| ≤ λ where β_j = 0, x_jᵀr = λ·sign(β_j) elsewhere. */
function kktViolation(design: Design, beta: Float64Array, lambda: number): number {
  const r = Float64Array.from(design.y);
  for (let j = 0; j < design.p; j++) {
    for (let e = design.colStart[j]; e < design.colStart[j + 1]; e++)
      r[design.rowIndex[e]] -= beta[j] * design.values[e];
  }
  let worst = 0;
  for (let j = 0; j < design.p; j++) {
    let g = 0;
    for (let e = design.colStart[j]; e < design.colStart[j + 1]; e++)
      g += design.values[e] * r[design.rowIndex[e]];
    worst = Math.max(
      worst,
      beta[j] === 0 ? Math.max(0, Math.abs(g) - lambda) : Math.abs(g - lambda * Math.sign(beta[j])),
    );
  }
  return worst;
}

/**
 * Coordinates above 1e-3·max|β|. Damping commits only part of each move, so a coordinate the optimum drops
 * decays geometrically towards 0 instead of landing on it; the reference's smallest non-zero is far above this.
 */
function significant(beta: Float64Array): number[] {
  const biggest = Math.max(...beta.map(Math.abs));
  return support(beta.map((b) => (Math.abs(b) > 1e-3 * biggest ? b : 0)));
}

describe("lasso", () => {
  const settings = lassoSettings(SMALL, SEED);
  const reference = serialLasso(settings.design, settings.lambda);

  it("the serial reference satisfies the optimality conditions", () => {
    expect(kktViolation(settings.design, reference.beta, settings.lambda)).toBeLessThan(1e-9);
    expect(support(reference.beta).length).toBeGreaterThan(0);
    expect(significant(reference.beta)).toEqual(support(reference.beta));
  });

  it.each(SETTINGS.slice(0, 2))(
    "8 simulated workers, $label: within 1e-3 of the serial optimum, same support",
    async (setting) => {
      const run = await simulateApp(
        createLasso(settings, 8, SEED),
        setting,
        200,
        SEED,
        (app, m) => app.beta(m),
        50,
      );
      const gap = (run.summary.objective - reference.objective) / reference.objective;
      console.log(
        `lasso ${setting.label}: objective ${run.objectives.map((o) => o.value.toFixed(5)).join(" → ")}, serial ${reference.objective.toFixed(5)}, gap ${gap.toExponential(2)}`,
      );
      expect(Math.abs(gap)).toBeLessThan(1e-3);
      expect(significant(run.last)).toEqual(support(reference.beta));
    },
  );

  // Unbounded staleness lets many clocks of everyone's proposals overlap (p50 ≈ 9 clocks here); with the
  // default damping 1/8 this run diverges (objective 10.6 → 3.6e9 by clock 200), so async gets a damping
  // that covers the overlap.
  it("8 simulated workers, s=inf: converges with damping 1/32", async () => {
    const damped = lassoSettings({ ...SMALL, damping: "0.03125" }, SEED);
    const run = await simulateApp(createLasso(damped, 8, SEED), SETTINGS[2], 200, SEED, () => 0, 25);
    const values = run.objectives.map((o) => o.value);
    const gap = (run.summary.objective - reference.objective) / reference.objective;
    console.log(
      `lasso s=inf (damping 1/32): objective ${values.map((v) => v.toFixed(4)).join(" → ")}, gap ${gap.toExponential(2)}, staleness p99 ${run.summary.stalenessP99}`,
    );
    for (let i = 1; i < values.length; i++) expect(values[i]).toBeLessThan(values[i - 1]);
    expect(gap).toBeLessThan(0.05);
  });

  it("loads the FiveThirtyEight questionnaire as a p ≫ n problem the reference solves", () => {
    const ffq = lassoSettings({ data: "ffq" }, SEED);
    expect(ffq.design.n).toBe(54);
    expect(ffq.design.p).toBeGreaterThan(1000);
    const solved = serialLasso(ffq.design, ffq.lambda);
    expect(kktViolation(ffq.design, solved.beta, ffq.lambda)).toBeLessThan(1e-8);
    expect(support(solved.beta).length).toBeLessThan(ffq.design.n);
  });
});
