// A simulation split into partitions of machines (machine m belongs to partition m mod P), each with its own
// event queue, so that partitions can run on threads of their own. This is conservative parallel
// discrete-event simulation with windows: no message between two machines arrives sooner than the lookahead
// (latency + 2 × per-message overhead) after it was sent, so every partition may run the events of
// [t, t + lookahead) without hearing from the others, where t is the earliest event anywhere or the
// earliest delivery a message of the last window can get. At each window's end the partitions swap the
// messages that cross between them.
//
// The result does not depend on P. Events run in (time, tie key) order and tie keys come from the entities
// that schedule them (see host.ts), so each partition runs its events in the order one queue would. A
// receiver's NIC must take messages in the order they were sent, so each partition defers that half of
// every send between machines to the window's end, and merges its own and the imported messages by send
// order (sent time, key of the sending event, position in it) before the NIC takes them.

import type { ToShard } from "../core/messages.ts";
import type { TableSpec } from "../core/tables.ts";
import type { ToClientInTransit } from "./host.ts";
import type { HardwareProfile } from "./profiles.ts";
import { decodeTransfers } from "./transfer-codec.ts";

/** A message between machines whose receiving half of the network path is still to come. */
export interface Transfer {
  sentNs: number;
  /** Tie key of the event that sent it, and its place among that event's sends. */
  sentInEvent: number;
  order: number;
  /** Tie key of its arrival event. */
  key: number;
  fromMachine: number;
  toMachine: number;
  bytes: number;
  txStartNs: number;
  txEndNs: number;
  /** Exactly one of the two is set. */
  toShard: ToShard | null;
  toClient: ToClientInTransit | null;
}

/** What a partition learns at a window's end. */
export interface Window {
  /** Messages from the other partitions to this one's machines, one list per partition, each in send order. */
  imports: Transfer[][];
  /** The next window ends here: the earliest event anywhere plus the lookahead. */
  endNs: number;
}

/** A partition's connection to the others. */
export interface PartitionLink {
  index: number;
  count: number;
  firstWindowEndNs: number;
  /**
   * Hands over this window's messages for other partitions (`out[q]`: those for partition q, in send order,
   * flattened by transfer-codec.ts; empty for this one) and the earliest time at which this partition has
   * or will deliver anything; resolves to the next window, or null when no partition has anything left.
   */
  exchange(out: Float64Array[], earliestNs: number): Window | null | Promise<Window | null>;
}

/** The lookahead of a profile, or an error saying why it cannot be partitioned. */
export function lookaheadNs(profile: HardwareProfile): number {
  if (!(profile.perMessageOverheadNs > 0)) {
    throw new RangeError(
      `profile "${profile.name}": a partitioned run needs perMessageOverheadNs > 0 (it is ${profile.perMessageOverheadNs}); use one partition`,
    );
  }
  return profile.latencyNs + 2 * profile.perMessageOverheadNs;
}

function sentBefore(a: Transfer, b: Transfer): boolean {
  if (a.sentNs !== b.sentNs) return a.sentNs < b.sentNs;
  if (a.sentInEvent !== b.sentInEvent) return a.sentInEvent < b.sentInEvent;
  return a.order < b.order;
}

/** Merges lists that are each in send order into one list in send order. */
export function mergeTransfers(first: Transfer[], others: readonly Transfer[][]): Transfer[] {
  let merged = first;
  for (const other of others) {
    if (other.length === 0) continue;
    if (merged.length === 0) {
      merged = other;
      continue;
    }
    const out: Transfer[] = new Array(merged.length + other.length);
    let i = 0;
    let j = 0;
    let k = 0;
    while (i < merged.length && j < other.length) {
      out[k++] = sentBefore(other[j], merged[i]) ? other[j++] : merged[i++];
    }
    while (i < merged.length) out[k++] = merged[i++];
    while (j < other.length) out[k++] = other[j++];
    merged = out;
  }
  return merged;
}

/** The partition that runs a machine. */
export function partitionOf(machine: number, count: number): number {
  return machine % count;
}

/**
 * Links for P partitions that run in this thread, taking turns at each window's end: the reference the
 * threaded driver must agree with, and what tests use.
 */
export function inProcessLinks(
  count: number,
  lookahead: number,
  tables: ReadonlyMap<number, TableSpec>,
): PartitionLink[] {
  type Arrival = { out: Float64Array[]; earliestNs: number; resolve: (w: Window | null) => void };
  let arrived: Arrival[] = [];
  const settle = () => {
    const all = arrived;
    arrived = [];
    const earliestNs = Math.min(...all.map((a) => a.earliestNs));
    if (earliestNs === Number.POSITIVE_INFINITY) {
      for (const a of all) a.resolve(null);
      return;
    }
    all.forEach((a, index) => {
      const imports = all
        .filter((_, q) => q !== index)
        .map((from) => decodeTransfers(from.out[index], tables));
      a.resolve({ imports, endNs: earliestNs + lookahead });
    });
  };
  return Array.from({ length: count }, (_, index) => ({
    index,
    count,
    firstWindowEndNs: lookahead,
    exchange: (out: Float64Array[], earliestNs: number) =>
      new Promise<Window | null>((resolve) => {
        arrived[index] = { out, earliestNs, resolve };
        if (Object.keys(arrived).length === count) settle();
      }),
  }));
}
