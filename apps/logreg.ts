// Logistic regression by SGD with step η_t = σ/√t (the setting of the paper's Theorem 1), optionally projected
// onto the ball ‖w‖ ≤ R. The weights live in one table (rows of CHUNK values); examples are dealt over the
// workers, and each clock a worker takes one gradient step on a minibatch of its examples.

import type { AppFactory, AppInstance, ModelView, TableShape, WorkerApi } from "./api.ts";
import { REFERENCE_NS_PER_UNIT } from "./cost.ts";
import { type Design, exampleRows, loadLibsvm, syntheticClassification } from "./data/regression.ts";
import { OptionReader } from "./options.ts";
import { stream } from "./random.ts";
import { dealt, nextBatch, permutation } from "./shuffle.ts";

export const WEIGHT_TABLE = 0;
export const CHUNK = 64;

const OPTIONS = [
  { name: "sigma", description: "step-size scale σ in η_t = σ/√t (t = clock + 1)", default: "1" },
  {
    name: "radius",
    description: "project w onto the ball of this radius after each step; 'inf' for none",
    default: "inf",
  },
  { name: "minibatch", description: "fraction of its examples a worker uses per step", default: "0.1" },
  {
    name: "step-index",
    description:
      "t in η_t = σ/√t: 'clock' (c + 1) or 'update' (the serial update index cP + p + 1, as in Theorem 1)",
    default: "clock",
  },
  {
    name: "normalize",
    description: "1: scale every example to ‖x‖ ≤ 1, so the loss is 1-Lipschitz",
    default: "0",
  },
  {
    name: "record",
    description: "1: record every step's loss at the weights it read (for regret)",
    default: "0",
  },
  { name: "held-out", description: "fraction of examples kept aside for held-out accuracy", default: "0.2" },
  { name: "data", description: "'synthetic' or a LIBSVM file (labels ±1 or 0/1)", default: "synthetic" },
  { name: "examples", description: "synthetic: number of examples", default: "4000" },
  { name: "features", description: "synthetic: number of features", default: "50" },
  { name: "flip", description: "synthetic: probability a label is flipped", default: "0.02" },
] as const;

export interface LogregSettings {
  design: Design;
  sigma: number;
  radius: number;
  minibatch: number;
  heldOut: number;
  stepIndex: "clock" | "update";
  normalize: boolean;
  record: boolean;
}

/** One SGD step as Theorem 1 sees it: f_t is the minibatch's mean logistic loss, x̃_t the weights read. */
export interface RecordedStep {
  /** Serial update index: clock · workers + rank + 1. */
  t: number;
  rank: number;
  clock: number;
  batch: Int32Array;
  /** f_t(x̃_t). */
  lossAtRead: number;
}

export interface LogregInstance extends AppInstance {
  heldOutAccuracy(model: ModelView): number;
  /** Steps recorded with `record=1`, in the order they were taken. */
  readonly steps: RecordedStep[];
  /** The training examples as rows (normalised when `normalize=1`), and ±1 labels: what f_t is built from. */
  readonly examples: { rows: ReturnType<typeof exampleRows>; labels: Float64Array; p: number };
}

/** log(1 + e^{−m}) without overflow. */
export function logisticLoss(margin: number): number {
  return margin > 0 ? Math.log1p(Math.exp(-margin)) : -margin + Math.log1p(Math.exp(margin));
}

export function createLogreg(s: LogregSettings, workers: number, seed: number): LogregInstance {
  const { design } = s;
  const { p } = design;
  const rows = exampleRows(design);
  if (s.normalize) {
    for (let i = 0; i < design.n; i++) {
      let norm2 = 0;
      for (let e = rows.rowStart[i]; e < rows.rowStart[i + 1]; e++) norm2 += rows.values[e] * rows.values[e];
      if (norm2 > 1)
        for (let e = rows.rowStart[i]; e < rows.rowStart[i + 1]; e++) rows.values[e] /= Math.sqrt(norm2);
    }
  }
  const labels = Float64Array.from(design.y, (y) => (y > 0 ? 1 : -1));
  const steps: RecordedStep[] = [];
  const order = permutation(design.n, stream(seed, "logreg", "split"));
  const testCount = Math.floor(s.heldOut * design.n);
  const test = Array.from(order.subarray(0, testCount));
  const train = order.subarray(testCount);
  const cursors = new Map<number, number>();
  const chunks = Math.ceil(p / CHUNK);

  const margin = (w: ArrayLike<number>, i: number) => {
    let dot = 0;
    for (let e = rows.rowStart[i]; e < rows.rowStart[i + 1]; e++) dot += w[rows.colIndex[e]] * rows.values[e];
    return labels[i] * dot;
  };

  const weightsOf = async (api: WorkerApi) => {
    const w = new Float64Array(p);
    const views = await api.readMany(
      WEIGHT_TABLE,
      Array.from({ length: chunks }, (_, c) => c),
    );
    views.forEach((view, c) => {
      w.set(view.array().subarray(0, p - c * CHUNK), c * CHUNK);
    });
    return w;
  };

  const modelWeights = (model: ModelView) => {
    const w = new Float64Array(p);
    for (let c = 0; c < chunks; c++)
      w.set(
        model
          .row(WEIGHT_TABLE, c)
          .array()
          .subarray(0, p - c * CHUNK),
        c * CHUNK,
      );
    return w;
  };

  async function step(api: WorkerApi, clock: number, mine: number[]): Promise<void> {
    const { batch, cursor } = nextBatch(
      mine,
      cursors.get(api.rank) ?? 0,
      Math.ceil(s.minibatch * mine.length),
    );
    cursors.set(api.rank, cursor);
    const w = await weightsOf(api);
    const grad = new Float64Array(p);
    let touched = 0;
    let lossAtRead = 0;
    for (const i of batch) {
      const m = margin(w, i);
      if (s.record) lossAtRead += logisticLoss(m);
      // d/dw log(1 + e^{−y w·x}) = −y x σ(−m)
      const scale = (-labels[i] * 1) / (1 + Math.exp(m));
      for (let e = rows.rowStart[i]; e < rows.rowStart[i + 1]; e++)
        grad[rows.colIndex[e]] += scale * rows.values[e];
      touched += 2 * (rows.rowStart[i + 1] - rows.rowStart[i]);
    }
    await api.compute(touched * REFERENCE_NS_PER_UNIT.logreg);
    const t = clock * workers + api.rank + 1;
    if (s.record) {
      steps.push({
        t,
        rank: api.rank,
        clock,
        batch: Int32Array.from(batch),
        lossAtRead: lossAtRead / Math.max(1, batch.length),
      });
    }
    const eta = s.sigma / Math.sqrt(s.stepIndex === "update" ? t : clock + 1);
    const next = new Float64Array(p);
    let norm2 = 0;
    for (let j = 0; j < p; j++) {
      next[j] = w[j] - (eta * grad[j]) / Math.max(batch.length, 1);
      norm2 += next[j] * next[j];
    }
    const shrink = Number.isFinite(s.radius) && norm2 > s.radius * s.radius ? s.radius / Math.sqrt(norm2) : 1;
    for (let c = 0; c < chunks; c++) {
      const delta = new Float64Array(CHUNK);
      for (let k = 0; k < CHUNK && c * CHUNK + k < p; k++)
        delta[k] = shrink * next[c * CHUNK + k] - w[c * CHUNK + k];
      api.incRow(WEIGHT_TABLE, c, delta);
    }
  }

  const heldOutAccuracy = (model: ModelView) => {
    const w = modelWeights(model);
    let right = 0;
    for (const i of test) if (margin(w, i) > 0) right++;
    return test.length > 0 ? right / test.length : Number.NaN;
  };

  return {
    name: "logreg",
    objectiveName: "mean logistic loss (training)",
    objectiveGoal: "minimize",
    tables(): TableShape[] {
      return [{ id: WEIGHT_TABLE, name: "weights", width: CHUNK, rows: chunks }];
    },
    async run(api, clocks) {
      cursors.set(api.rank, 0); // a rerun of this instance starts from the same place
      const mine = dealt(train, workers, api.rank);
      for (let c = 0; c < clocks; c++) {
        await step(api, c, mine);
        await api.clock();
      }
    },
    objective(model) {
      const w = modelWeights(model);
      let total = 0;
      for (const i of train) total += logisticLoss(margin(w, i));
      return train.length > 0 ? total / train.length : 0;
    },
    evaluate: (model) => ({ heldOutAccuracy: heldOutAccuracy(model) }),
    heldOutAccuracy,
    steps,
    examples: { rows, labels, p },
    describe() {
      return {
        data: design.source,
        examples: design.n,
        features: p,
        trainExamples: train.length,
        heldOutExamples: test.length,
        sigma: s.sigma,
        radius: Number.isFinite(s.radius) ? s.radius : "inf",
        minibatch: s.minibatch,
        workUnit: "non-zero of x visited (2 per feature per example: margin and gradient)",
      };
    },
  };
}

export function logregSettings(options: Record<string, string>, seed: number): LogregSettings {
  const o = new OptionReader("logreg", options, OPTIONS);
  const data = o.text("data");
  const design =
    data !== "synthetic"
      ? loadLibsvm(data, false)
      : syntheticClassification({
          n: o.int("examples", 2),
          p: o.int("features", 1),
          flip: o.number("flip", 0, 0.5),
          seed,
        });
  return {
    design,
    sigma: o.number("sigma", Number.MIN_VALUE),
    radius: o.number("radius", Number.MIN_VALUE, Number.POSITIVE_INFINITY, true),
    minibatch: o.fraction("minibatch"),
    heldOut: o.number("held-out", 0, 0.9),
    stepIndex: o.choice("step-index", ["clock", "update"] as const),
    normalize: o.flag("normalize"),
    record: o.flag("record"),
  };
}

export const logregApp: AppFactory = {
  name: "logreg",
  summary:
    "logistic regression by SGD, η_t = σ/√t (objective: logistic loss, minimize; also held-out accuracy)",
  options: OPTIONS,
  create(options, context) {
    return createLogreg(logregSettings(options, context.seed), context.workers, context.seed);
  },
};
