// The viewer in a real browser: Debian's Chromium, headless, driven by playwright-core.
// Screenshots go to test-artifacts/viz/ (look at them: they are what a researcher would show).

import { existsSync, writeFileSync } from "node:fs";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { synthetic } from "../../apps/synthetic.ts";
import type { TraceMessage, TraceRecord, TraceSpan } from "../../core/trace-format.ts";
import { simulate } from "../../sim/simulate.ts";
import { formatDuration } from "../../viz/format.ts";
import type {} from "../../viz/hook.ts";
import { buildPage } from "../../viz/page.ts";
import { serveViz, type VizServer } from "../../viz/serve.ts";
import { artifactPath, type Browser, CHROMIUM, launchChromium, vizBundle } from "./browser.ts";
import { syntheticTrace } from "./synthetic-trace.ts";

const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) {
  console.warn(
    `SKIPPED: the viewer's browser tests need ${CHROMIUM} (Debian package 'chromium'); it is missing.`,
  );
}

async function whenSettled(page: Page, timeoutMs = 30_000): Promise<string> {
  await page.waitForFunction(
    () =>
      window.__sspViz !== undefined &&
      window.__sspViz.state !== "loading" &&
      window.__sspViz.state !== "empty",
    null,
    { timeout: timeoutMs },
  );
  return page.evaluate(() => window.__sspViz.state);
}

describe.skipIf(!hasChromium)("the timeline viewer in Chromium", () => {
  const trace = syntheticTrace({ workers: 12, machines: 3, clocks: 16, staleness: 2 });
  let script = "";
  let browser: Browser;
  let server: VizServer;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    script = await vizBundle();
    browser = await launchChromium();
    page = browser.page;
    page.on("pageerror", (e) => pageErrors.push(String(e)));
    server = await serveViz({ script, traceText: trace.text, traceName: "synthetic.trace.jsonl", port: 0 });
  }, 60_000);

  afterAll(async () => {
    await server?.close();
    await browser?.close();
  });

  async function openServed(): Promise<void> {
    await page.goto(server.url);
    expect(await whenSettled(page)).toBe("ready");
  }

  it("loads a served trace: one lane per worker and every span", async () => {
    await openServed();
    const hook = await page.evaluate(() => ({
      lanes: window.__sspViz.lanes,
      spans: window.__sspViz.spans,
      visible: window.__sspViz.stats()?.visibleSpans,
      canvasLanes: document.querySelector<HTMLCanvasElement>(".lanes-canvas")?.dataset.lanes,
      containerSpans: document.getElementById("timeline")?.dataset.spans,
      laneLabels: document.querySelectorAll(".lane-label").length,
      groups: Array.from(document.querySelectorAll(".group-label")).map((e) => e.textContent),
      facts: document.querySelector(".facts")?.textContent,
    }));
    expect(hook.lanes).toBe(12);
    expect(hook.canvasLanes).toBe("12");
    expect(hook.spans).toBe(trace.spans);
    expect(hook.containerSpans).toBe(String(trace.spans));
    expect(hook.visible).toBe(trace.spans);
    expect(hook.laneLabels).toBe(12 + 2); // 12 workers + 2 shards
    expect(hook.groups).toEqual(["machine 0", "machine 1", "machine 2"]);
    expect(hook.facts).toContain("12 workers on 3 machines");
    expect(hook.facts).toContain("SSP, s = 2");
    // The lanes are really painted: the wait colour appears on the canvas.
    const waitPixels = await page.evaluate(() => {
      const canvas = document.querySelector<HTMLCanvasElement>(".lanes-canvas")!;
      const data = canvas.getContext("2d")!.getImageData(0, 0, canvas.width, canvas.height).data;
      let n = 0;
      for (let i = 0; i < data.length; i += 4) if (data[i] === 0xe3 && data[i + 1] === 0x95) n++;
      return n;
    });
    expect(waitPixels).toBeGreaterThan(100);
    await page.screenshot({ path: artifactPath("timeline-12-workers.png"), fullPage: true });
    expect(pageErrors).toEqual([]);
  });

  it("zooms with the wheel and pans by dragging, changing the visible time domain", async () => {
    await openServed();
    const before = (await page.evaluate(() => window.__sspViz.domain()))!;
    const box = (await page.locator(".lanes-canvas").boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.wheel(0, -600);
    await page.waitForFunction((width) => {
      const d = window.__sspViz.domain()!;
      return d[1] - d[0] < width * 0.8;
    }, before[1] - before[0]);
    const zoomed = (await page.evaluate(() => window.__sspViz.domain()))!;
    expect(zoomed[1] - zoomed[0]).toBeLessThan((before[1] - before[0]) * 0.8);
    expect(zoomed[0]).toBeGreaterThan(before[0]);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2 - 200, box.y + box.height / 2, { steps: 5 });
    await page.mouse.up();
    await page.waitForFunction((start) => window.__sspViz.domain()![0] > start, zoomed[0]);
    const panned = (await page.evaluate(() => window.__sspViz.domain()))!;
    expect(panned[1] - panned[0]).toBeCloseTo(zoomed[1] - zoomed[0], 0);
    const axisFirstTick = await page.locator(".time-axis .tick text").first().textContent();
    expect(Number(axisFirstTick)).toBeGreaterThan(0);
    await page.screenshot({ path: artifactPath("timeline-zoomed.png") });
  });

  it("the tooltip names the span under the pointer and its reads' staleness", async () => {
    await openServed();
    const span = trace.records.find(
      (r): r is TraceSpan => r.k === "span" && r.w === 1 && r.clock === 3 && r.kind === "compute",
    )!;
    const comm = trace.records.find(
      (r): r is TraceSpan => r.k === "span" && r.w === 7 && r.clock === 5 && r.kind === "comm",
    )!;
    // Zoom so the short communication span is wide enough to hover.
    await page.evaluate(([a, b]) => window.__sspViz.zoomTo(a, b), [comm.t0 - 200_000, comm.t1 + 200_000]);
    let point = (await page.evaluate(
      ([w, t]) => window.__sspViz.pointFor(w, t),
      [7, (comm.t0 + comm.t1) / 2],
    ))!;
    await page.mouse.move(point.x, point.y);
    const tooltip = page.locator(".tooltip");
    await expect.poll(() => tooltip.isVisible()).toBe(true);
    let text = (await tooltip.textContent()) ?? "";
    expect(text).toContain("worker 7");
    expect(text).toContain("machine 1");
    expect(text).toContain("clock 5");
    expect(text).toContain("communication");
    expect(text).toContain(formatDuration(comm.t1 - comm.t0));
    expect(text).toContain("2 reads");
    expect(text).toMatch(/table 0 row \d+: 2/);
    await page.screenshot({ path: artifactPath("timeline-tooltip.png") });
    await page.evaluate(() => window.__sspViz.zoomTo(0, Number.MAX_SAFE_INTEGER));
    point = (await page.evaluate(([w, t]) => window.__sspViz.pointFor(w, t), [1, (span.t0 + span.t1) / 2]))!;
    await page.mouse.move(point.x, point.y);
    await expect.poll(async () => (await tooltip.textContent()) ?? "").toContain("worker 1");
    text = (await tooltip.textContent()) ?? "";
    expect(text).toContain("clock 3");
    expect(text).toContain("compute");
    expect(text).toContain(`duration ${formatDuration(span.t1 - span.t0)}`);
    await page.mouse.move(5, 5);
    await expect.poll(() => tooltip.isVisible()).toBe(false);
  });

  it("brushing the time axis selects a range; the toggle draws that range's messages", async () => {
    await openServed();
    const axis = (await page.locator(".time-axis").boundingBox())!;
    const plot = (await page.locator(".lanes-canvas").boundingBox())!;
    await page.mouse.move(plot.x + plot.width * 0.3, axis.y + 10);
    await page.mouse.down();
    await page.mouse.move(plot.x + plot.width * 0.45, axis.y + 10, { steps: 4 });
    await page.mouse.up();
    await expect.poll(() => page.evaluate(() => window.__sspViz.selection())).not.toBeNull();
    const selection = (await page.evaluate(() => window.__sspViz.selection()))!;
    expect(await page.locator(".selection-note").textContent()).toContain("Selected");
    await page.locator("#ssp-arrows").check();
    const expected = trace.records.filter(
      (r): r is TraceMessage => r.k === "msg" && r.sent >= selection[0] && r.sent <= selection[1],
    ).length;
    expect(expected).toBeGreaterThan(0);
    await expect.poll(() => page.evaluate(() => window.__sspViz.stats()!.arrows)).toBe(expected);
    expect(await page.locator(".lanes .panel-note").textContent()).toContain(`${expected} messages`);
    await page.locator("#ssp-zoom-selection").click();
    const domain = (await page.evaluate(() => window.__sspViz.domain()))!;
    expect(domain[0]).toBeCloseTo(selection[0], -3);
    expect(domain[1]).toBeCloseTo(selection[1], -3);
    await page.screenshot({ path: artifactPath("timeline-arrows.png"), fullPage: true });
  });

  it("shows a readable error for a malformed trace", async () => {
    const lines = trace.text.split("\n");
    lines[2] = '{"k":"span","w":0,"kind":"compute","t0":5,"t1":1,"clock":0}';
    await page.setContent(buildPage({ script, traceText: lines.join("\n"), traceName: "broken.jsonl" }));
    expect(await whenSettled(page)).toBe("error");
    const error = page.locator("#ssp-error");
    expect(await error.isVisible()).toBe(true);
    const text = (await error.textContent()) ?? "";
    expect(text).toContain("Could not open broken.jsonl");
    expect(text).toContain("line 3: span ends before it starts");
    await page.screenshot({ path: artifactPath("timeline-error.png") });
    await page.setContent(buildPage({ script, traceText: "hello\n", traceName: "hello.txt" }));
    expect(await whenSettled(page)).toBe("error");
    expect(await error.textContent()).toContain("line 1: not JSON");
    // A valid trace with nothing but its header (a run that died at once) is shown, not an error.
    pageErrors.length = 0;
    await page.setContent(
      buildPage({ script, traceText: trace.text.split("\n")[0], traceName: "empty.jsonl" }),
    );
    expect(await whenSettled(page)).toBe("ready");
    expect(await page.evaluate(() => [window.__sspViz.lanes, window.__sspViz.spans])).toEqual([12, 0]);
    expect(await error.isVisible()).toBe(false);
    expect(pageErrors).toEqual([]);
  });

  it("opens a trace from the file picker and by drag and drop", async () => {
    await page.setContent(buildPage({ script }));
    expect(await page.evaluate(() => window.__sspViz.state)).toBe("empty");
    const small = syntheticTrace({ workers: 4, machines: 2, clocks: 5, staleness: 1 });
    await page.setInputFiles("#ssp-file", {
      name: "picked.jsonl",
      mimeType: "application/x-ndjson",
      buffer: Buffer.from(small.text),
    });
    expect(await whenSettled(page)).toBe("ready");
    expect(await page.evaluate(() => [window.__sspViz.lanes, window.__sspViz.spans])).toEqual([
      4,
      small.spans,
    ]);
    expect(await page.locator(".source").textContent()).toBe("picked.jsonl");
    await page.evaluate((text) => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([text], "dropped.jsonl", { type: "application/x-ndjson" }));
      window.dispatchEvent(new DragEvent("dragenter", { dataTransfer: transfer, bubbles: true }));
      document.body.dispatchEvent(new DragEvent("drop", { dataTransfer: transfer, bubbles: true }));
    }, trace.text);
    await expect.poll(() => page.locator(".source").textContent()).toBe("dropped.jsonl");
    expect(await page.evaluate(() => window.__sspViz.lanes)).toBe(12);
    expect(await page.locator(".drop-overlay").isVisible()).toBe(false);
  });

  it("shows a real simulator trace", async () => {
    const records: TraceRecord[] = [];
    await simulate({
      app: synthetic.create({}, { workers: 16, seed: 3, clocks: 12 }),
      workers: 16,
      machines: 4,
      servers: 2,
      consistency: "ssp",
      staleness: 1,
      clocks: 12,
      seed: 3,
      stragglers: "slow:workers=1,factor=3",
      trace: (r) => records.push(r),
    });
    const text = `${records.map((r) => JSON.stringify(r)).join("\n")}\n`;
    const spans = records.filter((r) => r.k === "span").length;
    await page.setContent(buildPage({ script, traceText: text, traceName: "sim-16.jsonl" }));
    expect(await whenSettled(page)).toBe("ready");
    expect(await page.evaluate(() => [window.__sspViz.lanes, window.__sspViz.spans])).toEqual([16, spans]);
    await page.screenshot({ path: artifactPath("timeline-sim-16-workers.png"), fullPage: true });
  });

  it("renders a 1,000-worker × 100-clock trace (timings reported, not asserted tightly)", async () => {
    const big = syntheticTrace({ workers: 1000, machines: 32, clocks: 100, staleness: 3, readsPerClock: 1 });
    const bigServer = await serveViz({ script, traceText: big.text, traceName: "big.jsonl", port: 0 });
    try {
      const started = performance.now();
      await page.goto(bigServer.url);
      expect(await whenSettled(page, 90_000)).toBe("ready");
      const loadMs = performance.now() - started;
      expect(await page.evaluate(() => [window.__sspViz.lanes, window.__sspViz.spans])).toEqual([
        1000,
        big.spans,
      ]);
      const zoomRenders: number[] = [];
      const tEnd = (await page.evaluate(() => window.__sspViz.domain()))![1];
      for (const fraction of [0.5, 0.1, 0.02, 0.7]) {
        zoomRenders.push(
          await page.evaluate(
            ([a, b]) => {
              window.__sspViz.zoomTo(a, b);
              return window.__sspViz.stats()!.lastRenderMs;
            },
            [tEnd * 0.3, tEnd * (0.3 + fraction)],
          ),
        );
      }
      // Real wheel events, as a user zooms in: each one re-renders every panel in one animation frame.
      const wheelRenders: number[] = [];
      const lanes = (await page.locator(".lanes-canvas").boundingBox())!;
      await page.mouse.move(lanes.x + lanes.width * 0.6, lanes.y + lanes.height / 2);
      for (let i = 0; i < 4; i++) {
        const renders = await page.evaluate(() => window.__sspViz.stats()!.renders);
        await page.mouse.wheel(0, -300);
        await page.waitForFunction((n) => window.__sspViz.stats()!.renders > n, renders);
        wheelRenders.push(await page.evaluate(() => window.__sspViz.stats()!.lastRenderMs));
      }
      await page.evaluate((end) => window.__sspViz.zoomTo(0, end), tEnd);
      const timings = await page.evaluate(() => window.__sspViz.timings);
      const report = {
        workers: 1000,
        clocks: 100,
        spans: big.spans,
        traceMB: +(big.text.length / 1e6).toFixed(1),
        loadToReadyMs: Math.round(loadMs),
        parseAndModelMs: Math.round(timings.parseMs),
        firstRenderMs: Math.round(timings.firstRenderMs),
        zoomRenderMs: zoomRenders.map((v) => Math.round(v)),
        wheelZoomRenderMs: wheelRenders.map((v) => Math.round(v)),
      };
      console.log(`1,000-worker trace: ${JSON.stringify(report)}`);
      writeFileSync(artifactPath("perf-1000-workers.json"), `${JSON.stringify(report, null, 2)}\n`);
      await page.screenshot({ path: artifactPath("timeline-1000-workers.png"), fullPage: true });
      // A generous bound, only to catch a freeze: one zoom frame must not take seconds.
      expect(Math.max(...zoomRenders, ...wheelRenders)).toBeLessThan(2_000);
    } finally {
      await bigServer.close();
    }
  }, 120_000);
});
