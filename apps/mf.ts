// Matrix factorisation by SGD on squared loss with L2, on the parameter server: user factors and item factors
// are dense float64 tables of width rank, started from small hash-seeded values; training ratings are dealt
// over the workers, and each clock a worker makes one SGD pass over a minibatch of its ratings.

import type { AppFactory, AppInstance, ModelView, TableShape, WorkerApi } from "./api.ts";
import { REFERENCE_NS_PER_UNIT } from "./cost.ts";
import { loadRatings, plantedRatings, type Ratings, type RatingsFormat } from "./data/ratings.ts";
import { uniformRowInit } from "./hash-init.ts";
import { OptionReader } from "./options.ts";
import { stream } from "./random.ts";
import { dealt, nextBatch, permutation } from "./shuffle.ts";

export const USER_TABLE = 0;
export const ITEM_TABLE = 1;

const OPTIONS = [
  { name: "rank", description: "factor rank", default: "5" },
  { name: "lambda", description: "L2 regularisation per rating", default: "0.01" },
  { name: "step", description: "SGD step size η0; η at clock c is η0 / (1 + decay·c)", default: "0.05" },
  { name: "decay", description: "step-size decay per clock", default: "0.005" },
  { name: "minibatch", description: "fraction of its ratings a worker visits each clock", default: "0.1" },
  { name: "held-out", description: "fraction of ratings kept aside for held-out RMSE", default: "0.1" },
  { name: "init", description: "initial factors are uniform in [-init, init]", default: "0.1" },
  {
    name: "data",
    description: "'planted' (seeded low-rank generator) or a MovieLens u.data / ratings.csv or Netflix file",
    default: "planted",
  },
  { name: "format", description: "auto, movielens, movielens-csv or netflix", default: "auto" },
  { name: "users", description: "planted data: users", default: "200" },
  { name: "items", description: "planted data: items", default: "200" },
  { name: "true-rank", description: "planted data: rank of the planted matrix", default: "5" },
  { name: "density", description: "planted data: fraction of (user, item) pairs rated", default: "0.5" },
  { name: "noise", description: "planted data: noise standard deviation", default: "0.3" },
] as const;

export interface MfSettings {
  ratings: Ratings;
  rank: number;
  lambda: number;
  step: number;
  decay: number;
  minibatch: number;
  heldOut: number;
  init: number;
}

export interface MfInstance extends AppInstance {
  heldOutRmse(model: ModelView): number;
}

export function createMf(s: MfSettings, workers: number, seed: number): MfInstance {
  const { ratings, rank } = s;
  const order = permutation(ratings.value.length, stream(seed, "mf", "split"));
  const testCount = Math.floor(s.heldOut * order.length);
  const test = Array.from(order.subarray(0, testCount));
  const train = order.subarray(testCount);
  let sum = 0;
  for (const r of train) sum += ratings.value[r];
  // Factors model deviations from the training mean, so real ratings (1–5) need no bias terms to start.
  const mean = train.length > 0 ? sum / train.length : 0;
  const cursors = new Map<number, number>();

  const predict = (u: ArrayLike<number>, v: ArrayLike<number>) => {
    let dot = mean;
    for (let k = 0; k < rank; k++) dot += u[k] * v[k];
    return dot;
  };

  async function sgdClock(api: WorkerApi, clock: number, mine: number[]): Promise<void> {
    const { batch, cursor } = nextBatch(
      mine,
      cursors.get(api.rank) ?? 0,
      Math.ceil(s.minibatch * mine.length),
    );
    cursors.set(api.rank, cursor);
    // Each row is read once per clock (one wait per table); the pass then updates local copies and sends
    // the differences.
    const rows = [new Map<number, Float64Array>(), new Map<number, Float64Array>()];
    const bases = [new Map<number, Float64Array>(), new Map<number, Float64Array>()];
    const ids = [new Set<number>(), new Set<number>()];
    for (const r of batch) {
      ids[USER_TABLE].add(ratings.user[r]);
      ids[ITEM_TABLE].add(ratings.item[r]);
    }
    for (const table of [USER_TABLE, ITEM_TABLE]) {
      const list = [...ids[table]];
      const views = await api.readMany(table, list);
      list.forEach((id, i) => {
        const values = new Float64Array(views[i].array());
        rows[table].set(id, values);
        bases[table].set(id, values.slice());
      });
    }
    const eta = s.step / (1 + s.decay * clock);
    for (const r of batch) {
      const u = rows[USER_TABLE].get(ratings.user[r])!;
      const v = rows[ITEM_TABLE].get(ratings.item[r])!;
      const e = ratings.value[r] - predict(u, v);
      for (let k = 0; k < rank; k++) {
        const uk = u[k];
        u[k] += eta * (e * v[k] - s.lambda * uk);
        v[k] += eta * (e * uk - s.lambda * v[k]);
      }
    }
    await api.compute(batch.length * rank * REFERENCE_NS_PER_UNIT.mf);
    for (const table of [USER_TABLE, ITEM_TABLE]) {
      for (const [id, row] of rows[table]) {
        const base = bases[table].get(id)!;
        for (let k = 0; k < rank; k++) base[k] = row[k] - base[k];
        api.incRow(table, id, base);
      }
    }
  }

  const squaredError = (model: ModelView, r: number) => {
    const u = model.row(USER_TABLE, ratings.user[r]).array();
    const v = model.row(ITEM_TABLE, ratings.item[r]).array();
    const e = ratings.value[r] - predict(u, v);
    let norms = 0;
    for (let k = 0; k < rank; k++) norms += u[k] * u[k] + v[k] * v[k];
    return { e2: e * e, norms };
  };

  const heldOutRmse = (model: ModelView) => {
    let total = 0;
    for (const r of test) total += squaredError(model, r).e2;
    return test.length > 0 ? Math.sqrt(total / test.length) : Number.NaN;
  };

  return {
    name: "mf",
    objectiveName: "training loss (mean squared error + λ·factor norms per rating)",
    objectiveGoal: "minimize",
    tables(): TableShape[] {
      return [
        {
          id: USER_TABLE,
          name: "user-factors",
          width: rank,
          rows: ratings.users,
          initRow: uniformRowInit(seed, USER_TABLE, s.init),
        },
        {
          id: ITEM_TABLE,
          name: "item-factors",
          width: rank,
          rows: ratings.items,
          initRow: uniformRowInit(seed, ITEM_TABLE, s.init),
        },
      ];
    },
    async run(api, clocks) {
      cursors.set(api.rank, 0); // a rerun of this instance starts from the same place
      const mine = dealt(train, workers, api.rank);
      for (let c = 0; c < clocks; c++) {
        await sgdClock(api, c, mine);
        await api.clock();
      }
    },
    objective(model) {
      let total = 0;
      for (const r of train) {
        const { e2, norms } = squaredError(model, r);
        total += e2 + s.lambda * norms;
      }
      return train.length > 0 ? total / train.length : 0;
    },
    evaluate(model) {
      return { heldOutRmse: heldOutRmse(model) };
    },
    heldOutRmse,
    describe() {
      return {
        data: ratings.source,
        users: ratings.users,
        items: ratings.items,
        trainRatings: train.length,
        heldOutRatings: test.length,
        noiseFloor: ratings.noiseFloor ?? Number.NaN,
        rank,
        lambda: s.lambda,
        step: s.step,
        decay: s.decay,
        minibatch: s.minibatch,
        workUnit: "rating × rank",
      };
    },
  };
}

export function mfSettings(options: Record<string, string>, seed: number): MfSettings {
  const o = new OptionReader("mf", options, OPTIONS);
  const data = o.text("data");
  const format = o.choice<RatingsFormat>("format", ["auto", "movielens", "movielens-csv", "netflix"]);
  const ratings =
    data !== "planted"
      ? loadRatings(data, format)
      : plantedRatings({
          users: o.int("users", 1),
          items: o.int("items", 1),
          rank: o.int("true-rank", 1),
          density: o.fraction("density"),
          noise: o.number("noise", 0),
          seed,
        });
  return {
    ratings,
    rank: o.int("rank", 1, 4096),
    lambda: o.number("lambda", 0),
    step: o.number("step", Number.MIN_VALUE),
    decay: o.number("decay", 0),
    minibatch: o.fraction("minibatch"),
    heldOut: o.number("held-out", 0, 0.9),
    init: o.number("init", 0),
  };
}

export const mfApp: AppFactory = {
  name: "mf",
  summary: "matrix factorisation by SGD (objective: training loss, minimize; also held-out RMSE)",
  options: OPTIONS,
  create(options, context) {
    return createMf(mfSettings(options, context.seed), context.workers, context.seed);
  },
};
