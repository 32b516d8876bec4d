// The sweep's results: one record per run, written as results.jsonl (everything) and results.csv (the
// summary columns). Columns measured on the wall clock are named wall_clock_* and are the only ones that
// differ between two runs of the same sweep.

import type { SimSummary } from "../../sim/simulate.ts";

/** Everything that determines a run. Its canonical JSON hashes to the run's id. */
export interface RunConfig {
  /** Where the run happens; absent means the simulator (so simulated runs hash as they always did). */
  host?: "sim" | "runtime";
  app: string;
  appOptions: Record<string, string>;
  workers: number;
  machines: number;
  servers: number;
  consistency: "bsp" | "ssp" | "async" | "essp";
  /** null = ∞ */
  staleness: number | null;
  clocks: number;
  seed: number;
  profile: string;
  stragglers: string;
  objectiveEvery: number;
}

export interface CurvePoint {
  clock: number;
  /** Simulated time, ns. */
  t: number;
  value: number;
}

export interface RunResult {
  /** sha256 of the canonical RunConfig: what resuming skips on. */
  hash: string;
  /**
   * The setting the run belongs to: its config without consistency, staleness and seed. Figures and
   * tables compare the consistency models (and seeds) within one setting.
   */
  setting: string;
  /** A human label for the setting, e.g. "mf · 32 workers · paper-2013 · pareto:alpha=1.5". */
  settingLabel: string;
  /** A human label for the consistency model, e.g. "BSP", "SSP s=4", "async", "ESSP s=2". */
  model: string;
  config: RunConfig;
  summary: SimSummary;
  objectiveGoal: "minimize" | "maximize";
  curve: CurvePoint[];
  /** [observed staleness, number of reads] */
  stalenessHistogram: Array<[number, number]>;
  /** Path of the run's trace relative to the output folder, when it was kept. */
  trace?: string;
  wall_clock_seconds: number;
}

export function modelLabel(consistency: RunConfig["consistency"], staleness: number | null): string {
  switch (consistency) {
    case "bsp":
      return "BSP";
    case "async":
      return "async";
    case "ssp":
      return `SSP s=${staleness}`;
    case "essp":
      return `ESSP s=${staleness}`;
  }
}

/** Orders models as a reader expects: BSP, SSP by s, ESSP by s, async. */
export function modelOrder(config: Pick<RunConfig, "consistency" | "staleness">): number {
  const s = config.staleness ?? 1e6;
  switch (config.consistency) {
    case "bsp":
      return -1;
    case "ssp":
      return s;
    case "essp":
      return 1e4 + s;
    case "async":
      return 1e7;
  }
}

/**
 * Simulated time at which the curve first reaches `target` (linear interpolation between samples), or
 * null if it never does.
 */
export function timeToTarget(
  curve: CurvePoint[],
  target: number,
  goal: "minimize" | "maximize",
): number | null {
  const reached = (v: number) => (goal === "minimize" ? v <= target : v >= target);
  for (let i = 0; i < curve.length; i++) {
    const p = curve[i];
    if (!Number.isFinite(p.value) || !reached(p.value)) continue;
    if (i === 0) return p.t;
    const q = curve[i - 1];
    if (!Number.isFinite(q.value) || q.value === p.value) return p.t;
    const f = (target - q.value) / (p.value - q.value);
    return q.t + Math.min(1, Math.max(0, f)) * (p.t - q.t);
  }
  return null;
}

/**
 * Where a run really starts: its objective after the first clock. The clock-0 sample is the untouched
 * initial model, which for some programs is no start at all (LDA's empty count tables score better than
 * the random topic assignment its first clock makes).
 */
export function startValue(run: RunResult): number {
  return (run.curve.find((p) => p.clock >= 1) ?? run.curve[0])?.value ?? Number.NaN;
}

/**
 * The target of a setting when the user gave none: 90% of the way from where the runs start (the median
 * of their objectives after the first clock) to the best final objective any run of the setting reached.
 * Every model is then measured to the same bar.
 */
export function autoTarget(runs: RunResult[]): number {
  const goal = runs[0].objectiveGoal;
  const initial = median(runs.map(startValue).filter(Number.isFinite));
  const finals = runs.map((r) => r.curve.at(-1)?.value ?? Number.NaN).filter(Number.isFinite);
  const best = goal === "minimize" ? Math.min(...finals) : Math.max(...finals);
  return initial + 0.9 * (best - initial);
}

export function median(xs: number[]): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const CSV_COLUMNS: Array<[string, (r: RunResult) => unknown]> = [
  ["hash", (r) => r.hash],
  ["host", (r) => r.config.host ?? "sim"],
  ["setting", (r) => r.settingLabel],
  ["model", (r) => r.model],
  ["app", (r) => r.config.app],
  ["app_options", (r) => JSON.stringify(r.config.appOptions)],
  ["workers", (r) => r.config.workers],
  ["machines", (r) => r.config.machines],
  ["servers", (r) => r.config.servers],
  ["consistency", (r) => r.config.consistency],
  ["staleness", (r) => r.config.staleness ?? "inf"],
  ["clocks", (r) => r.config.clocks],
  ["seed", (r) => r.config.seed],
  ["profile", (r) => r.config.profile],
  ["stragglers", (r) => r.config.stragglers],
  // For runtime runs this is measured wall-clock time, like wall_clock_seconds.
  ["sim_time_ns", (r) => r.summary.simTimeNs],
  ["clocks_per_second", (r) => r.summary.clocksPerSecond],
  ["compute_fraction", (r) => r.summary.computeFraction],
  ["wait_fraction", (r) => r.summary.waitFraction],
  ["comm_fraction", (r) => r.summary.commFraction],
  ["staleness_p50", (r) => r.summary.stalenessP50],
  ["staleness_p99", (r) => r.summary.stalenessP99],
  ["objective_name", (r) => r.summary.objectiveName],
  ["objective", (r) => r.summary.objective],
  ["messages", (r) => r.summary.messages],
  ["bytes", (r) => r.summary.bytes],
  ["trace_sha256", (r) => r.summary.traceSha256],
  ["wall_clock_seconds", (r) => r.wall_clock_seconds],
];

function csvCell(v: unknown): string {
  const text = v === null || v === undefined ? "" : String(v);
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** results.csv text, rows in a stable order (by setting, then model, then seed). */
export function toCsv(results: RunResult[]): string {
  const rows = sortResults(results).map((r) => CSV_COLUMNS.map(([, get]) => csvCell(get(r))).join(","));
  return `${CSV_COLUMNS.map(([name]) => name).join(",")}\n${rows.join("\n")}\n`;
}

export function sortResults(results: RunResult[]): RunResult[] {
  return [...results].sort(
    (a, b) =>
      a.settingLabel.localeCompare(b.settingLabel) ||
      modelOrder(a.config) - modelOrder(b.config) ||
      a.config.seed - b.config.seed,
  );
}

/**
 * Targets for one setting, per seed: a seed may change the data, so each seed's runs are measured against
 * their own bar (autoTarget over that seed's runs), unless the user fixed a target.
 */
export function targetsBySeed(runs: RunResult[], fixed?: number): Map<number, number> {
  const bySeed = new Map<number, RunResult[]>();
  for (const r of runs) {
    const list = bySeed.get(r.config.seed) ?? [];
    list.push(r);
    bySeed.set(r.config.seed, list);
  }
  const out = new Map<number, number>();
  for (const [seed, list] of bySeed) out.set(seed, fixed ?? autoTarget(list));
  return out;
}
