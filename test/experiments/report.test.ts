import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildReport } from "../../experiments/report/report.ts";
import { writeReport } from "../../experiments/report/write-report.ts";
import type { RunResult } from "../../experiments/sweep/results.ts";
import { type Model, syntheticRun } from "./fixtures.ts";
import { parseXml } from "./xml.ts";

// Objective falls linearly from 1 to `final` over 10 clocks of `ms` each, so the time to reach v is
// exactly 10 · ms · (1 − v) / (1 − final). The expected values below are computed from that, not from the
// code under test.
const PLAN: Array<[Model, number[], number]> = [
  [{ consistency: "bsp", staleness: 0 }, [100, 110, 120], 0.2],
  [{ consistency: "ssp", staleness: 1 }, [60, 70, 65], 0.3],
  [{ consistency: "ssp", staleness: 3 }, [40, 45, 50], 0.4],
  [{ consistency: "essp", staleness: 2 }, [50, 50, 55], 0.35],
  [{ consistency: "async", staleness: null }, [20, 22, 25], 0.8],
];
const TARGET = 0.5;

function runsOf(plan: typeof PLAN): RunResult[] {
  return plan.flatMap(([model, clockMs, final]) =>
    clockMs.map((ms, i) => syntheticRun(model, i + 1, ms * 1e6, final)),
  );
}

const msToTarget = (ms: number, final: number) => (10 * ms * (1 - TARGET)) / (1 - final);
const middle = (xs: number[]) => [...xs].sort((a, b) => a - b)[1];
const twoDigits = (x: number) => `×${x.toPrecision(2)}`;
const plain = (html: string) =>
  html
    .replace(/<[^>]+>/g, "")
    .replace(/&amp;/g, "&")
    .replace(/\s+/g, " ")
    .trim();

/** The cells of the results table's row for `model`, as text. */
function row(html: string, model: string): string[] {
  const table = html.match(/<table class="time-to-target">([\s\S]*?)<\/table>/)![1];
  const tr = table.match(new RegExp(`<tr[^>]*data-model="${model}">([\\s\\S]*?)</tr>`))![1];
  return [...tr.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((m) => plain(m[1]));
}

describe("report", () => {
  const runs = runsOf(PLAN);
  const setting = runs[0].setting;
  const timelines = Object.fromEntries(
    runs.slice(0, 4).map((r) => [r.hash, `timelines/${r.hash.slice(0, 8)}.html`]),
  );
  const html = buildReport(runs, {
    title: "Sweep <test>",
    targets: { [setting]: TARGET },
    timelines,
    command: "ssp sweep --default",
    wallClockSeconds: 42,
  });

  it("tabulates time to target and speedups against BSP and async, median over seeds with min–max", () => {
    const [bspModel, bspMs, bspFinal] = PLAN[0];
    expect(bspModel.consistency).toBe("bsp");
    const bspTimes = bspMs.map((ms) => msToTarget(ms, bspFinal));
    for (const [model, clockMs, final] of PLAN.slice(1, 4)) {
      const name = runs.find(
        (r) => r.config.consistency === model.consistency && r.config.staleness === model.staleness,
      )!.model;
      const times = clockMs.map((ms) => msToTarget(ms, final));
      const ratios = times.map((t, i) => bspTimes[i] / t);
      const cells = row(html, name);
      expect(cells[0]).toBe(name);
      expect(cells[1]).toBe(
        `${Number(middle(times).toPrecision(3))} ms ${Number(Math.min(...times).toPrecision(3))} ms–${Number(Math.max(...times).toPrecision(3))} ms`,
      );
      expect(cells[2]).toBe("3 of 3");
      expect(cells[3]).toBe(
        `${twoDigits(middle(ratios))} ${twoDigits(Math.min(...ratios))}–${twoDigits(Math.max(...ratios))}`,
      );
      expect(cells[4]).toBe("async did not reach");
    }
    const asyncCells = row(html, "async");
    expect(asyncCells[1]).toBe("did not reach");
    expect(asyncCells[3]).toBe("did not reach");
    expect(row(html, "BSP")[3]).toBe("×1.0");
  });

  it("recommends the staleness with the lowest median time to target", () => {
    // Medians: SSP s=3 375 ms < ESSP s=2 384.6 ms < SSP s=1 464.3 ms < BSP 687.5 ms; async never.
    const recommendation = plain(html.match(/<div class="recommendation">([\s\S]*?)<\/div>/)![1]);
    expect(recommendation).toContain("Recommended: s = 3 (SSP).");
    expect(recommendation).toContain("375 ms");
    expect(recommendation).toContain(
      `${twoDigits(middle([625 / 333.33, 687.5 / 375, 750 / 416.67]))} against BSP`,
    );
    expect(recommendation).toContain("Did not reach the target: async.");
    expect(html).toMatch(/<tr class="best" data-model="SSP s=3">/);
  });

  it("links each run that has a timeline, and only those", () => {
    for (const url of Object.values(timelines))
      expect(html).toContain(`<a class="timeline" href="${url}">timeline</a>`);
    expect(html.match(/class="timeline"/g)).toHaveLength(Object.keys(timelines).length);
  });

  it("is self-contained: inline style and SVG, nothing fetched", () => {
    expect(html).not.toMatch(/<script|<link|<img|@import|url\(|src=|href="(https?:)?\/\//i);
    expect(html.match(/<svg /g)).toHaveLength(6);
    for (const svg of html.match(/<svg [\s\S]*?<\/svg>/g)!) expect(parseXml(svg).name).toBe("svg");
    expect(html).toContain("<title>Sweep &lt;test&gt;</title>");
    expect(html).toContain("<code>ssp sweep --default</code>");
    expect(html).toContain("42 s of wall-clock time");
  });

  it("states the setting: app, cluster, profile, stragglers, clocks, seeds, target", () => {
    const settings = plain(html.match(/<dl class="settings">([\s\S]*?)<\/dl>/)![1]);
    for (const part of [
      "8 on 4 machines, 2 server shards",
      "paper-2013",
      "pareto:alpha=1.5",
      "seeds1, 2, 3",
      "0.5 (given)",
    ]) {
      expect(settings).toContain(part);
    }
  });

  it("breaks a tie towards the tighter staleness bound and says so", () => {
    const tied = runsOf([
      [{ consistency: "bsp", staleness: 0 }, [100, 100, 100], 0.2],
      [{ consistency: "ssp", staleness: 4 }, [50, 50, 50], 0.2],
      [{ consistency: "ssp", staleness: 2 }, [50, 50, 50], 0.2],
    ]);
    const text = plain(buildReport(tied, { title: "tie", targets: { [tied[0].setting]: TARGET } }));
    expect(text).toContain("Recommended: s = 2 (SSP).");
    expect(text).toContain("SSP s=4 is as fast (within 1% of it)");
    expect(text).toContain("a speedup of ×2.0 against BSP");
  });

  it("recommends nothing, plainly, when no model reaches the target", () => {
    const never = runsOf(PLAN.map(([m, ms]) => [m, ms, 0.9] as [Model, number[], number]));
    const text = plain(buildReport(never, { title: "none", targets: { [never[0].setting]: TARGET } }));
    expect(text).toContain("No recommendation. No model reached the target objective");
    expect(text).not.toContain("Recommended:");
  });

  it("gives each setting its own section, target and recommendation", () => {
    const second = runsOf(PLAN).map((r) => ({ ...r, setting: "other", settingLabel: "mf · other cluster" }));
    const both = buildReport([...runs, ...second], { title: "two", targets: { [setting]: TARGET } });
    expect(both.match(/<section /g)).toHaveLength(2);
    expect(both).toContain("mf · other cluster");
    // The second setting has no given target: it gets the automatic one and says so.
    expect(plain(both)).toContain("(automatic: 90% of the way");
  });

  it("writes the page and each figure as a standalone SVG file", () => {
    const dir = mkdtempSync(join(tmpdir(), "ssp-report-"));
    try {
      const written = writeReport(dir, runs, { title: "files", targets: { [setting]: TARGET } });
      expect(readFileSync(written.reportPath, "utf8")).toBe(
        buildReport(runs, { title: "files", targets: { [setting]: TARGET } }),
      );
      expect(written.figurePaths).toHaveLength(6);
      for (const path of written.figurePaths) {
        const text = readFileSync(path, "utf8");
        expect(text.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<svg ')).toBe(true);
        expect(parseXml(text.slice(text.indexOf("<svg"))).name).toBe("svg");
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("refuses an empty result set with a clear message", () => {
    expect(() => buildReport([], { title: "x" })).toThrow(/no results to report/);
  });
});
