// Regret of SGD under SSP, as Theorem 1 of Ho et al. (NIPS 2013) defines it:
//   R[X] = Σ_{t=1..T} f_t(x̃_t) − f(x*),  f = Σ_t f_t,  x* = argmin over the feasible set of f,
// where x̃_t is the (stale) model the t-th update read. For convex L-Lipschitz f_t, D(x‖x') ≤ F² and
// η_t = σ/√t with σ = F / (L √(2(s+1)P)), the theorem bounds R[X] ≤ 4FL √(2(s+1)PT).

import { logisticLoss, type RecordedStep } from "../../apps/logreg.ts";

export interface Examples {
  rows: { rowStart: Int32Array; colIndex: Int32Array; values: Float64Array };
  labels: Float64Array;
  p: number;
}

export function theoremBound(F: number, L: number, s: number, P: number, T: number): number {
  return 4 * F * L * Math.sqrt(2 * (s + 1) * P * T);
}

export function theoremSigma(F: number, L: number, s: number, P: number): number {
  return F / (L * Math.sqrt(2 * (s + 1) * P));
}

/** The largest ‖x_i‖ over the examples: the Lipschitz constant of the logistic loss in w. */
export function lipschitz(ex: Examples): number {
  let max = 0;
  for (let i = 0; i + 1 < ex.rows.rowStart.length; i++) {
    let n2 = 0;
    for (let e = ex.rows.rowStart[i]; e < ex.rows.rowStart[i + 1]; e++) n2 += ex.rows.values[e] ** 2;
    max = Math.max(max, Math.sqrt(n2));
  }
  return max;
}

/** f(x) = Σ_i weight_i · ℓ_i(x) and its gradient, where weight_i counts example i's share of the f_t. */
function objectiveAndGradient(
  ex: Examples,
  weights: Map<number, number>,
  x: Float64Array,
  grad: Float64Array,
): number {
  grad.fill(0);
  let value = 0;
  for (const [i, c] of weights) {
    let dot = 0;
    for (let e = ex.rows.rowStart[i]; e < ex.rows.rowStart[i + 1]; e++)
      dot += x[ex.rows.colIndex[e]] * ex.rows.values[e];
    const m = ex.labels[i] * dot;
    value += c * logisticLoss(m);
    const scale = (-c * ex.labels[i]) / (1 + Math.exp(m));
    for (let e = ex.rows.rowStart[i]; e < ex.rows.rowStart[i + 1]; e++)
      grad[ex.rows.colIndex[e]] += scale * ex.rows.values[e];
  }
  return value;
}

function projectToBall(x: Float64Array, radius: number): void {
  let n2 = 0;
  for (const v of x) n2 += v * v;
  if (n2 > radius * radius) {
    const k = radius / Math.sqrt(n2);
    for (let j = 0; j < x.length; j++) x[j] *= k;
  }
}

/**
 * min over ‖x‖ ≤ radius of f, by accelerated projected gradient (FISTA with restarts) until the projected
 * gradient step moves less than `tolerance`; f is smooth with constant ≤ ¼ Σ weight_i ‖x_i‖².
 */
export function minimizeInBall(
  ex: Examples,
  weights: Map<number, number>,
  radius: number,
  iterations = 2000,
): number {
  let smooth = 0;
  for (const [i, c] of weights) {
    let n2 = 0;
    for (let e = ex.rows.rowStart[i]; e < ex.rows.rowStart[i + 1]; e++) n2 += ex.rows.values[e] ** 2;
    smooth += 0.25 * c * n2;
  }
  const step = 1 / Math.max(smooth, 1e-12);
  const x = new Float64Array(ex.p);
  const y = new Float64Array(ex.p);
  const prev = new Float64Array(ex.p);
  const grad = new Float64Array(ex.p);
  let tk = 1;
  let best = Number.POSITIVE_INFINITY;
  let last = Number.POSITIVE_INFINITY;
  for (let k = 0; k < iterations; k++) {
    objectiveAndGradient(ex, weights, y, grad);
    prev.set(x);
    for (let j = 0; j < ex.p; j++) x[j] = y[j] - step * grad[j];
    projectToBall(x, radius);
    const value = objectiveAndGradient(ex, weights, x, grad);
    best = Math.min(best, value);
    const tNext = (1 + Math.sqrt(1 + 4 * tk * tk)) / 2;
    const restart = value > last;
    for (let j = 0; j < ex.p; j++) y[j] = restart ? x[j] : x[j] + ((tk - 1) / tNext) * (x[j] - prev[j]);
    tk = restart ? 1 : tNext;
    if (Math.abs(last - value) < 1e-12 * Math.max(1, Math.abs(value))) break;
    last = value;
  }
  return best;
}

export interface RegretPoint {
  T: number;
  regret: number;
  regretPerT: number;
  bound: number;
  boundPerT: number;
}

/** Regret after each checkpoint T (a number of updates, in serial order t = 1..T). */
export function regretCurve(
  steps: RecordedStep[],
  ex: Examples,
  radius: number,
  checkpoints: number[],
  bound: (T: number) => number,
): RegretPoint[] {
  const ordered = [...steps].sort((a, b) => a.t - b.t);
  const out: RegretPoint[] = [];
  for (const T of checkpoints) {
    const weights = new Map<number, number>();
    let incurred = 0;
    for (const step of ordered) {
      if (step.t > T) break;
      incurred += step.lossAtRead;
      const share = 1 / Math.max(1, step.batch.length);
      for (const i of step.batch) weights.set(i, (weights.get(i) ?? 0) + share);
    }
    const regret = incurred - minimizeInBall(ex, weights, radius);
    const b = bound(T);
    out.push({ T, regret, regretPerT: regret / T, bound: b, boundPerT: b / T });
  }
  return out;
}
