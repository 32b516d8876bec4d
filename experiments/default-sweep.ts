// The sweep `npm start` runs: matrix factorisation on 32 simulated workers of a 2013-era cluster with
// everyday stragglers, every consistency model, three seeds. Sized to finish in under two minutes on two cores.

import type { SweepSpec } from "./sweep/grid.ts";

export const defaultSweep: SweepSpec = {
  apps: [{ name: "mf", options: { minibatch: "1", step: "0.01" } }],
  models: ["bsp", "ssp:1", "ssp:2", "ssp:4", "ssp:8", "ssp:16", "async", "essp:2"],
  workers: [32],
  machines: [8],
  servers: [8],
  profiles: ["paper-2013"],
  stragglers: ["jitter:mean=0.3+pause:rate=0.5,ms=20"],
  seeds: [1, 2, 3],
  clocks: 40,
  objectiveEvery: 1,
};
