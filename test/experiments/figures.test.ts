import { describe, expect, it } from "vitest";
import { objectiveVsClockFigure } from "../../experiments/figures/objective-clock.ts";
import { objectiveVsTimeFigure } from "../../experiments/figures/objective-time.ts";
import { modelStyle } from "../../experiments/figures/palette.ts";
import { stalenessFigure } from "../../experiments/figures/staleness.ts";
import { escapeXml } from "../../experiments/figures/svg.ts";
import { timeBreakdownFigure } from "../../experiments/figures/time-breakdown.ts";
import { timeToTargetFigure } from "../../experiments/figures/time-to-target.ts";
import { tradeoffFigure, tradeoffPoints } from "../../experiments/figures/tradeoff.ts";
import type { RunResult } from "../../experiments/sweep/results.ts";
import { type Model, syntheticRun } from "./fixtures.ts";
import { allText, descendants, parseXml } from "./xml.ts";

// Five models × three seeds; the objective falls linearly from 1 to `final` over 10 clocks of `ms` each.
const PLAN: Array<[Model, number[], number]> = [
  [{ consistency: "bsp", staleness: 0 }, [100, 110, 120], 0.2],
  [{ consistency: "ssp", staleness: 1 }, [60, 70, 65], 0.3],
  [{ consistency: "ssp", staleness: 3 }, [40, 45, 50], 0.4],
  [{ consistency: "essp", staleness: 2 }, [50, 50, 55], 0.35],
  [{ consistency: "async", staleness: null }, [20, 22, 25], 0.8],
];
const MODEL_NAMES = ["BSP", "SSP s=1", "SSP s=3", "ESSP s=2", "async"];
const TARGET = 0.5;

function plannedRuns(): RunResult[] {
  return PLAN.flatMap(([model, clockMs, final]) =>
    clockMs.map((ms, i) => syntheticRun(model, i + 1, ms * 1e6, final)),
  );
}

const FIGURES: Array<[string, (runs: RunResult[]) => string, string[]]> = [
  [
    "objective vs time",
    (r) => objectiveVsTimeFigure(r, { target: TARGET }),
    ["simulated time (s)", "training loss"],
  ],
  ["objective vs clock", (r) => objectiveVsClockFigure(r, { target: TARGET }), ["clock", "training loss"]],
  ["time breakdown", (r) => timeBreakdownFigure(r), ["simulated time (s)", "compute", "communication"]],
  [
    "trade-off",
    (r) => tradeoffFigure(r),
    ["clocks per simulated second", "training loss improvement per clock"],
  ],
  [
    "staleness",
    (r) => stalenessFigure(r),
    ["share of reads", "observed staleness (reader clock − row clock)"],
  ],
  ["time to target", (r) => timeToTargetFigure(r, { target: TARGET }), ["simulated time to target (ms)"]],
];

describe("figures", () => {
  const runs = plannedRuns();

  for (const [name, draw, labels] of FIGURES) {
    it(`${name}: well-formed SVG, one series per model in reading order, labelled axes`, () => {
      const svg = parseXml(draw(runs));
      expect(svg.name).toBe("svg");
      expect(svg.attrs.xmlns).toBe("http://www.w3.org/2000/svg");
      expect(svg.attrs.viewBox).toMatch(/^0 0 \d+ \d+$/);
      const series = descendants(svg).filter((e) => e.attrs.class === "series");
      expect(series.map((s) => s.attrs["data-model"])).toEqual(MODEL_NAMES);
      const texts = descendants(svg)
        .filter((e) => e.name === "text")
        .map(allText);
      for (const label of labels) expect(texts).toContain(label);
      expect(descendants(svg).find((e) => e.name === "title")).toBeDefined();
    });
  }

  it("draws each model in its own colour, the same in every figure", () => {
    const colours = PLAN.map(([model]) => modelStyle(model).color);
    expect(new Set(colours).size).toBe(colours.length);
    for (const draw of [objectiveVsTimeFigure, objectiveVsClockFigure]) {
      const svg = parseXml(draw(runs, {}));
      for (const [i, name] of MODEL_NAMES.entries()) {
        const group = descendants(svg).find((e) => e.attrs["data-model"] === name)!;
        const median = group.children.find((c) => c.attrs.class === "median")!;
        expect(median.attrs.stroke).toBe(colours[i]);
        expect(median.attrs.d).toMatch(/^M[\d.,-]+(L[\d.,-]+)+$/);
      }
    }
  });

  it("time to target: a model that never reaches it says so and gets no median dot", () => {
    const svg = parseXml(timeToTargetFigure(runs, { target: TARGET }));
    const asyncGroup = descendants(svg).find((e) => e.attrs["data-model"] === "async")!;
    expect(descendants(asyncGroup).map(allText)).toContain("did not reach the target");
    expect(descendants(asyncGroup).some((e) => e.attrs.class === "median")).toBe(false);
    for (const name of MODEL_NAMES.slice(0, 4)) {
      const group = descendants(svg).find((e) => e.attrs["data-model"] === name)!;
      expect(descendants(group).filter((e) => e.attrs.class === "median")).toHaveLength(1);
      // One ring per seed, all of which reached the target.
      expect(descendants(group).filter((e) => e.attrs.class === "seed")).toHaveLength(3);
    }
  });

  it("time to target: places the median dot at the median seed's time", () => {
    const svg = parseXml(timeToTargetFigure(runs, { target: TARGET, width: 600 }));
    const dots = MODEL_NAMES.slice(0, 4).map((name) => {
      const group = descendants(svg).find((e) => e.attrs["data-model"] === name)!;
      return Number(descendants(group).find((e) => e.attrs.class === "median")!.attrs.cx);
    });
    // Median times (ms): BSP 10·110·0.5/0.8, SSP s=1 10·65·0.5/0.7, SSP s=3 10·45·0.5/0.6, ESSP 10·50·0.5/0.65.
    const expected = [687.5, 464.29, 375, 384.62];
    const perMs = dots[0] / expected[0];
    for (const [i, ms] of expected.entries()) expect(dots[i]).toBeCloseTo(ms * perMs, 0);
  });

  it("trade-off: pace up to the target, medians over seeds; whole run for a model that never reached it", () => {
    const points = tradeoffPoints(runs, new Map([1, 2, 3].map((seed) => [seed, TARGET])));
    const bsp = points.find((p) => p.model === "BSP")!;
    // Linear descent from 1 to 0.2 over 10 clocks: 0.08 per clock, the target 0.5 after 6.25 clocks.
    expect(bsp.clocksPerSecond).toBeCloseTo(1000 / 110, 9);
    expect(bsp.progressPerClock).toBeCloseTo(0.08, 12);
    expect(bsp.reached).toBe(true);
    const asyncPoint = points.find((p) => p.model === "async")!;
    expect(asyncPoint.reached).toBe(false);
    expect(asyncPoint.progressPerClock).toBeCloseTo(0.02, 12);
    // Clocks per second × progress per clock = distance to the target / time to it, for every model.
    for (const [model, clockMs, final] of PLAN.slice(0, 4)) {
      const name = runs.find(
        (r) => r.config.consistency === model.consistency && r.config.staleness === model.staleness,
      )!.model;
      const point = points.find((p) => p.model === name)!;
      const medianMs = [...clockMs].sort((a, b) => a - b)[1];
      const timeS = (10 * medianMs * (1 - TARGET)) / (1 - final) / 1000;
      expect(point.clocksPerSecond * point.progressPerClock).toBeCloseTo((1 - TARGET) / timeS, 9);
    }
  });

  it("treats a maximized objective as the mirror image of a minimized one", () => {
    const mirrored = runs.map((r) => ({
      ...r,
      objectiveGoal: "maximize" as const,
      curve: r.curve.map((p) => ({ ...p, value: -p.value })),
    }));
    const dots = (rs: RunResult[], target: number) => {
      const svg = parseXml(timeToTargetFigure(rs, { target }));
      return descendants(svg)
        .filter((e) => e.attrs.class === "median")
        .map((e) => e.attrs.cx);
    };
    expect(dots(mirrored, -TARGET)).toEqual(dots(runs, TARGET));
    expect(dots(runs, TARGET)).toHaveLength(4);
    const same = (rs: RunResult[], target: number) =>
      tradeoffPoints(rs, new Map([1, 2, 3].map((seed) => [seed, target])));
    expect(same(mirrored, -TARGET)).toEqual(same(runs, TARGET));
  });

  it("escapes text: an objective name with markup stays text", () => {
    const hostile = runs.map((r) => ({ ...r, summary: { ...r.summary, objectiveName: `loss <b>&"x'</b>` } }));
    for (const [, draw] of FIGURES) {
      const source = draw(hostile);
      expect(source).not.toContain("<b>");
      expect(parseXml(source).name).toBe("svg");
    }
    const svg = parseXml(objectiveVsTimeFigure(hostile));
    expect(descendants(svg).map(allText)).toContain(`loss <b>&"x'</b>`);
    expect(escapeXml(`<a href="x">&'`)).toBe("&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
  });

  it("refuses runs of several settings, naming them", () => {
    const other = syntheticRun({ consistency: "bsp", staleness: 0 }, 1, 1e6, 0.1, 20);
    expect(() => objectiveVsTimeFigure([...runs, other])).toThrow(/one setting, got 2/);
  });

  it("survives one seed, one model and a run with no reads", () => {
    const single = [
      { ...syntheticRun({ consistency: "ssp", staleness: 4 }, 1, 1e6, 0.5), stalenessHistogram: [] },
    ];
    for (const [, draw] of FIGURES) expect(parseXml(draw(single)).name).toBe("svg");
  });
});
