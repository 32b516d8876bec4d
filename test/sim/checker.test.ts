import { describe, expect, it } from "vitest";
import { synthetic } from "../../apps/synthetic.ts";
import type { Consistency } from "../../core/tables.ts";
import type { Trace, TraceRecord } from "../../core/trace-format.ts";
import { checkTrace } from "../../sim/checker.ts";
import { simulate } from "../../sim/simulate.ts";

async function checkedTrace(
  consistency: Consistency,
  staleness: number,
  shuffleTies?: number,
): Promise<Trace> {
  const records: TraceRecord[] = [];
  const workers = 9;
  const clocks = 7;
  await simulate({
    app: synthetic.create({ rows: "5", "rows-per-clock": "3", check: "1" }, { workers, seed: 3, clocks }),
    workers,
    machines: 3,
    servers: 2,
    consistency,
    staleness,
    clocks,
    seed: 3,
    stragglers: "jitter:mean=1",
    checkMode: true,
    objectiveEvery: 0,
    shuffleTies,
    trace: (r) => records.push(r),
  });
  return { header: records[0] as Trace["header"], records };
}

const models: Array<[Consistency, number]> = [
  ["bsp", 0],
  ["ssp", 1],
  ["ssp", 3],
  ["essp", 2],
  ["async", Number.POSITIVE_INFINITY],
];

describe("SSP checker on simulated traces", () => {
  for (const [consistency, s] of models) {
    for (const shuffle of [undefined, 11, 12]) {
      it(`passes ${consistency} s=${s}${shuffle === undefined ? "" : ` with ties shuffled (seed ${shuffle})`}`, async () => {
        const report = checkTrace(await checkedTrace(consistency, s, shuffle));
        expect(report.violations).toEqual([]);
        expect(report.contentChecks).toBeGreaterThan(100);
        expect(report.finalRows).toBe(5);
      });
    }
  }
});

describe("SSP checker catches corrupted traces", () => {
  function corrupt(trace: Trace, change: (records: TraceRecord[]) => void): Trace {
    const records = structuredClone(trace.records);
    change(records);
    return { header: records[0] as Trace["header"], records };
  }

  it("a read that includes too little (guaranteed contents)", async () => {
    const trace = await checkedTrace("ssp", 1);
    const bad = corrupt(trace, (records) => {
      const read = records.find((r) => r.k === "read" && r.clock >= 4 && (r.values?.length ?? 0) > 2);
      if (read?.k !== "read") throw new Error("no suitable read");
      read.values = read.values!.slice(1);
    });
    const report = checkTrace(bad);
    expect(report.ok).toBe(false);
    expect(report.violations.join("\n")).toMatch(/guaranteed contents|read-my-writes/);
  });

  it("a read that completed before the gate opened", async () => {
    const trace = await checkedTrace("bsp", 0);
    const bad = corrupt(trace, (records) => {
      const read = records.find((r) => r.k === "read" && r.clock >= 3);
      if (read?.k !== "read") throw new Error("no suitable read");
      read.t = 0;
    });
    expect(checkTrace(bad).violations.join("\n")).toMatch(/gating/);
  });

  it("a read that sees beyond the window (upper bound)", async () => {
    const trace = await checkedTrace("ssp", 1);
    const bad = corrupt(trace, (records) => {
      const read = records.find((r) => r.k === "read" && r.clock === 1);
      if (read?.k !== "read") throw new Error("no suitable read");
      const other = (read.w + 1) % 9;
      read.values = [...(read.values ?? []), [other * 7 + 5, 1]];
    });
    expect(checkTrace(bad).violations.join("\n")).toMatch(/upper bound/);
  });

  it("a read that holds another worker's update before it was made; a skew allowance forgives only that much", async () => {
    const trace = await checkedTrace("async", Number.POSITIVE_INFINITY);
    let gapNs = 0;
    const bad = corrupt(trace, (records) => {
      for (const [i, read] of records.entries()) {
        if (read.k !== "read" || read.t === 0) continue;
        const cols = new Set((read.values ?? []).map(([col]) => col));
        const later = records.find(
          (r, j) =>
            j > i &&
            r.k === "inc" &&
            r.w !== read.w &&
            r.t > read.t &&
            r.table === read.table &&
            r.row === read.row &&
            !cols.has(r.col),
        );
        if (later?.k !== "inc") continue;
        read.values = [...(read.values ?? []), [later.col, later.delta]];
        gapNs = later.t - read.t;
        return;
      }
      throw new Error("no read followed by another worker's update to its row");
    });
    expect(checkTrace(bad).violations.join("\n")).toMatch(/more than the 0 made so far/);
    // Merged from hosts whose clocks disagree by up to the skew, the update may have been made first.
    expect(checkTrace(bad, { skewNs: gapNs - 1 }).violations.join("\n")).toMatch(
      /more than the 0 made so far/,
    );
    expect(checkTrace(bad, { skewNs: gapNs }).violations).toEqual([]);
  });

  it("a lost update in the final rows", async () => {
    const trace = await checkedTrace("async", Number.POSITIVE_INFINITY);
    const bad = corrupt(trace, (records) => {
      const final = records.find((r) => r.k === "final");
      if (final?.k !== "final") throw new Error("no final row");
      final.values = final.values.slice(1);
    });
    expect(checkTrace(bad).violations.join("\n")).toMatch(/lost or doubled/);
  });

  it("a worker clock that skips", async () => {
    const trace = await checkedTrace("ssp", 3);
    const bad = corrupt(trace, (records) => {
      const clock = records.find((r) => r.k === "clock" && r.clock === 2);
      if (clock?.k !== "clock") throw new Error("no clock record");
      clock.clock = 3;
    });
    expect(checkTrace(bad).ok).toBe(false);
  });
});
