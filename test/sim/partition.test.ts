// A run split into partitions of machines gives one partition's results (partition.ts): every field of the
// summary, the trace hash (every record of the run) included, for every consistency model, with ties
// shuffled, on every row type.

import { describe, expect, it } from "vitest";
import type { AppInstance } from "../../apps/api.ts";
import { findApp } from "../../apps/index.ts";
import { synthetic } from "../../apps/synthetic.ts";
import type { Consistency } from "../../core/tables.ts";
import { mergeTransfers, type Transfer } from "../../sim/partition.ts";
import { resolveProfile } from "../../sim/profiles.ts";
import { type SimConfig, type SimSummary, simulate } from "../../sim/simulate.ts";

function syntheticRun(consistency: Consistency, extra: Partial<SimConfig> = {}): SimConfig {
  return {
    app: synthetic.create({ rows: "120", "rows-per-clock": "5" }, { workers: 48, seed: 2 }),
    workers: 48,
    machines: 12,
    servers: 5,
    consistency,
    staleness: consistency === "bsp" ? 0 : 2,
    clocks: 8,
    seed: 9,
    profile: "datacenter-10g",
    stragglers: "jitter:mean=0.3+pause:rate=5,ms=2",
    objectiveEvery: 0,
    cacheRows: 40,
    ...extra,
  };
}

async function summaries(config: SimConfig, partitions: number[]): Promise<SimSummary[]> {
  const out: SimSummary[] = [];
  for (const p of partitions) out.push((await simulate({ ...config, partitions: p })).summary);
  return out;
}

describe("partitioned runs", () => {
  it.each(["bsp", "ssp", "async", "essp"] as const)(
    "%s: 2 and 5 partitions give one partition's results",
    async (c) => {
      const [one, two, five] = await summaries(syntheticRun(c), [1, 2, 5]);
      expect(one.events).toBeGreaterThan(1000);
      expect(two).toEqual(one);
      expect(five).toEqual(one);
    },
  );

  it("on small clusters, where some partitions send only to their own machines and some go idle first", async () => {
    const shapes: Array<[workers: number, machines: number, servers: number]> = [
      [4, 4, 1],
      [5, 5, 1],
      [3, 3, 3],
      [8, 4, 2],
    ];
    for (const [workers, machines, servers] of shapes) {
      const config: SimConfig = {
        ...syntheticRun("ssp", { workers, machines, servers, staleness: 1, clocks: 4 }),
        app: synthetic.create({ rows: "20", "rows-per-clock": "2" }, { workers, seed: 1 }),
      };
      const [one, ...more] = await summaries(config, [1, 2, 3]);
      for (const other of more) expect(other).toEqual(one);
    }
  });

  it("with shuffled ties, dedicated servers and machines of mixed speed, too", async () => {
    const config = syntheticRun("ssp", { shuffleTies: 4, profile: "hetero", clocks: 6 });
    const [one, three] = await summaries(config, [1, 3]);
    expect(three).toEqual(one);
    const [unshuffled] = await summaries({ ...config, shuffleTies: undefined }, [1]);
    expect(unshuffled.traceSha256).not.toBe(one.traceSha256);
  });

  it("with the objective sampled every clock (MF: held-out error too)", async () => {
    const config: SimConfig = {
      app: findApp("mf")!.create({}, { workers: 12, seed: 3 }),
      workers: 12,
      machines: 6,
      servers: 3,
      consistency: "ssp",
      staleness: 2,
      clocks: 6,
      seed: 3,
      profile: "paper-2013",
      stragglers: "jitter:mean=0.3",
      objectiveEvery: 1,
    };
    const one = await simulate(config);
    const three = await simulate({ ...config, partitions: 3 });
    expect(one.objectives.map((s) => s.clock)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(one.summary.metrics).toHaveProperty("heldOutRmse");
    expect(three.objectives).toEqual(one.objectives);
    expect(three.summary).toEqual(one.summary);
  });

  it("on an ML program's int32 rows (LDA)", async () => {
    const app: AppInstance = findApp("lda")!.create(
      { topics: "5", years: "2000-2004", "max-docs": "80", "max-vocab": "300" },
      { workers: 8, seed: 1 },
    );
    const config: SimConfig = {
      app,
      workers: 8,
      machines: 4,
      servers: 2,
      consistency: "ssp",
      staleness: 1,
      clocks: 3,
      seed: 1,
      profile: "paper-2013",
      objectiveEvery: 0,
    };
    const [one, two] = await summaries(config, [1, 2]);
    expect(two).toEqual(one);
  });

  it("gives one partition's trace hash, which another seed changes", async () => {
    const [one, two] = await summaries(syntheticRun("ssp", { seed: 10 }), [1, 2]);
    const [other] = await summaries(syntheticRun("ssp", { seed: 11 }), [2]);
    expect(two.traceSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(two.traceSha256).toBe(one.traceSha256);
    expect(other.traceSha256).not.toBe(two.traceSha256);
  });

  it("refuses what it cannot do, naming the setting", async () => {
    const run = (extra: Partial<SimConfig>) => simulate(syntheticRun("ssp", { partitions: 2, ...extra }));
    await expect(run({ checkMode: true })).rejects.toThrow(/check mode/);
    await expect(run({ trace: () => {} })).rejects.toThrow(/--trace/);
    await expect(run({ partitions: 13 })).rejects.toThrow(/12 machines/);
    await expect(run({ partitions: 1.5 })).rejects.toThrow(/positive integer/);
    const instant = { ...resolveProfile("datacenter-10g"), perMessageOverheadNs: 0 };
    await expect(run({ profile: instant })).rejects.toThrow(/perMessageOverheadNs > 0/);
  });
});

describe("mergeTransfers", () => {
  const t = (sentNs: number, sentInEvent: number, order: number): Transfer => ({
    sentNs,
    sentInEvent,
    order,
    key: 0,
    fromMachine: 0,
    toMachine: 1,
    bytes: 1,
    txStartNs: 0,
    txEndNs: 0,
    toShard: null,
    toClient: null,
  });

  it("merges lists in send order: time, then the sending event's key, then the place in that event", () => {
    const a = [t(1, 5, 0), t(1, 5, 1), t(3, 0, 0)];
    const b = [t(1, 4, 7), t(1, 5, 2), t(2, 9, 0)];
    const c = [t(0, 9, 0), t(4, 0, 0)];
    const merged = mergeTransfers(a, [b, c]).map((x) => [x.sentNs, x.sentInEvent, x.order]);
    expect(merged).toEqual([
      [0, 9, 0],
      [1, 4, 7],
      [1, 5, 0],
      [1, 5, 1],
      [1, 5, 2],
      [2, 9, 0],
      [3, 0, 0],
      [4, 0, 0],
    ]);
  });
});
