// The SSP checker: verifies the paper's guarantees on any trace, simulated or from the runtime.
//
// Always checked:
//   - clocks: every worker's clock records count up by one; every read is stamped with its worker's clock.
//   - gating: a read at clock c (staleness s) completed only after every worker had completed clock c−s−1,
//     judged by the clock records' times (with a skew allowance for traces merged from several hosts), and
//     its row clock is at least c−s with staleness = c − row clock.
//   - shard clocks never go backwards.
// Checked when the trace was written in check mode (indicator increments, read values, final rows):
//   - guaranteed contents: a read includes every update stamped ≤ c−s−1 from every worker;
//   - read-my-writes: it includes exactly the reader's own increments made so far;
//   - upper bound: it includes no other worker's update stamped ≥ c+s;
//   - no partial or doubled update from anyone;
//   - no lost updates: each final row equals the sum of all increments to it.

import { keyRow, keyTable, rowKey } from "../core/keys.ts";
import { stalenessFromJson, type Trace, type TraceRecord } from "../core/trace-format.ts";

export interface CheckOptions {
  /** Allowed disagreement between clocks of different hosts, for merged runtime traces. */
  skewNs?: number;
  /** Stop collecting after this many violations. */
  maxViolations?: number;
}

export interface CheckReport {
  ok: boolean;
  violations: string[];
  reads: number;
  contentChecks: number;
  finalRows: number;
}

export function checkTrace(trace: Trace, options: CheckOptions = {}): CheckReport {
  const { header, records } = trace;
  const skew = options.skewNs ?? 0;
  const limit = options.maxViolations ?? 20;
  const violations: string[] = [];
  const violate = (message: string) => {
    if (violations.length < limit) violations.push(message);
  };
  const P = header.workers;
  const C = header.clocks;
  const s = stalenessFromJson(header.staleness);

  // When did every worker reach each clock count? reach[k] = latest time any worker's count became k.
  const reach = new Float64Array(C + 2).fill(Number.POSITIVE_INFINITY);
  const reachCount = new Int32Array(C + 2);
  const reachMax = new Float64Array(C + 2);
  const current = new Int32Array(P);
  for (const r of records) {
    if (r.k !== "clock") continue;
    if (r.w < 0 || r.w >= P) {
      violate(`clock record for unknown worker ${r.w}`);
      continue;
    }
    if (r.clock !== current[r.w] + 1) violate(`worker ${r.w} went from clock ${current[r.w]} to ${r.clock}`);
    current[r.w] = r.clock;
    if (r.clock <= C + 1) {
      reachCount[r.clock]++;
      reachMax[r.clock] = Math.max(reachMax[r.clock], r.t);
      if (reachCount[r.clock] === P) reach[r.clock] = reachMax[r.clock];
    }
  }

  const checkMode = records.some((r) => r.k === "inc");
  // Running sums of increments: row key → column → sum so far (columns decode to (worker, clock) in check mode).
  const sums = new Map<number, Map<number, number>>();
  // With a skew allowance, another worker's update may be recorded up to `skew` after a read that saw it (its
  // host's clock runs behind): the sums up to the read's time + skew bound what the read may hold. A reader's
  // own updates are recorded on its own clock, so read-my-writes keeps the exact sums.
  const sumsAhead = skew > 0 ? new Map<number, Map<number, number>>() : sums;
  let ahead = 0;
  const addInc = (into: Map<number, Map<number, number>>, r: Extract<TraceRecord, { k: "inc" }>) => {
    const key = rowKey(r.table, r.row);
    let cols = into.get(key);
    if (cols === undefined) into.set(key, (cols = new Map()));
    cols.set(r.col, (cols.get(r.col) ?? 0) + r.delta);
  };
  const clockNow = new Int32Array(P);
  const shardClock = new Map<number, number>();
  let reads = 0;
  let contentChecks = 0;
  let finalRows = 0;
  const seenFinal = new Set<number>();

  for (let index = 0; index < records.length; index++) {
    const r = records[index];
    switch (r.k) {
      case "clock":
        clockNow[r.w] = r.clock;
        break;
      case "sclock": {
        const before = shardClock.get(r.s) ?? 0;
        if (r.clock < before)
          violate(`shard ${r.s} clock went back from ${before} to ${r.clock} at t=${r.t}`);
        shardClock.set(r.s, r.clock);
        break;
      }
      case "inc": {
        if (r.clock !== clockNow[r.w])
          violate(`inc by worker ${r.w} stamped clock ${r.clock}, its clock is ${clockNow[r.w]}`);
        addInc(sums, r);
        break;
      }
      case "read": {
        reads++;
        const c = r.clock;
        const where = `read by worker ${r.w} at clock ${c} of table ${r.table} row ${r.row} (t=${r.t})`;
        if (c !== clockNow[r.w]) violate(`${where}: the worker's clock is ${clockNow[r.w]}`);
        const required = s === Number.POSITIVE_INFINITY ? 0 : Math.max(0, c - s);
        if (required > 0 && !(reach[required] <= r.t + skew)) {
          violate(
            `${where}: gating — needs every worker past clock ${required - 1}, but the last got there at ${reach[required] === Number.POSITIVE_INFINITY ? "never" : reach[required]}`,
          );
        }
        if (r.rowClock < required) violate(`${where}: row clock ${r.rowClock} < required ${required}`);
        if (r.staleness !== c - r.rowClock) violate(`${where}: staleness ${r.staleness} ≠ clock − row clock`);
        if (checkMode && r.values !== undefined) {
          contentChecks++;
          if (sumsAhead !== sums) {
            // Every increment before this read, and those after it up to its time + skew.
            for (; ahead < records.length; ahead++) {
              const next = records[ahead];
              if (next.k !== "inc") continue;
              if (ahead > index && next.t > r.t + skew) break;
              addInc(sumsAhead, next);
            }
          }
          const key = rowKey(r.table, r.row);
          checkContents(r.w, c, s, C, where, r.values, sums.get(key), sumsAhead.get(key), violate);
        }
        break;
      }
      case "final": {
        finalRows++;
        const key = rowKey(r.table, r.row);
        seenFinal.add(key);
        if (!checkMode) break;
        const expected = sums.get(key) ?? new Map<number, number>();
        const got = new Map(r.values);
        for (const col of new Set([...expected.keys(), ...got.keys()])) {
          const e = expected.get(col) ?? 0;
          const g = got.get(col) ?? 0;
          if (Math.abs(g - e) > 1e-9 * Math.max(1, Math.abs(e))) {
            violate(
              `final table ${r.table} row ${r.row} column ${col}: holds ${g}, increments sum to ${e} (lost or doubled)`,
            );
          }
        }
        break;
      }
    }
  }
  if (checkMode && finalRows > 0) {
    for (const key of sums.keys()) {
      if (!seenFinal.has(key))
        violate(`table ${keyTable(key)} row ${keyRow(key)} was incremented but is missing at the end`);
    }
  }
  return { ok: violations.length === 0, violations, reads, contentChecks, finalRows };
}

/** Decodes an indicator read (column = worker·C + clock) and checks it against the SSP window. */
function checkContents(
  reader: number,
  c: number,
  s: number,
  C: number,
  where: string,
  values: Array<[number, number]>,
  sums: Map<number, number> | undefined,
  sumsAhead: Map<number, number> | undefined,
  violate: (m: string) => void,
): void {
  const got = new Map(values);
  const cols = new Set<number>(got.keys());
  if (sumsAhead !== undefined) for (const col of sumsAhead.keys()) cols.add(col);
  for (const col of cols) {
    const w = Math.floor(col / C);
    const t = col % C;
    const v = got.get(col) ?? 0;
    const made = (w === reader ? sums : sumsAhead)?.get(col) ?? 0;
    const update = `worker ${w}'s update at clock ${t}`;
    if (w === reader) {
      if (v !== made) violate(`${where}: read-my-writes — holds ${v} of its own ${made} at clock ${t}`);
    } else if (t <= c - s - 1) {
      if (v !== made) violate(`${where}: guaranteed contents — ${update} holds ${v} of ${made}`);
    } else if (t >= c + s) {
      if (v !== 0) violate(`${where}: upper bound — includes ${update} (stamped ≥ c+s)`);
    } else if (v < 0 || v > made) {
      violate(`${where}: ${update} holds ${v}, more than the ${made} made so far`);
    }
  }
}
