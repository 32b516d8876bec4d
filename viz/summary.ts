// The summary header: what ran (app, sizes, consistency, s, seed) and how the time was spent.

import {
  escapeHtml,
  formatBytes,
  formatCount,
  formatDuration,
  formatPercent,
  formatStaleness,
} from "./format.ts";
import { kindFractions, stalenessQuantile, type TimelineModel } from "./model.ts";

export function summaryHtml(model: TimelineModel, source: string): string {
  const h = model.header;
  const fractions = kindFractions(model);
  let bytes = 0;
  for (let i = 0; i < model.messages.count; i++) bytes += model.messages.bytes[i];
  // A trace kept at timeline detail (a sweep's) has no read or message records: its end record's summary
  // still has the run's figures.
  const end = model.end ?? {};
  const fromEnd = (key: string) => (typeof end[key] === "number" ? (end[key] as number) : null);
  const p50 = stalenessQuantile(model, 0.5) ?? fromEnd("stalenessP50");
  const p99 = stalenessQuantile(model, 0.99) ?? fromEnd("stalenessP99");
  const messageCount = model.messages.count > 0 ? model.messages.count : (fromEnd("messages") ?? 0);
  if (model.messages.count === 0) bytes = fromEnd("bytes") ?? 0;
  const reads = readCount(model) > 0 ? readCount(model) : (fromEnd("reads") ?? 0);
  const objectives = model.objectives;
  const objective =
    objectives.length === 0
      ? "—"
      : `${formatValue(objectives[0].value)} → ${formatValue(objectives[objectives.length - 1].value)}`;
  const tiles: Array<[string, string, string?]> = [
    ["duration", formatDuration(model.tEnd), h.host === "sim" ? "simulated" : "wall clock"],
    ["compute", formatPercent(fractions.compute), "of worker time"],
    ["wait", formatPercent(fractions.wait), "blocked on the staleness gate"],
    ["communication", formatPercent(fractions.comm), "blocked on the network"],
    ["staleness p50 / p99", p50 === null ? "—" : `${p50} / ${p99}`, `${formatCount(reads)} reads`],
    ["messages", formatCount(messageCount), formatBytes(bytes)],
    objectives.length === 0
      ? ["objective", "—", "no samples in this trace"]
      : [
          objectiveLabel(model),
          objective,
          h.objectiveGoal === "maximize" ? "higher is better" : "lower is better",
        ],
  ];
  const title = `${escapeHtml(h.app)} <span class="muted">on the ${h.host === "sim" ? "simulator" : "runtime"}</span>`;
  const facts = [
    `${formatCount(h.workers)} workers on ${formatCount(h.machines)} ${h.host === "sim" ? "machines" : "processes"}`,
    `${formatCount(h.servers)} server shard${h.servers === 1 ? "" : "s"}`,
    `${escapeHtml(h.consistency.toUpperCase())}, s = ${formatStaleness(h.staleness)}`,
    `${formatCount(h.clocks)} clocks`,
    `seed ${escapeHtml(String(h.seed))}`,
  ];
  return `<div class="title-row"><h1>${title}</h1><span class="source" title="${escapeHtml(source)}">${escapeHtml(source)}</span></div>
<p class="facts">${facts.join('<span class="dot">·</span>')}</p>
<div class="tiles">${tiles
    .map(
      ([label, value, note]) =>
        `<div class="tile"><div class="label">${escapeHtml(label)}</div><div class="value">${escapeHtml(value)}</div><div class="note">${escapeHtml(note ?? "")}</div></div>`,
    )
    .join("")}</div>
<details class="config"><summary>run configuration</summary><pre>${escapeHtml(JSON.stringify(h.config, null, 2))}</pre></details>`;
}

function readCount(model: TimelineModel): number {
  return model.reads.t.length;
}

export function formatValue(v: number): string {
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e5 || a < 1e-3)) return v.toExponential(2);
  const text = v.toPrecision(4);
  return text.includes(".") ? text.replace(/\.?0+$/, "") : text;
}

/** The objective's name without its parenthesised definition: "training loss (mean squared …)" → "training loss". */
export function objectiveLabel(model: TimelineModel): string {
  const name = model.header.objectiveName ?? "objective";
  const short = name.replace(/\s*\(.*$/, "").trim();
  return short === "" || short === "none" ? "objective" : short;
}
