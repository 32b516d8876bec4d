// `ssp bench apps`: the real cost of each ML program's work on this machine, next to a plain multiply-add
// loop, so the declared compute units can be calibrated (see apps/cost.ts). One worker, one machine, BSP.

import { performance } from "node:perf_hooks";
import { apps } from "../../apps/index.ts";
import { simulate } from "../../sim/simulate.ts";
import type { BenchSuite } from "./suite.ts";

const CLOCKS: Record<string, number> = { lda: 6, mf: 20, lasso: 10, logreg: 50 };

/** ns per multiply-add of a plain typed-array loop: the machine's speed right now. */
function referenceNsPerMultiplyAdd(): number {
  const K = 20;
  const a = new Float64Array(K).fill(3);
  const b = new Float64Array(K).fill(1e-3);
  let total = 0;
  const start = performance.now();
  for (let it = 0; it < 2_000_000; it++) {
    let sum = 0;
    for (let k = 0; k < K; k++) sum += a[k] * b[k];
    total += sum;
  }
  const ns = ((performance.now() - start) * 1e6) / (2_000_000 * K);
  if (!(total > 0)) throw new Error("reference loop produced nothing");
  return ns;
}

export const appsBench: BenchSuite = {
  name: "apps",
  summary: "real ns per declared compute unit and ms per clock of each ML program (one worker)",
  async run({ quick, log }) {
    const referenceNs = referenceNsPerMultiplyAdd();
    const programs: Record<string, unknown> = {};
    for (const factory of apps) {
      const clocks = quick ? Math.max(2, Math.ceil(CLOCKS[factory.name] / 4)) : CLOCKS[factory.name];
      log(`${factory.name}: ${clocks} clocks, one worker`);
      const make = () => factory.create({}, { workers: 1, seed: 1, clocks });
      const once = (app: ReturnType<typeof make>, n: number) =>
        simulate({
          app,
          workers: 1,
          machines: 1,
          servers: 1,
          consistency: "bsp",
          staleness: 0,
          clocks: n,
          seed: 1,
          objectiveEvery: 0,
        });
      await once(make(), 2); // warm-up: let the JIT compile the hot loops
      const app = make();
      const start = performance.now();
      const { summary } = await once(app, clocks);
      const ms = performance.now() - start;
      programs[factory.name] = {
        msPerClock: ms / clocks,
        computeUnitsPerClock: summary.computeUnits / clocks,
        realNsPerUnit: (ms * 1e6) / summary.computeUnits,
      };
    }
    return { referenceNsPerMultiplyAdd: referenceNs, programs };
  },
};
