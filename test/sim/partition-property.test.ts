// Over random small runs: any partition count gives one partition's results, trace hash included.

import { fc, test } from "@fast-check/vitest";
import { describe, expect } from "vitest";
import { synthetic } from "../../apps/synthetic.ts";
import { presets } from "../../sim/profiles.ts";
import { simulate } from "../../sim/simulate.ts";

const runArb = fc
  .record({
    workers: fc.integer({ min: 2, max: 24 }),
    machineShare: fc.double({ min: 0, max: 1, noNaN: true }),
    servers: fc.integer({ min: 1, max: 4 }),
    consistency: fc.constantFrom("bsp", "ssp", "async", "essp"),
    staleness: fc.integer({ min: 0, max: 3 }),
    clocks: fc.integer({ min: 1, max: 5 }),
    profile: fc.constantFrom(...Object.keys(presets)),
    stragglers: fc.constantFrom(
      "none",
      "jitter:mean=0.5",
      "slow:workers=2,factor=3+pause:rate=20,ms=1",
      "pareto",
    ),
    rows: fc.integer({ min: 4, max: 40 }),
    cacheRows: fc.option(fc.integer({ min: 2, max: 20 }), { nil: undefined }),
    shuffleTies: fc.option(fc.integer({ min: 0, max: 1000 }), { nil: undefined }),
    seed: fc.integer({ min: 0, max: 1000 }),
    partitionShare: fc.double({ min: 0, max: 1, noNaN: true }),
  })
  .map((r) => {
    const machines = Math.min(r.workers, 2 + Math.floor(r.machineShare * (r.workers - 1)));
    return {
      ...r,
      machines,
      partitions: Math.min(machines, 2 + Math.floor(r.partitionShare * (machines - 1))),
    };
  });

/** Each run simulates twice: fewer than the core's properties. SSP_PROP_RUNS overrides, for a deeper search. */
const numRuns = Number(process.env.SSP_PROP_RUNS || (process.env.CI === "true" ? 60 : 20));
const seedText = process.env.SSP_PROP_SEED;

describe("partitioned runs over random settings", () => {
  test.prop([runArb], { numRuns, ...(seedText ? { seed: Number(seedText) } : {}) })(
    "any partition count gives one partition's summary and trace hash",
    async (r) => {
      const run = (partitions: number) =>
        simulate({
          app: synthetic.create(
            { rows: String(r.rows), "rows-per-clock": "3" },
            { workers: r.workers, seed: r.seed },
          ),
          workers: r.workers,
          machines: r.machines,
          servers: r.servers,
          consistency: r.consistency,
          staleness: r.staleness,
          clocks: r.clocks,
          seed: r.seed,
          profile: r.profile,
          stragglers: r.stragglers,
          objectiveEvery: 0,
          cacheRows: r.cacheRows,
          shuffleTies: r.shuffleTies,
          partitions,
        });
      const one = (await run(1)).summary;
      const many = (await run(r.partitions)).summary;
      expect(many).toEqual(one);
    },
  );
});
