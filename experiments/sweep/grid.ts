// A sweep's grid: which runs to make. Specs come from flags or a JSON file; every run's config is hashed so
// a re-run of the same sweep can skip what is already done.

import { createHash } from "node:crypto";
import { SIM_RESULTS_VERSION } from "../../sim/host.ts";
import type { RunConfig } from "./results.ts";

export interface SweepSpec {
  /** "runtime" runs the grid on real processes (one run at a time); default the simulator. */
  host?: "sim" | "runtime";
  /** Apps to run, each with its options. */
  apps: Array<{ name: string; options?: Record<string, string> }>;
  /** Consistency models: "bsp", "async", "ssp:S", "essp:S". */
  models: string[];
  workers: number[];
  /** Machines per run; when absent, workers / workersPerMachine. */
  machines?: number[];
  /** Workers per machine, when `machines` is absent (default 4; the last machine may hold fewer). */
  workersPerMachine?: number;
  /** Server shards per run; when absent, one per machine. */
  servers?: number[];
  profiles: string[];
  stragglers: string[];
  seeds: number[];
  clocks: number;
  objectiveEvery?: number;
  /** Objective targets by app name, for time-to-target; otherwise chosen per setting (see autoTarget). */
  targets?: Record<string, number>;
}

export interface Model {
  consistency: RunConfig["consistency"];
  staleness: number | null;
}

export function parseModel(text: string): Model {
  const t = text.trim().toLowerCase();
  if (t === "bsp") return { consistency: "bsp", staleness: 0 };
  if (t === "async" || t === "ssp:inf") return { consistency: "async", staleness: null };
  const m = /^(ssp|essp):(\d+)$/.exec(t);
  if (m === null) {
    throw new Error(`model "${text}" is not one of bsp, async, ssp:S, essp:S (S an integer ≥ 0)`);
  }
  return { consistency: m[1] as "ssp" | "essp", staleness: Number(m[2]) };
}

/** JSON with object keys sorted, so equal configs give equal text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

export function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/** A run's identity in results.jsonl: its config, and the simulator's results version (see host.ts). */
export function runHash(config: RunConfig): string {
  return sha256(canonicalJson({ ...config, simResultsVersion: SIM_RESULTS_VERSION }));
}

/** The setting a run belongs to: everything but the consistency model and the seed. */
export function settingOf(config: RunConfig): { id: string; label: string } {
  const { consistency: _c, staleness: _s, seed: _seed, ...rest } = config;
  const options = Object.entries(config.appOptions)
    .map(([k, v]) => `${k}=${v}`)
    .join(" ");
  const label = [
    config.app + (options === "" ? "" : ` (${options})`),
    `${config.workers} workers on ${config.machines} machines, ${config.servers} servers`,
    config.profile,
    `stragglers ${config.stragglers}`,
    `${config.clocks} clocks`,
  ].join(" · ");
  return { id: sha256(canonicalJson(rest)).slice(0, 16), label };
}

export function expandGrid(spec: SweepSpec): RunConfig[] {
  if (spec.apps.length === 0) throw new Error("the sweep names no app");
  if (spec.models.length === 0) throw new Error("the sweep names no consistency model");
  if (spec.seeds.length === 0) throw new Error("the sweep names no seed");
  const models = spec.models.map(parseModel);
  const out: RunConfig[] = [];
  for (const app of spec.apps) {
    for (const workers of spec.workers) {
      for (const machines of spec.machines ?? [Math.ceil(workers / (spec.workersPerMachine ?? 4))]) {
        if (machines > workers) {
          throw new Error(`a run with ${machines} machines and ${workers} workers leaves machines empty`);
        }
        for (const servers of spec.servers ?? [machines]) {
          for (const profile of spec.profiles) {
            for (const stragglers of spec.stragglers) {
              for (const model of models) {
                for (const seed of spec.seeds) {
                  out.push({
                    ...(spec.host === "runtime" ? { host: "runtime" as const } : {}),
                    app: app.name,
                    appOptions: app.options ?? {},
                    workers,
                    machines,
                    servers,
                    consistency: model.consistency,
                    staleness: model.staleness,
                    clocks: spec.clocks,
                    seed,
                    profile,
                    stragglers,
                    objectiveEvery: spec.objectiveEvery ?? 1,
                  });
                }
              }
            }
          }
        }
      }
    }
  }
  return out;
}

/** Reads a sweep spec from parsed JSON, with errors that name the field. */
export function specFromJson(raw: unknown, where: string): SweepSpec {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw))
    throw new Error(`${where}: expected a JSON object`);
  const r = raw as Record<string, unknown>;
  const known = new Set([
    "apps",
    "models",
    "workers",
    "machines",
    "workersPerMachine",
    "servers",
    "profiles",
    "stragglers",
    "seeds",
    "clocks",
    "objectiveEvery",
    "targets",
    "title",
    "description",
    "host",
  ]);
  for (const key of Object.keys(r)) {
    if (!known.has(key))
      throw new Error(`${where}: unknown field "${key}"; fields are ${[...known].join(", ")}`);
  }
  const numbers = (key: string, fallback?: number[]): number[] => {
    const v = r[key] ?? fallback;
    if (!Array.isArray(v) || !v.every((x) => Number.isInteger(x) && x >= 0)) {
      throw new Error(`${where}: "${key}" must be a list of integers`);
    }
    return v as number[];
  };
  const strings = (key: string, fallback: string[]): string[] => {
    const v = r[key] ?? fallback;
    if (!Array.isArray(v) || !v.every((x) => typeof x === "string"))
      throw new Error(`${where}: "${key}" must be a list of strings`);
    return v as string[];
  };
  const apps = r.apps;
  if (!Array.isArray(apps) || apps.length === 0)
    throw new Error(`${where}: "apps" must list at least one {"name": …}`);
  for (const a of apps) {
    if (typeof a !== "object" || a === null || typeof (a as { name?: unknown }).name !== "string") {
      throw new Error(`${where}: each app needs a "name"`);
    }
  }
  const clocks = r.clocks;
  if (!Number.isInteger(clocks) || (clocks as number) < 1)
    throw new Error(`${where}: "clocks" must be a positive integer`);
  if (r.machines !== undefined && r.workersPerMachine !== undefined) {
    throw new Error(`${where}: give "machines" or "workersPerMachine", not both`);
  }
  if (r.host !== undefined && r.host !== "sim" && r.host !== "runtime") {
    throw new Error(`${where}: "host" is "sim" or "runtime"`);
  }
  return {
    host: r.host as SweepSpec["host"],
    apps: apps as SweepSpec["apps"],
    models: strings("models", []),
    workers: numbers("workers"),
    machines: r.machines === undefined ? undefined : numbers("machines"),
    workersPerMachine: r.workersPerMachine === undefined ? undefined : (r.workersPerMachine as number),
    servers: r.servers === undefined ? undefined : numbers("servers"),
    profiles: strings("profiles", ["paper-2013"]),
    stragglers: strings("stragglers", ["none"]),
    seeds: numbers("seeds", [1]),
    clocks: clocks as number,
    objectiveEvery: r.objectiveEvery === undefined ? undefined : (r.objectiveEvery as number),
    targets: r.targets as Record<string, number> | undefined,
  };
}
