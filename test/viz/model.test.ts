import { fc, test as fcTest } from "@fast-check/vitest";
import { describe, expect, it } from "vitest";
import type { TraceSpan } from "../../core/trace-format.ts";
import { endpointY, layoutLanes, rowAt } from "../../viz/layout.ts";
import {
  endpoint,
  kindFractions,
  loadTimeline,
  readsIn,
  SPAN_KINDS,
  spanAt,
  stalenessQuantile,
  stepAt,
} from "../../viz/model.ts";
import { PIXEL, rasterizeLanes } from "../../viz/raster.ts";
import { syntheticTrace } from "./synthetic-trace.ts";

describe("timeline model", () => {
  const trace = syntheticTrace({ workers: 6, machines: 2, clocks: 8, staleness: 1 });
  const model = loadTimeline(trace.text);

  it("keeps every span, read and message, grouped by worker in time order", () => {
    expect(model.spans.t0.length).toBe(trace.spans);
    expect(model.reads.t.length).toBe(trace.reads);
    expect(model.messages.count).toBe(trace.messages);
    for (let w = 0; w < model.workers; w++) {
      const { offsets, t0, t1 } = model.spans;
      expect(offsets[w + 1]).toBeGreaterThan(offsets[w]);
      for (let i = offsets[w] + 1; i < offsets[w + 1]; i++) expect(t0[i]).toBeGreaterThanOrEqual(t1[i - 1]);
    }
  });

  it("derives the server clock (slowest worker) and the fastest worker's clock", () => {
    const last = model.minClock.value[model.minClock.value.length - 1];
    expect(last).toBe(8);
    for (let i = 1; i < model.minClock.t.length; i++) {
      expect(model.minClock.value[i]).toBeGreaterThan(model.minClock.value[i - 1]);
      expect(model.minClock.t[i]).toBeGreaterThan(model.minClock.t[i - 1]);
    }
    // SSP: no worker gets more than s + 1 clocks ahead of the slowest.
    for (const t of model.maxClock.t) {
      expect(stepAt(model.maxClock, t) - stepAt(model.minClock, t)).toBeLessThanOrEqual(model.staleness + 1);
    }
    expect(stepAt(model.minClock, -1)).toBe(0);
  });

  it("finds the span under a time and the reads inside it", () => {
    const spans = trace.records.filter((r): r is TraceSpan => r.k === "span" && r.w === 3);
    for (const span of spans) {
      const i = spanAt(model, 3, (span.t0 + span.t1) / 2);
      expect(SPAN_KINDS[model.spans.kind[i]]).toBe(span.kind);
      expect(model.spans.clock[i]).toBe(span.clock);
    }
    const comm = spans.find((s) => s.kind === "comm")!;
    expect(readsIn(model, 3, comm.t0, comm.t1).length).toBe(2);
    expect(spanAt(model, 3, model.tEnd * 10)).toBe(-1);
  });

  it("summarises time by kind and the staleness distribution", () => {
    const f = kindFractions(model);
    expect(f.compute + f.wait + f.comm).toBeCloseTo(1, 12);
    expect(f.wait).toBeGreaterThan(0);
    expect(stalenessQuantile(model, 0.5)).toBe(0);
    expect(stalenessQuantile(model, 1)).toBe(1);
  });

  it("maps message endpoints to client and shard rows", () => {
    expect(endpoint("c1", 2, 3)).toBe(1);
    expect(endpoint("s2", 2, 3)).toBe(4);
    expect(endpoint("c2", 2, 3)).toBe(-1);
    expect(endpoint("x0", 2, 3)).toBe(-1);
  });

  it("rejects records that name a worker the header does not have", () => {
    const bad = `${trace.text}${JSON.stringify({ k: "span", w: 6, kind: "compute", t0: 0, t1: 1, clock: 0 })}\n`;
    expect(() => loadTimeline(bad)).toThrow(/worker 6, but the header declares 6 workers/);
  });

  it("reports the parser's line-numbered error for a malformed trace", () => {
    const lines = trace.text.split("\n");
    lines[2] = "{not json";
    expect(() => loadTimeline(lines.join("\n"))).toThrow(/line 3: not JSON/);
  });
});

describe("lane layout", () => {
  fcTest.prop(
    [fc.integer({ min: 1, max: 300 }), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 0, max: 6 })],
    {
      numRuns: 40,
    },
  )(
    "one lane per worker, grouped by machine, hit-tested back to itself",
    (workers, machinesWanted, servers) => {
      const machines = Math.min(machinesWanted, workers);
      const model = loadTimeline(
        syntheticTrace({ workers, machines, servers, clocks: 1, staleness: 0, readsPerClock: 0 }).text,
      );
      const layout = layoutLanes(model);
      expect(layout.rows.filter((r) => r.kind === "worker").length).toBe(workers);
      expect(layout.rows.filter((r) => r.kind === "server").length).toBe(servers);
      expect(layout.heightPx).toBeLessThanOrEqual(600);
      for (let w = 0; w < workers; w++) {
        const hit = rowAt(layout, layout.workerTop[w] + layout.laneHeightPx / 2);
        expect(hit).toEqual({ kind: "worker", index: w });
      }
      for (const group of layout.groups) {
        for (const w of group.workers) {
          expect(model.header.workerMachine[w]).toBe(group.machine);
          expect(layout.workerTop[w]).toBeGreaterThanOrEqual(group.top);
          expect(layout.workerTop[w]).toBeLessThan(group.bottom);
        }
      }
      for (let s = 0; s < servers; s++) {
        expect(rowAt(layout, layout.serverTop[s] + layout.serverLaneHeightPx / 2)).toEqual({
          kind: "server",
          index: s,
        });
        expect(endpointY(layout, model, machines + s)).not.toBeNull();
      }
    },
  );
});

describe("lane raster", () => {
  const header = {
    k: "header",
    format: "ssptable-trace",
    version: 1,
    host: "sim",
    app: "t",
    seed: 1,
    workers: 1,
    machines: 1,
    servers: 0,
    consistency: "ssp",
    staleness: 1,
    clocks: 1,
    workerMachine: [0],
    config: {},
  };
  const text = (spans: object[]) => [header, ...spans].map((r) => JSON.stringify(r)).join("\n");

  it("paints each kind where its span is", () => {
    const model = loadTimeline(
      text([
        { k: "span", w: 0, kind: "compute", t0: 0, t1: 400, clock: 0 },
        { k: "span", w: 0, kind: "wait", t0: 400, t1: 700, clock: 0 },
        { k: "span", w: 0, kind: "comm", t0: 700, t1: 1000, clock: 0 },
      ]),
    );
    const layout = layoutLanes(model);
    const out = new Uint8Array(100 * layout.heightPx);
    const visible = rasterizeLanes(
      model,
      layout,
      { t0: 0, t1: 1000, widthPx: 100, heightPx: layout.heightPx, scale: 1 },
      out,
    );
    expect(visible).toBe(3);
    const y = 5 * 100;
    expect(out[y + 10]).toBe(PIXEL.compute);
    expect(out[y + 50]).toBe(PIXEL.wait);
    expect(out[y + 90]).toBe(PIXEL.comm);
    // Zoomed into the wait span only: one span visible, every column waits.
    const zoomed = rasterizeLanes(
      model,
      layout,
      { t0: 450, t1: 650, widthPx: 100, heightPx: layout.heightPx, scale: 1 },
      out,
    );
    expect(zoomed).toBe(1);
    expect(new Set(out.subarray(y, y + 100))).toEqual(new Set([PIXEL.wait]));
  });

  it("keeps a sub-pixel wait visible among compute when zoomed out", () => {
    const model = loadTimeline(
      text([
        { k: "span", w: 0, kind: "compute", t0: 0, t1: 500_000, clock: 0 },
        { k: "span", w: 0, kind: "wait", t0: 500_000, t1: 500_010, clock: 0 },
        { k: "span", w: 0, kind: "compute", t0: 500_010, t1: 1_000_000, clock: 0 },
      ]),
    );
    const layout = layoutLanes(model);
    const out = new Uint8Array(100 * layout.heightPx);
    rasterizeLanes(
      model,
      layout,
      { t0: 0, t1: 1_000_000, widthPx: 100, heightPx: layout.heightPx, scale: 1 },
      out,
    );
    expect(out[5 * 100 + 50]).toBe(PIXEL.wait);
    expect(out[5 * 100 + 49]).toBe(PIXEL.compute);
  });
});
