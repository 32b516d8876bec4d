// Helpers the core's tests share.

import type { ClientCore } from "../../core/client.ts";
import type { TableSpec } from "../../core/tables.ts";

/** Same length and, value by value, the same bits (−0 is not 0; NaN is NaN). */
export function sameBits(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

/**
 * Subscribes a one-worker client to row 0 of an ESSP float32 table on shard 0: a read that misses, and the
 * shard's reply at clock 0. From then on the client keeps each batch to that shard until a reply covers it.
 */
export function subscribeToRow0(core: ClientCore, table: TableSpec): void {
  if (core.read(0, table.id, 0) !== null) throw new Error("row 0 was already cached");
  core.drain();
  const values = new Float32Array(table.width);
  core.receive({
    type: "row",
    shard: 0,
    table: table.id,
    row: 0,
    clock: 0,
    version: 0,
    values,
    pushed: false,
  });
  core.drain();
}
