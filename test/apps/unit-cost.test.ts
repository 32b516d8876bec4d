// Measures, on this machine, the real time per clock of one worker and the real ns per declared compute unit
// for each program with its default data, so the hardware profiles can be calibrated. It prints the figures;
// it asserts only that work was declared (timings are never asserted).

import { expect, it } from "vitest";
import type { AppInstance } from "../../apps/api.ts";
import { apps } from "../../apps/index.ts";
import { runBsp } from "./bsp-host.ts";

// LDA's clock 0 only assigns random topics, so its runs are long enough for that to be a small share.
const CLOCKS: Record<string, number> = { lda: 6, mf: 20, lasso: 10, logreg: 50 };

/** A plain typed-array multiply-add loop: the machine's speed right now, to read the figures against. */
function referenceNsPerMultiplyAdd(): number {
  const K = 20;
  const a = new Int32Array(K).fill(3);
  const inverse = new Float64Array(K).fill(1e-3);
  const out = new Float64Array(K);
  const start = performance.now();
  let total = 0;
  for (let it = 0; it < 500_000; it++) {
    let sum = 0;
    for (let k = 0; k < K; k++) {
      sum += (a[k] + 0.1) * inverse[k];
      out[k] = sum;
    }
    total += sum;
  }
  const ns = ((performance.now() - start) * 1e6) / (500_000 * K);
  expect(total).toBeGreaterThan(0);
  return Number(ns.toFixed(2));
}

it("prints real ns per compute unit and ms per clock for one worker", async () => {
  const figures: Record<string, { msPerClock: number; nsPerUnit: number; unitsPerClock: number }> = {};
  const reference = referenceNsPerMultiplyAdd();
  for (const factory of apps) {
    const clocks = CLOCKS[factory.name];
    const app: AppInstance = factory.create({}, { workers: 1, seed: 1 });
    await runBsp(app, 1, 2, 1, false); // warm-up: let the JIT compile the hot loops
    const start = performance.now();
    const run = await runBsp(app, 1, clocks, 1, false);
    const ms = performance.now() - start;
    const units = run.computeUnits[0];
    expect(units).toBeGreaterThan(0);
    // Includes the worker's reads and increments through the in-process host, not the objective.
    figures[factory.name] = {
      msPerClock: Number((ms / clocks).toFixed(3)),
      nsPerUnit: Number(((ms * 1e6) / units).toFixed(2)),
      unitsPerClock: Math.round(units / clocks),
    };
  }
  console.log(
    `unit cost on ${process.version}, reference loop ${reference} ns per multiply-add: ${JSON.stringify(figures)}`,
  );
}, 60_000);
