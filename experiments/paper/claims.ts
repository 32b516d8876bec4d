// The paper's claims, checked on sweep results: each claim is evaluated per setting and reported with the
// numbers behind the verdict. Nothing here tunes anything; a claim that does not hold is reported as such.

import {
  median,
  modelOrder,
  type RunResult,
  startValue,
  targetsBySeed,
  timeToTarget,
} from "../sweep/results.ts";

export interface ModelStats {
  model: string;
  order: number;
  /** Median over seeds of simulated seconds to the target; Infinity when the median run never got there. */
  timeToTargetSec: number;
  reachedSeeds: number;
  seeds: number;
  waitFraction: number;
  clocksPerSecond: number;
  /** Median improvement of the objective per clock over the run, in objective units. */
  progressPerClock: number;
}

export interface SettingStats {
  setting: string;
  label: string;
  app: string;
  machines: number;
  stragglers: string;
  models: ModelStats[];
}

export function settingStats(runs: RunResult[]): SettingStats[] {
  const bySetting = new Map<string, RunResult[]>();
  for (const r of runs) bySetting.set(r.setting, [...(bySetting.get(r.setting) ?? []), r]);
  const out: SettingStats[] = [];
  for (const [setting, list] of bySetting) {
    const targets = targetsBySeed(list);
    const byModel = new Map<string, RunResult[]>();
    for (const r of list) byModel.set(r.model, [...(byModel.get(r.model) ?? []), r]);
    const models: ModelStats[] = [];
    for (const [model, mruns] of byModel) {
      const times = mruns.map((r) => timeToTarget(r.curve, targets.get(r.config.seed)!, r.objectiveGoal));
      const secs = times.map((t) => (t === null ? Number.POSITIVE_INFINITY : t / 1e9));
      const progress = mruns.map((r) => {
        // From where the run really starts: after its first clock (see startValue).
        const first = startValue(r);
        const last = r.curve.at(-1);
        const gain =
          r.objectiveGoal === "minimize" ? first - (last?.value ?? first) : (last?.value ?? first) - first;
        return last === undefined || last.clock <= 1 ? 0 : gain / (last.clock - 1);
      });
      models.push({
        model,
        order: modelOrder(mruns[0].config),
        timeToTargetSec: median(secs),
        reachedSeeds: times.filter((t) => t !== null).length,
        seeds: mruns.length,
        waitFraction: median(mruns.map((r) => r.summary.waitFraction)),
        clocksPerSecond: median(mruns.map((r) => r.summary.clocksPerSecond)),
        progressPerClock: median(progress),
      });
    }
    models.sort((a, b) => a.order - b.order);
    const c = list[0].config;
    out.push({
      setting,
      label: list[0].settingLabel,
      app: c.app,
      machines: c.machines,
      stragglers: c.stragglers,
      models,
    });
  }
  return out;
}

export interface Verdict {
  claim: string;
  holds: boolean | null;
  evidence: string;
}

const fmt = (x: number) =>
  !Number.isFinite(x)
    ? "never"
    : Math.abs(x) >= 100
      ? x.toFixed(0)
      : Math.abs(x) >= 1
        ? x.toFixed(2)
        : x.toPrecision(2);

function seq(models: ModelStats[], pick: (m: ModelStats) => number): string {
  return models.map((m) => `${m.model} ${fmt(pick(m))}`).join(", ");
}

/** Fraction of adjacent pairs (in s order) that move the claimed way. */
function trend(values: number[], direction: "down" | "up", tolerance: number): number {
  let ok = 0;
  for (let i = 1; i < values.length; i++) {
    const d = values[i] - values[i - 1];
    if (direction === "down" ? d <= tolerance : d >= -tolerance) ok++;
  }
  return values.length < 2 ? 1 : ok / (values.length - 1);
}

export function verdicts(stats: SettingStats): Verdict[] {
  const m = stats.models;
  const bsp = m.find((x) => x.model === "BSP");
  const async = m.find((x) => x.model === "async");
  const ssp = m.filter((x) => x.model.startsWith("SSP"));
  const bestSsp = [...ssp].sort((a, b) => a.timeToTargetSec - b.timeToTargetSec)[0];
  const out: Verdict[] = [];
  if (bsp !== undefined && bestSsp !== undefined) {
    out.push({
      claim: "SSP reaches the target objective sooner than BSP",
      holds: bestSsp.timeToTargetSec < bsp.timeToTargetSec,
      evidence: `best ${bestSsp.model} ${fmt(bestSsp.timeToTargetSec)} s vs BSP ${fmt(bsp.timeToTargetSec)} s (×${fmt(bsp.timeToTargetSec / bestSsp.timeToTargetSec)})`,
    });
  }
  if (async !== undefined && bestSsp !== undefined) {
    out.push({
      claim: "SSP reaches the target objective sooner than async",
      holds: bestSsp.timeToTargetSec < async.timeToTargetSec,
      evidence: `best ${bestSsp.model} ${fmt(bestSsp.timeToTargetSec)} s vs async ${fmt(async.timeToTargetSec)} s`,
    });
  }
  const ordered = [bsp, ...ssp].filter((x): x is ModelStats => x !== undefined);
  if (ordered.length >= 3) {
    const waits = ordered.map((x) => x.waitFraction);
    out.push({
      claim: "waiting time falls as s grows",
      holds: trend(waits, "down", 0.01) >= 0.8,
      evidence: `wait fraction: ${seq(ordered, (x) => x.waitFraction)}`,
    });
    const progress = ordered.map((x) => x.progressPerClock);
    const scale = Math.max(...progress.map(Math.abs)) || 1;
    out.push({
      claim: "progress per clock falls as s grows",
      holds: trend(progress, "down", 0.02 * scale) >= 0.8,
      evidence: `objective gain per clock: ${seq(ordered, (x) => x.progressPerClock)}`,
    });
    out.push({
      claim: "clocks per second rise as s grows",
      holds:
        trend(
          ordered.map((x) => x.clocksPerSecond),
          "up",
          0,
        ) >= 0.8,
      evidence: `clocks/s: ${seq(ordered, (x) => x.clocksPerSecond)}`,
    });
    const all = [...ordered, ...(async === undefined ? [] : [async])];
    const best = [...all].sort((a, b) => a.timeToTargetSec - b.timeToTargetSec)[0];
    const maxS = ssp.at(-1);
    out.push({
      claim: "an intermediate staleness is best",
      holds: Number.isFinite(best.timeToTargetSec) ? best.model.startsWith("SSP") && best !== maxS : null,
      evidence: `fastest to target: ${best.model} (${fmt(best.timeToTargetSec)} s); time to target: ${seq(all, (x) => x.timeToTargetSec)}`,
    });
  }
  return out;
}

/** Time to target against machines, per model, for settings that differ only in size. */
export function scalingTable(stats: SettingStats[]): string {
  const models = [...new Set(stats.flatMap((s) => s.models.map((m) => m.model)))];
  const sizes = [...stats].sort((a, b) => a.machines - b.machines);
  const head = `| machines | ${models.join(" | ")} |\n|---|${models.map(() => "---").join("|")}|`;
  const rows = sizes.map(
    (s) =>
      `| ${s.machines} | ${models
        .map((name) => {
          const m = s.models.find((x) => x.model === name);
          return m === undefined ? "" : `${fmt(m.timeToTargetSec)} s`;
        })
        .join(" | ")} |`,
  );
  return [head, ...rows].join("\n");
}

export function claimsMarkdown(title: string, stats: SettingStats[]): string {
  const parts = [`## ${title}`, ""];
  for (const s of stats) {
    parts.push(`### ${s.label}`, "", "| claim | holds | evidence |", "|---|---|---|");
    for (const v of verdicts(s)) {
      parts.push(`| ${v.claim} | ${v.holds === null ? "n/a" : v.holds ? "yes" : "**no**"} | ${v.evidence} |`);
    }
    parts.push("");
  }
  return parts.join("\n");
}
