import { describe, expect, it } from "vitest";
import { bootId, epochMs, jobClock, jobStartNow, parseJobStart } from "../../runtime/clock.ts";

describe("the job clock", () => {
  it("on the coordinator's machine counts on the shared monotonic clock, whatever the wall clock says", () => {
    const start = jobStartNow();
    // A wall clock stepped by 5 s between the coordinator's start and this process's: ignored here.
    const stepped = jobClock({ ...start, epochMs: start.epochMs + 5000 });
    const before = process.hrtime.bigint();
    const t = stepped();
    const after = process.hrtime.bigint();
    if (bootId() === null) {
      console.log("the job clock: no /proc boot id on this machine, so the wall clock is used (skipping)");
      expect(t).toBe(0);
      return;
    }
    expect(t).toBeGreaterThanOrEqual(Number(before - BigInt(start.monotonicNs)));
    expect(t).toBeLessThanOrEqual(Number(after - BigInt(start.monotonicNs)));
  });

  it("on another machine counts on the wall clock", () => {
    const start = { ...jobStartNow(), bootId: "another machine", epochMs: epochMs() - 3000 };
    const t = jobClock(start)();
    expect(t).toBeGreaterThanOrEqual(3e9);
    expect(t).toBeLessThan(3e9 + 60e9);
  });

  it("reads 0 before the job starts, on either clock", () => {
    const start = jobStartNow();
    const future = { ...start, monotonicNs: (BigInt(start.monotonicNs) + 10n ** 12n).toString() };
    expect(jobClock(future)()).toBe(0);
    expect(jobClock({ ...future, bootId: "elsewhere", epochMs: start.epochMs + 1e6 })()).toBe(0);
  });

  it("accepts only a well-formed job start from a peer", () => {
    const good = jobStartNow();
    expect(parseJobStart(JSON.parse(JSON.stringify(good)))).toEqual(good);
    expect(parseJobStart({ ...good, bootId: null })).toEqual({ ...good, bootId: null });
    for (const bad of [
      null,
      42,
      { ...good, epochMs: "1" },
      { ...good, epochMs: Number.NaN },
      { ...good, monotonicNs: 12 },
      { ...good, monotonicNs: "-5" },
      { ...good, monotonicNs: "1e9" },
      { ...good, bootId: 7 },
    ]) {
      expect(parseJobStart(bad)).toBeNull();
    }
  });
});
