// From a run's settings to the simulated host's configuration: shared by simulate() and the partition
// threads, which build their hosts from the same settings.

import type { AppInstance, TableShape } from "../apps/api.ts";
import { makePlacement, type PlacementKind } from "../core/placement.ts";
import { type Consistency, defineTable, type TableSpec } from "../core/tables.ts";
import type { HostConfig } from "./host.ts";
import { type HardwareProfile, resolveProfile } from "./profiles.ts";
import { makeStragglers } from "./stragglers.ts";
import type { TraceRecorder } from "./trace-recorder.ts";

/** A run's settings: plain data, so that a partition thread can get them as they are. */
export interface SimSettings {
  workers: number;
  machines: number;
  servers: number;
  consistency: Consistency;
  /** Used by ssp and essp; bsp forces 0 and async ∞. */
  staleness: number;
  clocks: number;
  seed: number;
  /** Preset name or a HardwareProfile; default "paper-2013". */
  profile?: string | HardwareProfile;
  /** Straggler spec; default "none". */
  stragglers?: string;
  /** Clocks between objective samples; 0 turns them off. Default 1. */
  objectiveEvery?: number;
  placement?: PlacementKind;
  shuffleTies?: number;
  /** Process-cache capacity per machine, in rows (default: no limit). */
  cacheRows?: number;
  checkMode?: boolean;
  /** Split the machines into this many partitions (default 1; see partition.ts): the same results. */
  partitions?: number;
}

export function tablesFor(shapes: TableShape[], consistency: Consistency, staleness: number): TableSpec[] {
  return shapes.map((shape) => defineTable({ ...shape, consistency, staleness }));
}

export function hostConfigFor(settings: SimSettings, app: AppInstance, recorder: TraceRecorder): HostConfig {
  const profile =
    typeof settings.profile === "object"
      ? settings.profile
      : resolveProfile(settings.profile ?? "paper-2013");
  return {
    app,
    tables: tablesFor(app.tables(), settings.consistency, settings.staleness),
    workers: settings.workers,
    machines: settings.machines,
    servers: settings.servers,
    clocks: settings.clocks,
    seed: settings.seed,
    profile,
    stragglers: makeStragglers(settings.stragglers ?? "none", settings.workers, settings.seed),
    placement: makePlacement(settings.placement ?? "hash", settings.servers),
    objectiveEvery: settings.objectiveEvery ?? 1,
    recorder,
    checkMode: settings.checkMode ?? false,
    shuffleTies: settings.shuffleTies,
    cacheRows: settings.cacheRows,
  };
}
