// Vertical layout of the lanes: one lane per worker, grouped by machine (a small gap between machines),
// then one lane per server shard. Pure, so the browser and the tests agree on where every lane is.

import type { TimelineModel } from "./model.ts";

export interface MachineGroup {
  machine: number;
  top: number;
  bottom: number;
  workers: number[];
}

export type LaneRow = { kind: "worker"; index: number } | { kind: "server"; index: number };

export interface LaneLayout {
  heightPx: number;
  laneHeightPx: number;
  /** Server lanes keep a readable height even when 1,000 worker lanes are squeezed below a pixel. */
  serverLaneHeightPx: number;
  /** Top of worker w's lane (by rank). */
  workerTop: Float64Array;
  serverTop: Float64Array;
  groups: MachineGroup[];
  serversTop: number;
  /** Rows in drawing order with their tops, for hit-testing by y. */
  rows: LaneRow[];
  rowTop: Float64Array;
  rowHeight: Float64Array;
}

const IDEAL_LANE_PX = 18;
const MAX_HEIGHT_PX = 560;
const SERVER_GAP_PX = 14;

export function layoutLanes(model: TimelineModel): LaneLayout {
  const { workers, machines, servers } = model;
  const workerMachine = model.header.workerMachine;
  const byMachine: number[][] = Array.from({ length: Math.max(1, machines) }, () => []);
  for (let w = 0; w < workers; w++) {
    const m = workerMachine[w];
    (byMachine[m >= 0 && m < byMachine.length ? m : 0] ??= []).push(w);
  }
  const groupsUsed = byMachine.filter((g) => g.length > 0).length;
  const rowsTotal = workers + servers;
  const groupGapPx = groupsUsed > 1 ? Math.min(6, Math.max(1, 120 / groupsUsed)) : 0;
  const fixedPx = groupGapPx * (groupsUsed - 1) + (servers > 0 ? SERVER_GAP_PX : 0);
  const evenPx = Math.min(IDEAL_LANE_PX, (MAX_HEIGHT_PX - fixedPx) / Math.max(1, rowsTotal));
  const serverLaneHeightPx = Math.max(evenPx, Math.min(12, 80 / Math.max(1, servers)));
  const laneHeightPx = Math.min(
    IDEAL_LANE_PX,
    (MAX_HEIGHT_PX - fixedPx - servers * serverLaneHeightPx) / Math.max(1, workers),
  );
  const workerTop = new Float64Array(workers);
  const serverTop = new Float64Array(servers);
  const groups: MachineGroup[] = [];
  const rows: LaneRow[] = [];
  const tops: number[] = [];
  const heights: number[] = [];
  let y = 0;
  byMachine.forEach((members, machine) => {
    if (members.length === 0) return;
    if (groups.length > 0) y += groupGapPx;
    const top = y;
    for (const w of members) {
      workerTop[w] = y;
      rows.push({ kind: "worker", index: w });
      tops.push(y);
      heights.push(laneHeightPx);
      y += laneHeightPx;
    }
    groups.push({ machine, top, bottom: y, workers: members });
  });
  if (servers > 0) y += SERVER_GAP_PX;
  const serversTop = y;
  for (let s = 0; s < servers; s++) {
    serverTop[s] = y;
    rows.push({ kind: "server", index: s });
    tops.push(y);
    heights.push(serverLaneHeightPx);
    y += serverLaneHeightPx;
  }
  return {
    heightPx: Math.ceil(y),
    laneHeightPx,
    serverLaneHeightPx,
    workerTop,
    serverTop,
    groups,
    serversTop,
    rows,
    rowTop: Float64Array.from(tops),
    rowHeight: Float64Array.from(heights),
  };
}

/** The lane under y (in layout pixels), or null in a gap or outside. */
export function rowAt(layout: LaneLayout, y: number): LaneRow | null {
  let lo = 0;
  let hi = layout.rowTop.length - 1;
  if (hi < 0 || y < layout.rowTop[0]) return null;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (layout.rowTop[mid] <= y) lo = mid;
    else hi = mid - 1;
  }
  return y < layout.rowTop[lo] + layout.rowHeight[lo] ? layout.rows[lo] : null;
}

/** Vertical centre of a message endpoint row (client = its machine's group, shard = its lane). */
export function endpointY(layout: LaneLayout, model: TimelineModel, endpoint: number): number | null {
  if (endpoint < 0) return null;
  if (endpoint < model.machines) {
    const group = layout.groups.find((g) => g.machine === endpoint);
    return group === undefined ? null : (group.top + group.bottom) / 2;
  }
  const s = endpoint - model.machines;
  return s < model.servers ? layout.serverTop[s] + layout.serverLaneHeightPx / 2 : null;
}
