import { describe, expect, it } from "vitest";
import { MemoryCluster } from "../../core/memory-host.ts";
import { defineTable } from "../../core/tables.ts";

describe("bounded process cache", () => {
  const table = defineTable({ id: 0, name: "t", width: 2, consistency: "ssp", staleness: 4 });

  it("holds at most its capacity, refetches evicted rows, and keeps read-my-writes across eviction", () => {
    const cluster = new MemoryCluster({
      tables: [table],
      numShards: 1,
      clients: [[0]],
      cacheCapacityRows: 2,
    });
    const client = cluster.clients[0];
    const readNow = (row: number) => {
      const v = client.read(0, 0, row);
      if (v !== null) return v;
      cluster.pump();
      cluster.settle();
      return cluster.completed.get(0)!;
    };
    readNow(1);
    client.inc(0, 0, 1, 0, 5);
    client.clock(0); // commits row 1's update
    cluster.pump();
    cluster.settle();
    readNow(2);
    readNow(3); // evicts row 1, the least recently refreshed
    expect(client.cachedRow(0, 1)).toBeUndefined();
    expect(client.cachedRow(0, 2)).toBeDefined();
    expect(client.cachedRow(0, 3)).toBeDefined();
    expect(client.read(0, 0, 1)).toBeNull(); // a miss again
    cluster.pump();
    cluster.settle();
    expect(cluster.completed.get(0)!.get(0)).toBe(5); // its own committed update is there
  });

  it("a refreshed row still counts once: refreshing does not push another row out", () => {
    const bsp = defineTable({ id: 1, name: "b", width: 1, consistency: "bsp" });
    const cluster = new MemoryCluster({ tables: [bsp], numShards: 1, clients: [[0]], cacheCapacityRows: 2 });
    const client = cluster.clients[0];
    const read = (row: number) => {
      if (client.read(0, 1, row) !== null) return;
      cluster.pump();
      cluster.settle();
    };
    read(0);
    read(1);
    // Under BSP every clock makes both rows stale, so each read below refreshes a row already cached.
    for (let clock = 0; clock < 3; clock++) {
      client.clock(0);
      cluster.pump();
      cluster.settle();
      read(0);
      read(1);
      expect(client.cachedRow(1, 0)?.clock).toBe(clock + 1);
      expect(client.cachedRow(1, 1)?.clock).toBe(clock + 1);
    }
  });

  it("refuses a capacity below one row", () => {
    expect(
      () => new MemoryCluster({ tables: [table], numShards: 1, clients: [[0]], cacheCapacityRows: 0 }),
    ).toThrow(/cache capacity must be at least one row/);
  });
});
