import { describe, expect, it } from "vitest";
import { parseTrace } from "../../core/trace-format.ts";
import { type ChromeEvent, toChromeTrace } from "../../viz/chrome-trace.ts";
import { syntheticTrace } from "./synthetic-trace.ts";

describe("Chrome trace-event export", () => {
  const source = syntheticTrace({ workers: 6, machines: 2, servers: 2, clocks: 5, staleness: 1 });
  const chrome = toChromeTrace(parseTrace(source.text));
  const events = chrome.traceEvents;
  const byPhase = (ph: string) => events.filter((e) => e.ph === ph);
  const named = (pid: number) =>
    events.find((e) => e.ph === "M" && e.name === "process_name" && e.pid === pid)?.args?.name;

  it("is JSON the trace viewers read: an object with traceEvents, every event with name, ph and pid", () => {
    const round = JSON.parse(JSON.stringify(chrome)) as {
      traceEvents: ChromeEvent[];
      displayTimeUnit: string;
    };
    expect(round.displayTimeUnit).toBe("ms");
    for (const e of round.traceEvents) {
      expect(typeof e.name).toBe("string");
      expect(typeof e.ph).toBe("string");
      expect(Number.isInteger(e.pid)).toBe(true);
      if (e.ph !== "M") expect(Number.isFinite(e.ts)).toBe(true);
    }
  });

  it("turns every span into a complete event on its worker's thread, in microseconds", () => {
    const spans = byPhase("X");
    expect(spans.length).toBe(source.spans);
    const first = source.records.find((r) => r.k === "span" && r.w === 4)!;
    if (first.k !== "span") throw new Error("unreachable");
    const event = spans.find((e) => e.tid === 4 && e.ts === first.t0 / 1000)!;
    expect(event.name).toBe(first.kind);
    expect(event.dur).toBe((first.t1 - first.t0) / 1000);
    expect(event.args?.clock).toBe(first.clock);
    // Worker 4 lives on machine 1 (contiguous blocks of 3), which is the process named "machine 1".
    expect(named(event.pid)).toBe("machine 1");
    for (const e of spans) expect(e.dur).toBeGreaterThanOrEqual(0);
  });

  it("names processes and threads: machines, workers, server shards and the job", () => {
    const threads = events.filter((e) => e.ph === "M" && e.name === "thread_name");
    expect(threads.map((e) => e.args?.name)).toEqual([0, 1, 2, 3, 4, 5].map((w) => `worker ${w}`));
    const processes = events
      .filter((e) => e.ph === "M" && e.name === "process_name")
      .map((e) => e.args?.name);
    expect(processes).toEqual([
      "machine 0",
      "machine 1",
      "server shard 0",
      "server shard 1",
      "job: synthetic, ssp s=1",
    ]);
  });

  it("pairs each message's begin and end, and carries clocks, reads and the objective", () => {
    const begins = byPhase("b");
    const ends = byPhase("e");
    expect(begins.length).toBe(source.messages);
    expect(new Set(begins.map((e) => e.id)).size).toBe(begins.length);
    for (const b of begins) {
      const e = ends.find((x) => x.id === b.id)!;
      expect(e.ts!).toBeGreaterThanOrEqual(b.ts!);
      expect(e.pid).toBe(b.pid);
    }
    expect(events.filter((e) => e.cat === "read").length).toBe(source.reads);
    expect(events.filter((e) => e.cat === "clock").length).toBe(6 * 5);
    const minClock = events.filter((e) => e.name === "server clock (min)").map((e) => e.args?.clock);
    expect(minClock).toEqual([1, 2, 3, 4, 5]);
    expect(events.filter((e) => e.ph === "C" && e.name === "loss").length).toBe(5);
  });
});
