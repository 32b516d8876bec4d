// The sweep's report.html: one self-contained page (inline CSS and SVG, no external requests) answering
// "which staleness should I use here?" per setting, with the table, the figures and the runs behind them.

import {
  formatDuration,
  formatRate,
  formatSpeedup,
  formatValue,
  shortObjectiveName,
} from "../figures/format.ts";
import {
  bySetting,
  distinctTargets,
  medianOf,
  type SeedTargets,
  type SettingRuns,
  settingTargets,
} from "../figures/groups.ts";
import { settingFigures } from "../figures/index.ts";
import { escapeXml } from "../figures/svg.ts";
import type { RunResult } from "../sweep/results.ts";
import {
  type ModelRow,
  modelRows,
  type Recommendation,
  recommend,
  type SpeedupCell,
  TIE_TOLERANCE,
} from "./speedups.ts";
import { REPORT_CSS } from "./style.ts";

export interface ReportOptions {
  title: string;
  /** Target objective by setting id; settings without one get autoTarget's. */
  targets?: Record<string, number>;
  /** Run hash → relative URL of its timeline page. */
  timelines?: Record<string, string>;
  /** The command that produced the results, shown so the reader can re-run it. */
  command?: string;
  wallClockSeconds?: number;
}

const esc = escapeXml;

/** The id of a setting's section in the page, also its folder name for the SVG files. */
export function settingSlug(text: string, index: number): string {
  return `setting-${index + 1}-${text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "")
    .slice(0, 40)}`;
}

/** "s = 4 (SSP)", "s = 0 (BSP)", "ESSP with s = 2", "async (no staleness bound)". */
export function describeModel(row: Pick<ModelRow, "config">): string {
  const { consistency, staleness } = row.config;
  switch (consistency) {
    case "bsp":
      return "s = 0 (BSP)";
    case "ssp":
      return staleness === 0 ? "s = 0 (BSP)" : `s = ${staleness} (SSP)`;
    case "essp":
      return `ESSP with s = ${staleness}`;
    case "async":
      return "async (no staleness bound)";
  }
}

function swatch(row: ModelRow): string {
  const style = row.stats.style;
  return `<span class="swatch${style.dash ? " dashed" : ""}" style="border-color:${esc(style.color)}"></span>`;
}

function timeCell(row: ModelRow): string {
  const s = row.stats;
  if (s.medianNs === null) {
    return `<td class="none">did not reach${s.reached > 0 ? ` (${s.reached} of ${s.times.length} seeds did)` : ""}</td>`;
  }
  const low = formatDuration(s.minNs!);
  const high = s.reached < s.times.length ? "not reached" : formatDuration(s.maxNs!);
  const range =
    s.times.length > 1 && low !== high ? ` <span class="range">${esc(low)}–${esc(high)}</span>` : "";
  return `<td>${esc(formatDuration(s.medianNs))}${range}</td>`;
}

function speedupCell(cell: SpeedupCell, reference: string): string {
  switch (cell.kind) {
    case "no-reference":
      return `<td class="none">no ${esc(reference)} run</td>`;
    case "model-not-reached":
      return `<td class="none">did not reach</td>`;
    case "reference-not-reached":
      return `<td class="none">${esc(reference)} did not reach</td>`;
    case "value": {
      const { median, min, max } = cell.speedup;
      const [low, high] = [formatSpeedup(min), formatSpeedup(max)];
      const range = low !== high ? ` <span class="range">${esc(low)}–${esc(high)}</span>` : "";
      return `<td>${esc(formatSpeedup(median))}${range}</td>`;
    }
  }
}

function resultsTable(rows: ModelRow[], recommendation: Recommendation): string {
  const body = rows.map((row) => {
    const best = recommendation.best?.model === row.model;
    const cells = [
      `<td>${swatch(row)}${esc(row.model)}</td>`,
      timeCell(row),
      `<td>${row.stats.reached} of ${row.stats.times.length}</td>`,
      speedupCell(row.vsBsp, "BSP"),
      speedupCell(row.vsAsync, "async"),
      `<td>${esc(formatRate(medianOf(row.runs, (r) => r.summary.clocksPerSecond)))}</td>`,
      `<td>${esc(formatValue(medianOf(row.runs, (r) => r.summary.objective)))}</td>`,
      `<td>${esc(formatValue(medianOf(row.runs, (r) => r.summary.stalenessP50)))} / ${esc(formatValue(medianOf(row.runs, (r) => r.summary.stalenessP99)))}</td>`,
    ];
    return `<tr${best ? ' class="best"' : ""} data-model="${esc(row.model)}">${cells.join("")}</tr>`;
  });
  return `<table class="time-to-target">
<thead><tr><th>model</th><th>time to target<br><span class="range">median (min–max)</span></th><th>seeds<br>reached</th><th>speedup<br>vs BSP</th><th>speedup<br>vs async</th><th>clocks / s</th><th>final<br>objective</th><th>staleness<br>p50 / p99</th></tr></thead>
<tbody>
${body.join("\n")}
</tbody></table>`;
}

function recommendationText(recommendation: Recommendation, rows: ModelRow[], clocks: number): string {
  const { best, tiedWith } = recommendation;
  if (best === null) {
    return `<div class="recommendation"><strong>No recommendation.</strong> No model reached the target objective in at least half of its seeds within ${clocks} clocks, so none can be called fastest. Run more clocks, or give a less ambitious target.</div>`;
  }
  const faster: string[] = [];
  for (const [cell, name] of [
    [best.vsBsp, "BSP"],
    [best.vsAsync, "async"],
  ] as const) {
    if (cell.kind === "value" && best.model !== name)
      faster.push(`${formatSpeedup(cell.speedup.median)} against ${name}`);
  }
  const seeds = best.stats.times.length;
  let text = `<strong>Recommended: ${esc(describeModel(best))}.</strong> It reaches the target in ${esc(formatDuration(best.stats.medianNs!))} of simulated time (median over ${seeds} seed${seeds === 1 ? "" : "s"})`;
  text += faster.length > 0 ? `, a speedup of ${esc(faster.join(" and "))} (median over seeds).` : ".";
  if (tiedWith.length > 0) {
    text += ` ${esc(tiedWith.map((r) => r.model).join(", "))} ${tiedWith.length === 1 ? "is" : "are"} as fast (within ${TIE_TOLERANCE * 100}% of it); the recommendation takes the tightest staleness bound among equals, since fresher reads cost nothing here.`;
  }
  const missed = rows.filter((r) => r.stats.medianNs === null).map((r) => r.model);
  if (missed.length > 0) text += ` Did not reach the target: ${esc(missed.join(", "))}.`;
  return `<div class="recommendation">${text}</div>`;
}

function targetDescription(targets: SeedTargets, given: boolean): string {
  const distinct = distinctTargets(targets);
  if (given) return `${formatValue(distinct[0])} (given)`;
  const bySeed = [...targets.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([seed, t]) => `seed ${seed}: ${formatValue(t)}`);
  return `${bySeed.join(", ")} (automatic: 90% of the way from the seed's initial objective to the best final objective any run with that seed reached)`;
}

/** "0.2125" for a single target, "the target" when seeds have their own. */
function targetName(targets: SeedTargets): string {
  const distinct = distinctTargets(targets);
  return distinct.length === 1 ? formatValue(distinct[0]) : "its seed's target";
}

function settingsList(group: SettingRuns, targets: SeedTargets, targetGiven: boolean): string {
  const c = group.runs[0].config;
  const seeds = [...new Set(group.runs.map((r) => r.config.seed))].sort((a, b) => a - b);
  const options = Object.entries(c.appOptions)
    .map(([k, v]) => `${k}=${v}`)
    .join(", ");
  const objective = group.runs[0].summary.objectiveName;
  const items: Array<[string, string]> = [
    ["app", options ? `${c.app} (${options})` : c.app],
    [
      "workers",
      `${c.workers} on ${c.machines} machine${c.machines === 1 ? "" : "s"}, ${c.servers} server shard${c.servers === 1 ? "" : "s"}`,
    ],
    ["hardware profile", c.profile],
    ["stragglers", c.stragglers],
    ["clocks", String(c.clocks)],
    ["seeds", seeds.join(", ")],
    ["objective", `${objective}, ${group.runs[0].objectiveGoal}d`],
    ["target", targetDescription(targets, targetGiven)],
  ];
  return `<dl class="settings">${items.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`).join("")}</dl>`;
}

function howToRead(targets: SeedTargets, goal: string): string {
  const perSeed =
    distinctTargets(targets).length > 1
      ? " (each seed has its own target, as a seed may change the data; see the setting below)"
      : "";
  return `<p><b>How to read this.</b> Every consistency model ran the same program on the same simulated cluster, once per seed. <i>Time to target</i> is the simulated time until the objective first reaches ${esc(targetName(targets))} or ${goal === "minimize" ? "lower" : "higher"}${perSeed}, interpolated between the objective samples taken at clock boundaries. <i>Speedup vs BSP</i> is BSP's time divided by the model's on the same seed, so ×2 means twice as fast and below ×1 slower; the table shows the median over seeds with the least and most favourable seed beside it. A model whose median seed never reached the target says "did not reach": it is never counted as fast. All times are simulated from the hardware profile, not measured on this machine. BSP waits for the slowest worker every clock; a larger staleness <i>s</i> waits less (more clocks per second) but reads older values (less progress per clock): the best <i>s</i> balances the two.</p>`;
}

function figures(runs: RunResult[], target: SeedTargets): string {
  return `<div class="figures">
${settingFigures(runs, target)
  .map((f) => `<figure data-figure="${f.name}">${f.svg}<figcaption>${esc(f.caption)}</figcaption></figure>`)
  .join("\n")}
</div>`;
}

function runsTable(rows: ModelRow[], targets: SeedTargets, timelines: Record<string, string>): string {
  const lines = rows.flatMap((row) =>
    row.runs.map((run) => {
      const time = row.stats.times.find((t) => t.seed === run.config.seed)?.ns ?? null;
      const links: string[] = [];
      const timeline = timelines[run.hash];
      if (timeline) links.push(`<a class="timeline" href="${esc(timeline)}">timeline</a>`);
      if (run.trace) links.push(`<a class="trace" href="${esc(run.trace)}">trace</a>`);
      return `<tr><td>${esc(run.model)}</td><td>${run.config.seed}</td><td>${esc(formatValue(targets.get(run.config.seed) ?? Number.NaN))}</td><td>${time === null ? "not reached" : esc(formatDuration(time))}</td><td>${esc(formatDuration(run.summary.simTimeNs))}</td><td>${esc(formatValue(run.summary.objective))}</td><td>${esc(formatRate(run.summary.clocksPerSecond))}</td><td><code title="${esc(run.hash)}">${esc(run.hash.slice(0, 10))}</code></td><td>${links.length > 0 ? links.join(" · ") : "—"}</td></tr>`;
    }),
  );
  return `<details${Object.keys(timelines).length > 0 ? " open" : ""}><summary>Every run (${lines.length})</summary>
<table class="runs"><thead><tr><th>model</th><th>seed</th><th>target</th><th>time to target</th><th>simulated time</th><th>final objective</th><th>clocks / s</th><th>run id</th><th>open</th></tr></thead>
<tbody>
${lines.join("\n")}
</tbody></table></details>`;
}

function settingSection(group: SettingRuns, index: number, options: ReportOptions): string {
  const targetGiven = options.targets?.[group.setting] !== undefined;
  const targets = settingTargets(group.runs, options.targets);
  const rows = modelRows(group.runs, targets);
  const recommendation = recommend(rows);
  const first = group.runs[0];
  return `<section id="${settingSlug(group.label, index)}" data-setting="${esc(group.setting)}">
<h2>${esc(group.label)}</h2>
${recommendationText(recommendation, rows, first.config.clocks)}
<h3>Time to reach ${distinctTargets(targets).length === 1 ? `${esc(shortObjectiveName(first.summary.objectiveName))} ${esc(targetName(targets))}` : "the target"}</h3>
${resultsTable(rows, recommendation)}
${howToRead(targets, first.objectiveGoal)}
<h3>Figures</h3>
${figures(group.runs, targets)}
<h3>Setting</h3>
${settingsList(group, targets, targetGiven)}
${runsTable(rows, targets, options.timelines ?? {})}
</section>`;
}

export function buildReport(results: RunResult[], options: ReportOptions): string {
  if (results.length === 0) throw new RangeError("buildReport: no results to report; run the sweep first");
  const groups = bySetting(results);
  const meta: string[] = [
    `${results.length} run${results.length === 1 ? "" : "s"} in ${groups.length} setting${groups.length === 1 ? "" : "s"}`,
  ];
  if (options.wallClockSeconds !== undefined)
    meta.push(`${formatDuration(options.wallClockSeconds * 1e9)} of wall-clock time`);
  const nav =
    groups.length > 1
      ? `<nav><b>Settings</b><ul>${groups.map((g, i) => `<li><a href="#${settingSlug(g.label, i)}">${esc(g.label)}</a></li>`).join("")}</ul></nav>`
      : "";
  const command = options.command ? `<p>Produced by <code>${esc(options.command)}</code>.</p>` : "";
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(options.title)}</title>
<style>${REPORT_CSS}</style>
</head>
<body>
<main>
<h1>${esc(options.title)}</h1>
<p class="meta">${esc(meta.join(" · "))}</p>
${command}
${nav}
${groups.map((g, i) => settingSection(g, i, options)).join("\n")}
<footer>ssptable sweep report. Simulated times model the hardware profile named in each setting; rerunning the same sweep gives the same numbers.</footer>
</main>
</body>
</html>
`;
}
