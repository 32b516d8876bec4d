// Reads are snapshots. The core hands rows over without copying them (copy-on-write in the shard and in
// the process cache), so these tests pin down that no later update, commit or refresh reaches a view
// that was already handed out.

import { describe, expect, it } from "vitest";
import { MemoryCluster } from "../../core/memory-host.ts";
import type { RowView } from "../../core/rows.ts";
import { defineTable } from "../../core/tables.ts";

const bsp = defineTable({ id: 1, name: "bsp", width: 2, consistency: "bsp" });
const ssp = defineTable({ id: 2, name: "ssp", width: 2, consistency: "ssp", staleness: 2 });
const async = defineTable({ id: 3, name: "async", width: 2, consistency: "async" });

function read(cluster: MemoryCluster, worker: number, table: number, row: number): RowView {
  const now = cluster.client(worker).read(worker, table, row);
  if (now !== null) return now;
  cluster.pump();
  cluster.settle();
  const later = cluster.completed.get(worker);
  if (later === undefined) throw new Error(`worker ${worker}'s read of row ${row} did not complete`);
  cluster.completed.delete(worker);
  return later;
}

function incAndClock(cluster: MemoryCluster, worker: number, table: number, delta: number): void {
  cluster.client(worker).inc(worker, table, 0, 0, delta);
  cluster.client(worker).clock(worker);
  cluster.pump();
  cluster.settle();
}

describe("read snapshots", () => {
  for (const spec of [bsp, ssp, async]) {
    it(`a ${spec.consistency} view keeps its values through later commits, applies and refreshes`, () => {
      const cluster = new MemoryCluster({ tables: [spec], numShards: 1, clients: [[0], [1]] });
      const views: Array<[RowView, number]> = [];
      let expected = 0;
      for (let clock = 0; clock < 4; clock++) {
        // Both workers read (the second from the shard's copy or the cache), then both commit an update.
        for (const w of [0, 1]) {
          const view = read(cluster, w, spec.id, 0);
          views.push([view, view.get(0)]);
        }
        for (const w of [0, 1]) incAndClock(cluster, w, spec.id, 1 + w * 10);
        expected += 1 + 11;
      }
      for (const [view, value] of views) expect(view.get(0)).toBe(value);
      // The views were not frozen at zero: the last reads saw the earlier clocks' updates.
      expect(views.at(-1)![1]).toBeGreaterThan(0);
      expect(read(cluster, 0, spec.id, 0).get(0)).toBeLessThanOrEqual(expected);
    });
  }

  it("a view with the reader's own uncommitted update is not the cached row", () => {
    const cluster = new MemoryCluster({ tables: [ssp], numShards: 1, clients: [[0, 1]] });
    const before = read(cluster, 0, ssp.id, 0);
    cluster.client(0).inc(0, ssp.id, 0, 0, 5);
    const mine = read(cluster, 0, ssp.id, 0);
    const other = read(cluster, 1, ssp.id, 0);
    expect([before.get(0), mine.get(0), other.get(0)]).toEqual([0, 5, 5]);
    cluster.client(0).inc(0, ssp.id, 0, 0, 7);
    expect([before.get(0), mine.get(0), other.get(0)]).toEqual([0, 5, 5]);
    expect(read(cluster, 0, ssp.id, 0).get(0)).toBe(12);
  });

  it("replaying a client's own batch onto a reply does not reach another client's view of that reply", () => {
    const cluster = new MemoryCluster({ tables: [async], numShards: 1, clients: [[0], [1]] });
    read(cluster, 0, async.id, 0);
    read(cluster, 1, async.id, 0);
    incAndClock(cluster, 0, async.id, 1);
    incAndClock(cluster, 1, async.id, 0);
    // Worker 1's stale cached row is refreshed in the background; its next read holds the shard's reply.
    read(cluster, 1, async.id, 0);
    cluster.pump();
    cluster.settle();
    const held = read(cluster, 1, async.id, 0);
    expect(held.get(0)).toBe(1);
    // Worker 0's refresh is answered before its next batch is applied, so the client replays that batch.
    read(cluster, 0, async.id, 0);
    cluster.client(0).inc(0, async.id, 0, 0, 5);
    cluster.client(0).clock(0);
    cluster.pump();
    cluster.settle();
    expect(read(cluster, 0, async.id, 0).get(0)).toBe(6);
    expect(held.get(0)).toBe(1);
  });
});
