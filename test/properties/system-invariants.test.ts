// Properties 6–9 and 11 of issue 2: clocks, conservation of updates, cache refresh, liveness and
// determinism, over random clusters, tables, workloads and delivery orders.

import { test } from "@fast-check/vitest";
import { describe, expect } from "vitest";
import { rowKey } from "../../core/keys.ts";
import type { MemoryCluster } from "../../core/memory-host.ts";
import { expectFinished, plannedUpdates } from "./checks.ts";
import {
  addAs,
  closeEnough,
  extraColumn,
  indicatorColumn,
  initialExtra,
  runScenario,
  serialise,
  TABLE,
  valueAt,
} from "./run-scenario.ts";
import { propertyParams, scenarioArb } from "./scenario.ts";

/** Watches clocks after every step: any decrease is reported as a violation. */
function clockWatcher(rows: number) {
  const server: number[] = [];
  const process: number[] = [];
  const cache = new Map<string, number>();
  return (cluster: MemoryCluster, step: number): string | undefined => {
    for (const s of cluster.servers) {
      if (s.clock < (server[s.shard] ?? 0)) return `step ${step}: shard ${s.shard} clock went back`;
      server[s.shard] = s.clock;
    }
    for (const c of cluster.clients) {
      if (c.processClock < (process[c.client] ?? 0))
        return `step ${step}: client ${c.client} clock went back`;
      process[c.client] = c.processClock;
      for (let row = 0; row < rows; row++) {
        const clock = c.cachedRow(TABLE, row)?.clock;
        if (clock === undefined) continue;
        const key = `${c.client},${row}`;
        if (clock < (cache.get(key) ?? 0))
          return `step ${step}: client ${c.client} row ${row} clock went back`;
        cache.set(key, clock);
      }
    }
    return undefined;
  };
}

describe("SSP system invariants", () => {
  test.prop([scenarioArb()], propertyParams())(
    "6. monotonic clocks: server, row and process clocks never decrease; a reply for clock r needs server clock ≥ r",
    (scenario) => {
      const run = runScenario(scenario, { afterStep: clockWatcher(scenario.rows) });
      expectFinished(run);
      const serverClock = new Map<number, number>();
      const processClock = new Map<number, number>();
      const workerClock = new Map<number, number>();
      const requested = new Map<number, number>();
      const rowClock = new Map<string, number>();
      const clientOf = run.cluster.clientOf;
      for (const e of run.events) {
        const at = JSON.stringify(e);
        if (e.type === "serverClock") {
          expect(e.clock, at).toBeGreaterThan(serverClock.get(e.shard) ?? 0);
          serverClock.set(e.shard, e.clock);
        } else if (e.type === "processClock") {
          expect(e.clock, at).toBe((processClock.get(e.client) ?? 0) + 1);
          processClock.set(e.client, e.clock);
        } else if (e.type === "workerClock") {
          expect(e.clock, at).toBe((workerClock.get(e.worker) ?? 0) + 1);
          workerClock.set(e.worker, e.clock);
        } else if (e.type === "request") {
          requested.set(e.client * 1000 + e.row, e.requiredClock);
        } else if (e.type === "rowSent") {
          // The reply carries the shard clock at the time it was sent.
          expect(e.clock, at).toBe(serverClock.get(e.shard) ?? 0);
          if (!e.pushed) {
            const required = requested.get(e.client * 1000 + e.row);
            expect(required, `${at}: answers no request`).toBeDefined();
            expect(e.clock, at).toBeGreaterThanOrEqual(required!);
          }
        } else if (e.type === "read") {
          const key = `${clientOf.get(e.worker)},${e.row}`;
          expect(e.rowClock, at).toBeGreaterThanOrEqual(rowClock.get(key) ?? 0);
          expect(e.staleness, at).toBe(e.clock - e.rowClock);
          rowClock.set(key, e.rowClock);
        }
      }
    },
  );

  test.prop([scenarioArb()], propertyParams())(
    "7. nothing lost or duplicated: finished server rows are the initial value plus the sum of all increments",
    (scenario) => {
      const run = runScenario(scenario);
      expectFinished(run);
      const planned = plannedUpdates(scenario);
      const valueType = scenario.table.valueType;
      for (const server of run.cluster.servers) expect(server.clock).toBe(scenario.clocks);
      for (let row = 0; row < scenario.rows; row++) {
        const owner = run.placement(run.spec, row);
        const updates = run.updates.filter((u) => u.row === row);
        const full = run.cluster.servers[owner].fullRow(TABLE, row);
        if (full === undefined) {
          expect(updates, `row ${row} is missing on shard ${owner}`).toEqual([]);
          continue;
        }
        for (let w = 0; w < scenario.workers; w++) {
          for (let c = 0; c < scenario.clocks; c++) {
            const expected = planned[w][c].has(row) ? 1 : 0;
            expect(valueAt(full, indicatorColumn(scenario, w, c)), `row ${row}, update (w${w}, c${c})`).toBe(
              expected,
            );
          }
        }
        let sum = initialExtra(scenario, row);
        let scale = Math.abs(sum);
        for (const u of updates) {
          sum = addAs(valueType, sum, u.extra);
          scale += Math.abs(u.extra);
        }
        const actual = valueAt(full, extraColumn(scenario));
        expect(
          closeEnough(valueType, actual, sum, scale),
          `row ${row}: extra ${actual}, expected ${sum}`,
        ).toBe(true);
        // Once every clock is done nothing is held back: the settled rows are the full rows.
        const settled = new Map(run.cluster.servers[owner].settledRows());
        expect(serialise(settled.get(rowKey(TABLE, row)))).toBe(serialise(full));
        run.cluster.servers.forEach((other, shard) => {
          if (shard !== owner)
            expect(other.fullRow(TABLE, row), `row ${row} on shard ${shard}`).toBeUndefined();
        });
      }
    },
  );

  test.prop([scenarioArb()], propertyParams())(
    "8. refresh: after a row reply the cached row is the reply plus exactly the client's own updates it lacks",
    (scenario) => {
      const run = runScenario(scenario);
      expectFinished(run);
      const valueType = scenario.table.valueType;
      for (const d of run.rowDeliveries) {
        const where = `client ${d.client}, reply for row ${d.message.row} (version ${d.message.version}, clock ${d.message.clock}, step ${d.step})`;
        const own = new Set(scenario.clients[d.client]);
        expect(d.cachedClockAfter, where).toBe(d.message.clock);
        let extra = valueAt(d.sent, extraColumn(scenario));
        let scale = Math.abs(extra);
        for (const u of run.updates) {
          if (!own.has(u.worker) || u.row !== d.message.row || u.step > d.step) continue;
          const col = indicatorColumn(scenario, u.worker, u.clock);
          // The reply holds exactly this client's batches 1..version, i.e. its updates stamped < version.
          const inReply = u.clock < d.message.version ? 1 : 0;
          expect(valueAt(d.sent, col), `${where}: own update (w${u.worker}, c${u.clock}) in reply`).toBe(
            inReply,
          );
          // The cache adds the committed ones the reply lacks, and never the uncommitted ones.
          const committed = u.clock < d.processClock ? 1 : 0;
          expect(
            valueAt(d.cachedAfter, col),
            `${where}: own update (w${u.worker}, c${u.clock}) in cache`,
          ).toBe(committed);
          if (committed === 1 && inReply === 0) {
            extra = addAs(valueType, extra, u.extra);
            scale += Math.abs(u.extra);
          }
        }
        for (let w = 0; w < scenario.workers; w++) {
          if (own.has(w)) continue;
          for (let c = 0; c < scenario.clocks; c++) {
            const col = indicatorColumn(scenario, w, c);
            expect(valueAt(d.cachedAfter, col), `${where}: other's update (w${w}, c${c})`).toBe(
              valueAt(d.sent, col),
            );
          }
        }
        const cachedExtra = valueAt(d.cachedAfter, extraColumn(scenario));
        expect(
          closeEnough(valueType, cachedExtra, extra, scale),
          `${where}: extra ${cachedExtra} vs ${extra}`,
        ).toBe(true);
      }
    },
  );

  test.prop([scenarioArb({ maxClocks: 6 })], propertyParams())(
    "9. liveness: every schedule that eventually delivers every message finishes (s = 0, small s, ∞)",
    (scenario) => {
      const run = runScenario(scenario, { maxSteps: 20_000 });
      expectFinished(run);
      expect(run.cluster.busyChannels()).toEqual([]);
      for (const server of run.cluster.servers) expect(server.clock).toBe(scenario.clocks);
      for (const client of run.cluster.clients) {
        expect(client.processClock).toBe(scenario.clocks);
        for (const w of client.workers) {
          expect(client.isBlocked(w)).toBe(false);
          expect(client.clockOf(w)).toBe(scenario.clocks);
        }
      }
    },
  );

  test.prop([scenarioArb()], propertyParams())(
    "11. determinism: the same inputs in the same order give identical outputs",
    (scenario) => {
      const first = runScenario(structuredClone(scenario), { transcript: true });
      const second = runScenario(structuredClone(scenario), { transcript: true });
      expect(second.transcript.length).toBe(first.transcript.length);
      for (let i = 0; i < first.transcript.length; i++)
        expect(second.transcript[i], `entry ${i}`).toBe(first.transcript[i]);
      const rows = (run: typeof first) =>
        serialise(run.cluster.servers.map((s) => s.rowKeys().map((k) => s.fullRow(k.table, k.row))));
      expect(rows(second)).toBe(rows(first));
    },
  );
});
