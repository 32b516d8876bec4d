// Lasso by shotgun-style parallel coordinate descent. The residual r = y − Xβ lives in a table (rows of
// CHUNK samples, started at y through initRow) and so does β; each worker owns a share of the coordinates and
// each clock updates a fraction of them against the residual as SSP lets it see it.

import type { AppFactory, AppInstance, ModelView, TableShape, WorkerApi } from "../api.ts";
import { REFERENCE_NS_PER_UNIT } from "../cost.ts";
import { type Design, ffqRegression, loadLibsvm, syntheticSparseRegression } from "../data/regression.ts";
import { OptionReader } from "../options.ts";
import { stream } from "../random.ts";
import { dealt, nextBatch, permutation } from "../shuffle.ts";
import { columnNormsSquared, lambdaMax, lassoObjective, softThreshold } from "./math.ts";

export const RESIDUAL_TABLE = 0;
export const BETA_TABLE = 1;
/** Values per row in both tables: big enough to amortise per-row overhead, small enough to shard evenly. */
export const CHUNK = 64;

const OPTIONS = [
  {
    name: "lambda",
    description: "ℓ1 weight λ, or 'auto' for 0.1·λmax (λmax = max_j |x_jᵀy|)",
    default: "auto",
  },
  { name: "minibatch", description: "fraction of its coordinates a worker updates each clock", default: "1" },
  {
    name: "damping",
    description: "fraction of its proposed move a worker commits; 'auto' is 1/workers",
    default: "auto",
  },
  {
    name: "data",
    description: "'synthetic', 'ffq' (FiveThirtyEight questionnaire) or a LIBSVM file",
    default: "synthetic",
  },
  { name: "target", description: "ffq: the survey column to predict", default: "innie" },
  { name: "samples", description: "synthetic: n", default: "200" },
  { name: "features", description: "synthetic: p", default: "400" },
  { name: "support", description: "synthetic: non-zeros in the true β", default: "10" },
  { name: "correlation", description: "synthetic: pairwise feature correlation", default: "0.2" },
  { name: "noise", description: "synthetic: noise standard deviation", default: "0.1" },
] as const;

export interface LassoSettings {
  design: Design;
  lambda: number;
  minibatch: number;
  /** Fraction of its proposed move a worker commits; NaN means 1/workers. */
  damping: number;
}

export interface LassoInstance extends AppInstance {
  /** β from a consistent model. */
  beta(model: ModelView): Float64Array;
}

export function createLasso(s: LassoSettings, workers: number, seed: number): LassoInstance {
  const { design, lambda } = s;
  const damping = Number.isNaN(s.damping) ? 1 / workers : s.damping;
  const norms = columnNormsSquared(design);
  const coordinateOrder = permutation(design.p, stream(seed, "lasso", "coordinates"));
  const owned = new Map<number, { coords: number[]; beta: Float64Array; cursor: number }>();

  async function updateClock(api: WorkerApi): Promise<void> {
    let state = owned.get(api.rank);
    if (state === undefined) {
      state = {
        coords: dealt(coordinateOrder, workers, api.rank),
        beta: new Float64Array(design.p),
        cursor: 0,
      };
      owned.set(api.rank, state);
    }
    const { batch, cursor } = nextBatch(
      state.coords,
      state.cursor,
      Math.ceil(s.minibatch * state.coords.length),
    );
    state.cursor = cursor;
    const chunks = new Set<number>();
    for (const j of batch) {
      for (let e = design.colStart[j]; e < design.colStart[j + 1]; e++)
        chunks.add(Math.floor(design.rowIndex[e] / CHUNK));
    }
    if (chunks.size === 0) chunks.add(0); // the SSP gate sits at reads: read something every clock
    const chunkList = [...chunks];
    const views = await api.readMany(RESIDUAL_TABLE, chunkList);
    // Dense local copies indexed by sample: the inner loops are the hot path, so no per-entry map lookups.
    const residual = new Float64Array(chunks.size > 0 ? design.n : 0);
    chunkList.forEach((chunk, i) => {
      const values = views[i].array();
      for (let k = 0; k < CHUNK && chunk * CHUNK + k < design.n; k++) residual[chunk * CHUNK + k] = values[k];
    });
    // Each worker makes a Gauss–Seidel pass over its batch against its local residual, then commits the move
    // scaled by `damping`. With damping 1/P the committed point is an average of the workers' proposals, so
    // under BSP the objective cannot rise (convexity) however correlated the features are; undamped shotgun
    // diverges as soon as the parallel updates are correlated (the shotgun paper's P < p/ρ(XᵀX) bound).
    const { colStart, rowIndex, values } = design;
    let touched = 0;
    const moves: Array<[number, number]> = [];
    for (const j of batch) {
      if (norms[j] === 0) continue;
      const start = colStart[j];
      const end = colStart[j + 1];
      let dot = 0;
      for (let e = start; e < end; e++) dot += values[e] * residual[rowIndex[e]];
      touched += end - start;
      const next = softThreshold(dot + norms[j] * state.beta[j], lambda) / norms[j];
      const proposal = next - state.beta[j];
      if (proposal === 0) continue;
      for (let e = start; e < end; e++) residual[rowIndex[e]] -= proposal * values[e];
      touched += end - start;
      moves.push([j, proposal]);
    }
    const committed = new Float64Array(design.n);
    for (const [j, proposal] of moves) {
      const delta = damping * proposal;
      state.beta[j] += delta;
      api.inc(BETA_TABLE, Math.floor(j / CHUNK), j % CHUNK, delta);
      for (let e = colStart[j]; e < colStart[j + 1]; e++) committed[rowIndex[e]] -= delta * values[e];
      touched += colStart[j + 1] - colStart[j];
    }
    const residualDelta = new Map<number, Float64Array>();
    for (const chunk of chunkList) {
      const row = committed.subarray(chunk * CHUNK, Math.min(design.n, (chunk + 1) * CHUNK));
      if (row.some((x) => x !== 0)) {
        const delta = new Float64Array(CHUNK);
        delta.set(row);
        residualDelta.set(chunk, delta);
      }
    }
    await api.compute(touched * REFERENCE_NS_PER_UNIT.lasso);
    for (const [chunk, row] of residualDelta) api.incRow(RESIDUAL_TABLE, chunk, row);
  }

  const betaOf = (model: ModelView) => {
    const beta = new Float64Array(design.p);
    for (let c = 0; c * CHUNK < design.p; c++) {
      const row = model.row(BETA_TABLE, c).array();
      for (let k = 0; k < CHUNK && c * CHUNK + k < design.p; k++) beta[c * CHUNK + k] = row[k];
    }
    return beta;
  };

  return {
    name: "lasso",
    objectiveName: "½‖y − Xβ‖² + λ‖β‖₁",
    objectiveGoal: "minimize",
    tables(): TableShape[] {
      return [
        {
          id: RESIDUAL_TABLE,
          name: "residual",
          width: CHUNK,
          rows: Math.ceil(design.n / CHUNK),
          initRow: (row, out) => {
            for (let k = 0; k < CHUNK && row * CHUNK + k < design.n; k++) out[k] = design.y[row * CHUNK + k];
          },
        },
        { id: BETA_TABLE, name: "beta", width: CHUNK, rows: Math.ceil(design.p / CHUNK) },
      ];
    },
    async run(api, clocks) {
      owned.delete(api.rank); // a rerun starts from β = 0, like the fresh tables it runs against
      for (let c = 0; c < clocks; c++) {
        await updateClock(api);
        await api.clock();
      }
    },
    objective: (model) => lassoObjective(design, betaOf(model), lambda),
    evaluate(model) {
      const beta = betaOf(model);
      return { nonZeros: beta.reduce((n, b) => n + (b !== 0 ? 1 : 0), 0) };
    },
    beta: betaOf,
    describe() {
      return {
        data: design.source,
        samples: design.n,
        features: design.p,
        nonZerosInX: design.colStart[design.p],
        lambda,
        minibatch: s.minibatch,
        damping,
        workUnit: "non-zero of X touched",
      };
    },
  };
}

export function lassoSettings(options: Record<string, string>, seed: number): LassoSettings {
  const o = new OptionReader("lasso", options, OPTIONS);
  const data = o.text("data");
  let design: Design;
  if (data === "synthetic") {
    design = syntheticSparseRegression({
      n: o.int("samples", 2),
      p: o.int("features", 1),
      support: o.int("support", 0),
      correlation: o.number("correlation", 0, 0.99),
      noise: o.number("noise", 0),
      seed,
    }).design;
  } else if (data === "ffq") {
    design = ffqRegression(o.text("target"));
  } else {
    design = loadLibsvm(data, true);
  }
  const lambdaText = o.text("lambda");
  const lambda = lambdaText === "auto" ? 0.1 * lambdaMax(design) : o.number("lambda", 0);
  const damping = o.text("damping") === "auto" ? Number.NaN : o.fraction("damping");
  return { design, lambda, minibatch: o.fraction("minibatch"), damping };
}

export const lassoApp: AppFactory = {
  name: "lasso",
  summary: "Lasso by shotgun parallel coordinate descent (objective: ½‖y − Xβ‖² + λ‖β‖₁, minimize)",
  options: OPTIONS,
  create(options, context) {
    return createLasso(lassoSettings(options, context.seed), context.workers, context.seed);
  },
};
