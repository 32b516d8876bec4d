import { describe, expect, it } from "vitest";
import { MemoryCluster } from "../../core/memory-host.ts";
import { defineTable } from "../../core/tables.ts";

describe("core smoke", () => {
  it("two clients exchange increments under SSP", () => {
    const table = defineTable({ id: 0, name: "t", width: 4, consistency: "ssp", staleness: 1 });
    const cluster = new MemoryCluster({ tables: [table], numShards: 2, clients: [[0], [1]] });
    const a = cluster.client(0);
    const b = cluster.client(1);
    // Clock 0: both read (cold miss), both increment, both clock.
    expect(a.read(0, 0, 5)).toBeNull();
    expect(b.read(1, 0, 5)).toBeNull();
    cluster.pump();
    cluster.settle();
    expect(cluster.completed.get(0)?.get(0)).toBe(0);
    a.inc(0, 0, 5, 0, 1);
    b.inc(1, 0, 5, 1, 10);
    a.clock(0);
    b.clock(1);
    cluster.pump();
    cluster.settle();
    // Clock 1, s = 1: the cached row (clock 0) still serves; own update visible, the other's not.
    const view = a.read(0, 0, 5)!;
    expect(view.get(0)).toBe(1);
    expect(view.get(1)).toBe(0);
    a.clock(0);
    b.clock(1);
    cluster.pump();
    cluster.settle();
    // Clock 2 needs shard clock ≥ 1: refetch; now both updates are in.
    expect(a.read(0, 0, 5)).toBeNull();
    cluster.pump();
    cluster.settle();
    const fresh = cluster.completed.get(0)!;
    expect([fresh.get(0), fresh.get(1)]).toEqual([1, 10]);
  });
});
