// What the core reports to its host. Hosts turn these into trace records; tests check invariants on them.

import type { RowView } from "./rows.ts";

export type CoreEvent =
  /** A read completed. `staleness` = reader clock − row clock (the observed staleness of the paper). */
  | {
      type: "read";
      worker: number;
      table: number;
      row: number;
      clock: number;
      rowClock: number;
      staleness: number;
      source: "cache" | "server";
      /** The values the read returned. */
      view: RowView;
    }
  /** A read could not be served from the cache and the worker now waits. */
  | { type: "blocked"; worker: number; table: number; row: number; clock: number; requiredClock: number }
  /** The client asked a shard for a row. */
  | { type: "request"; client: number; shard: number; table: number; row: number; requiredClock: number }
  | { type: "workerClock"; worker: number; clock: number }
  | { type: "processClock"; client: number; clock: number }
  | { type: "batchSent"; client: number; shard: number; version: number; clock: number; rows: number }
  | { type: "batchApplied"; shard: number; client: number; version: number; clock: number; rows: number }
  | { type: "serverClock"; shard: number; clock: number }
  /** A shard answered a read, or pushed a row (ESSP). */
  | {
      type: "rowSent";
      shard: number;
      client: number;
      table: number;
      row: number;
      clock: number;
      version: number;
      pushed: boolean;
    };

export type CoreEventType = CoreEvent["type"];

/** An empty result of drain(), shared: most drains find some list empty, and need no new array for it. */
export const NOTHING: readonly never[] = Object.freeze([]);

/** Which event types a core reports: every type unless the host names the ones it uses. */
export type EventFilter = Readonly<Record<CoreEventType, boolean>>;

const ALL_TYPES: readonly CoreEventType[] = [
  "read",
  "blocked",
  "request",
  "workerClock",
  "processClock",
  "batchSent",
  "batchApplied",
  "serverClock",
  "rowSent",
];

/**
 * A host that turns few event types into trace records names them, so the core does not build the others
 * (in a large simulation those objects are a good part of the garbage).
 */
export function eventFilter(types?: readonly CoreEventType[]): EventFilter {
  const wanted = new Set(types ?? ALL_TYPES);
  return Object.fromEntries(ALL_TYPES.map((t) => [t, wanted.has(t)])) as Record<CoreEventType, boolean>;
}
