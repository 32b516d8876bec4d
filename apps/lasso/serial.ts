// Serial cyclic coordinate descent run to convergence: the reference for the distributed Lasso.

import type { Design } from "../data/regression.ts";
import { columnNormsSquared, lassoObjective, softThreshold } from "./math.ts";

export interface SerialLassoResult {
  beta: Float64Array;
  objective: number;
  sweeps: number;
}

export function serialLasso(
  design: Design,
  lambda: number,
  tolerance = 1e-12,
  maxSweeps = 100_000,
): SerialLassoResult {
  const norms = columnNormsSquared(design);
  const beta = new Float64Array(design.p);
  const r = Float64Array.from(design.y);
  let sweeps = 0;
  while (sweeps < maxSweeps) {
    sweeps++;
    let biggest = 0;
    for (let j = 0; j < design.p; j++) {
      if (norms[j] === 0) continue;
      let dot = 0;
      for (let e = design.colStart[j]; e < design.colStart[j + 1]; e++)
        dot += design.values[e] * r[design.rowIndex[e]];
      const next = softThreshold(dot + norms[j] * beta[j], lambda) / norms[j];
      const delta = next - beta[j];
      if (delta === 0) continue;
      beta[j] = next;
      for (let e = design.colStart[j]; e < design.colStart[j + 1]; e++)
        r[design.rowIndex[e]] -= delta * design.values[e];
      biggest = Math.max(biggest, Math.abs(delta));
    }
    if (biggest < tolerance) break;
  }
  return { beta, objective: lassoObjective(design, beta, lambda), sweeps };
}
