// The Lasso pieces shared by the distributed program and the serial reference.

import type { Design } from "../data/regression.ts";

export function softThreshold(x: number, lambda: number): number {
  return x > lambda ? x - lambda : x < -lambda ? x + lambda : 0;
}

/** ½‖y − Xβ‖² + λ‖β‖₁. */
export function lassoObjective(design: Design, beta: ArrayLike<number>, lambda: number): number {
  const r = Float64Array.from(design.y);
  let l1 = 0;
  for (let j = 0; j < design.p; j++) {
    const b = beta[j];
    if (b === 0) continue;
    l1 += Math.abs(b);
    for (let e = design.colStart[j]; e < design.colStart[j + 1]; e++)
      r[design.rowIndex[e]] -= b * design.values[e];
  }
  let rss = 0;
  for (const x of r) rss += x * x;
  return 0.5 * rss + lambda * l1;
}

/** Squared ℓ2 norms of the columns (1 after standardisation, but LIBSVM columns may be left unscaled). */
export function columnNormsSquared(design: Design): Float64Array {
  const out = new Float64Array(design.p);
  for (let j = 0; j < design.p; j++) {
    for (let e = design.colStart[j]; e < design.colStart[j + 1]; e++) out[j] += design.values[e] ** 2;
  }
  return out;
}

/** max_j |x_jᵀ y|: the smallest λ for which β = 0 is optimal. */
export function lambdaMax(design: Design): number {
  let best = 0;
  for (let j = 0; j < design.p; j++) {
    let dot = 0;
    for (let e = design.colStart[j]; e < design.colStart[j + 1]; e++)
      dot += design.values[e] * design.y[design.rowIndex[e]];
    best = Math.max(best, Math.abs(dot));
  }
  return best;
}

export function support(beta: ArrayLike<number>): number[] {
  const out: number[] = [];
  for (let j = 0; j < beta.length; j++) if (beta[j] !== 0) out.push(j);
  return out;
}
