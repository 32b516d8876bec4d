// `ssp bench apps`: the real cost of each ML program's work on this machine, next to a plain multiply-add
// loop, so the declared compute can be calibrated (see apps/cost.ts). One worker on a bare local host, so
// the figures are the app's own work, not the simulator's messaging.

import { performance } from "node:perf_hooks";
import { REFERENCE_NS_PER_UNIT } from "../../apps/cost.ts";
import { apps } from "../../apps/index.ts";
import { runLocally } from "./local-host.ts";
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
      await runLocally(make(), Math.min(2, clocks), 1); // warm-up: let the JIT compile the hot loops
      const start = performance.now();
      const { declaredUnits } = await runLocally(make(), clocks, 1);
      const ms = performance.now() - start;
      const realNsPerDeclaredNs = (ms * 1e6) / declaredUnits;
      const assumed = REFERENCE_NS_PER_UNIT[factory.name as keyof typeof REFERENCE_NS_PER_UNIT];
      programs[factory.name] = {
        msPerClock: ms / clocks,
        declaredMsPerClock: declaredUnits / 1e6 / clocks,
        // 1 when apps/cost.ts matches this machine; a reference machine reads about 1.
        realOverDeclared: realNsPerDeclaredNs,
        assumedNsPerNaturalUnit: assumed,
        measuredNsPerNaturalUnit: assumed * realNsPerDeclaredNs,
      };
    }
    return { referenceNsPerMultiplyAdd: referenceNs, programs };
  },
};
