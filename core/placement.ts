// Which shard owns a row. Deterministic and pure, so every client and every server agree without talking.

import type { TableSpec } from "./tables.ts";

export type PlacementKind = "hash" | "range" | "modulo";

export type Placement = (table: TableSpec, row: number) => number;

/** A 32-bit integer mix (the finaliser of MurmurHash3), so neighbouring rows land on different shards. */
export function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

export function makePlacement(kind: PlacementKind, numShards: number): Placement {
  if (!Number.isInteger(numShards) || numShards < 1) {
    throw new RangeError(`placement needs at least one shard, got ${numShards}`);
  }
  switch (kind) {
    case "hash":
      return (table, row) => mix32(mix32(row) ^ Math.imul(table.id + 1, 0x9e3779b1)) % numShards;
    case "modulo":
      return (table, row) => (row + table.id) % numShards;
    case "range":
      return (table, row) => {
        if (table.rows === undefined) {
          throw new RangeError(`range placement needs table ${table.name} to declare its number of rows`);
        }
        return Math.min(numShards - 1, Math.floor((row * numShards) / table.rows));
      };
    default:
      throw new RangeError(`unknown placement ${String(kind)}: use hash, range or modulo`);
  }
}
