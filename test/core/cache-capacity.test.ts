import { describe, expect, it } from "vitest";
import { MemoryCluster } from "../../core/memory-host.ts";
import { defineTable } from "../../core/tables.ts";

describe("bounded process cache", () => {
  const table = defineTable({ id: 0, name: "t", width: 2, consistency: "ssp", staleness: 4 });

  /** One worker on one client with a cache of `cacheCapacityRows`, and a read that waits for its reply. */
  const oneClient = (cacheCapacityRows: number) => {
    const cluster = new MemoryCluster({ tables: [table], numShards: 1, clients: [[0]], cacheCapacityRows });
    const client = cluster.clients[0];
    const readNow = (row: number) => {
      const v = client.read(0, 0, row);
      if (v !== null) return v;
      cluster.pump();
      cluster.settle();
      return cluster.completed.get(0)!;
    };
    return { cluster, client, readNow };
  };

  it("holds at most its capacity, refetches evicted rows, and keeps read-my-writes across eviction", () => {
    const { cluster, client, readNow } = oneClient(2);
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

  it("a row evicted with uncommitted updates keeps them: reads still see them, and they are sent once", () => {
    const { cluster, client, readNow } = oneClient(1);
    readNow(1);
    client.inc(0, 0, 1, 0, 5); // uncommitted until clock()
    readNow(2); // evicts row 1, whose update must survive the eviction
    expect(client.cachedRow(0, 1)).toBeUndefined();
    expect(readNow(1).get(0)).toBe(5); // fetched again, its own update added
    client.inc(0, 0, 1, 0, 2);
    readNow(2); // evicts row 1 again
    client.clock(0); // sends row 1's updates, 7 in all
    cluster.pump();
    cluster.settle();
    for (let c = 1; c < 6; c++) client.clock(0); // past the staleness bound: every read comes from the shard
    cluster.pump();
    cluster.settle();
    expect(readNow(1).get(0)).toBe(7);
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

  it("a bounded cache drops a row once no local read can take it, and not a clock earlier", () => {
    const ssp = defineTable({ id: 2, name: "s", width: 1, consistency: "ssp", staleness: 1 });
    const async = defineTable({ id: 3, name: "a", width: 1, consistency: "async" });
    const cluster = new MemoryCluster({
      tables: [ssp, async],
      numShards: 1,
      clients: [[0, 1]],
      cacheCapacityRows: 100,
    });
    const client = cluster.clients[0];
    const settle = () => {
      cluster.pump();
      cluster.settle();
    };
    for (const worker of [0, 1]) {
      client.read(worker, 2, 0);
      settle();
      client.read(worker, 3, 0);
      settle();
    }
    expect(client.cachedRow(2, 0)?.clock).toBe(0);
    const clockBoth = () => {
      client.clock(0);
      client.clock(1);
      settle();
    };
    clockBoth(); // process clock 1: a read there needs clock 0, which the row has
    expect(client.cachedRow(2, 0)).toBeDefined();
    client.clock(0); // worker 0 at 2, worker 1 still at 1: the process clock, and what reads need, stay put
    settle();
    expect(client.cachedRow(2, 0)).toBeDefined();
    expect(client.read(1, 2, 0)?.get(0)).toBe(0); // worker 1 still takes it from the cache
    client.clock(1); // process clock 2: every read needs clock 1 now
    settle();
    expect(client.cachedRow(2, 0)).toBeUndefined();
    expect(client.cachedRow(3, 0)).toBeDefined(); // an async row never goes stale
    expect(client.read(0, 2, 0)).toBeNull(); // a miss: fetched again
    settle();
    expect(client.cachedRow(2, 0)?.clock).toBe(2);
  });

  it("an unbounded cache keeps a dead row until a read replaces it", () => {
    const ssp = defineTable({ id: 2, name: "s", width: 1, consistency: "ssp", staleness: 0 });
    const cluster = new MemoryCluster({ tables: [ssp], numShards: 1, clients: [[0]] });
    const client = cluster.clients[0];
    client.read(0, 2, 0);
    cluster.pump();
    cluster.settle();
    for (let c = 1; c <= 3; c++) {
      client.clock(0);
      cluster.pump();
      cluster.settle();
      expect(client.cachedRow(2, 0)?.clock).toBe(0);
    }
  });

  it("refuses a capacity below one row", () => {
    expect(
      () => new MemoryCluster({ tables: [table], numShards: 1, clients: [[0]], cacheCapacityRows: 0 }),
    ).toThrow(/cache capacity must be at least one row/);
  });
});
