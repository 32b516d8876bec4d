// One number names a (table, row) pair, so maps stay keyed by numbers on the hot paths.

import { unboxed } from "./unboxed.ts";

const ROW_SPACE = 4294967296; // 2^32 rows per table; table ids are below 2^16, so keys stay below 2^48.

// Table 0's keys are its rows, as they are (0 · 2^32 + row), but made with unboxed(): arithmetic with 2^32
// gives a boxed double, and every client row entry, batch row and reply keeps a key or row in a field.

export function rowKey(table: number, row: number): number {
  return table === 0 ? unboxed(row) : table * ROW_SPACE + row;
}

export function keyTable(key: number): number {
  return key < ROW_SPACE ? 0 : Math.floor(key / ROW_SPACE);
}

export function keyRow(key: number): number {
  return key < ROW_SPACE ? unboxed(key) : key % ROW_SPACE;
}

export function isRowId(row: number): boolean {
  return Number.isInteger(row) && row >= 0 && row < ROW_SPACE;
}
