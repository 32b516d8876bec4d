// Tables, rows, placement and row keys: the pieces the client and server are built from.

import { describe, expect, it } from "vitest";
import { isRowId, keyRow, keyTable, rowKey } from "../../core/keys.ts";
import { makePlacement, mix32 } from "../../core/placement.ts";
import {
  addAt,
  addRow,
  bytesPerValue,
  cloneRow,
  getAt,
  initialRow,
  isZeroRow,
  newDense,
  newRow,
  RowView,
  rowPayloadBytes,
  SparseValues,
  storedCount,
} from "../../core/rows.ts";
import { defineTable, type TableSpec, validateTable, validateTables } from "../../core/tables.ts";
import { unboxed } from "../../core/unboxed.ts";

function sparseOf(
  valueType: "float64" | "float32" | "int32",
  entries: Array<[number, number]>,
): SparseValues {
  const v = new SparseValues(valueType);
  for (const [c, x] of entries) v.entries.set(c, x);
  return v;
}

describe("tables", () => {
  it("fills defaults and ties staleness to BSP and async", () => {
    const t = defineTable({ id: 0, name: "t", width: 2 });
    expect([t.rowKind, t.valueType, t.consistency, t.staleness]).toEqual(["dense", "float64", "ssp", 0]);
    expect(defineTable({ id: 1, name: "b", width: 1, consistency: "bsp", staleness: 5 }).staleness).toBe(0);
    expect(defineTable({ id: 1, name: "a", width: 1, consistency: "async", staleness: 5 }).staleness).toBe(
      Number.POSITIVE_INFINITY,
    );
    expect(defineTable({ id: 1, name: "e", width: 1, consistency: "essp", staleness: 3 }).staleness).toBe(3);
  });

  it("rejects bad declarations with the table's name", () => {
    expect(() => defineTable({ id: -1, name: "t", width: 1 })).toThrow(
      /table "t" \(id -1\): id must be an integer/,
    );
    expect(() => defineTable({ id: 65536, name: "t", width: 1 })).toThrow(/id must be/);
    expect(() => defineTable({ id: 0.5, name: "t", width: 1 })).toThrow(/id must be/);
    expect(() => defineTable({ id: 65535, name: "t", width: 1 })).not.toThrow();
    expect(() => defineTable({ id: 0, name: "t", width: 0 })).toThrow(
      /width must be a positive integer, got 0/,
    );
    expect(() => defineTable({ id: 0, name: "t", width: 1.5 })).toThrow(/width/);
    expect(() => defineTable({ id: 0, name: "t", width: 1, staleness: -1 })).toThrow(
      /staleness must be a non-negative integer or Infinity, got -1/,
    );
    expect(() => defineTable({ id: 0, name: "t", width: 1, staleness: 1.5 })).toThrow(/staleness/);
    expect(() => defineTable({ id: 0, name: "t", width: 1, staleness: Number.NaN })).toThrow(/staleness/);
    expect(() =>
      defineTable({ id: 0, name: "t", width: 1, staleness: Number.POSITIVE_INFINITY }),
    ).not.toThrow();
    expect(() => defineTable({ id: 0, name: "t", width: 1, rows: 0 })).toThrow(
      /rows must be a positive integer/,
    );
    expect(() => defineTable({ id: 0, name: "t", width: 1, rows: 2.5 })).toThrow(/rows/);
    expect(defineTable({ id: 0, name: "t", width: 1, rows: 1 }).rows).toBe(1);
    expect(() => defineTable({ id: 0, name: "t", width: 1, rowKind: "sparse", initRow: () => {} })).toThrow(
      /initRow needs dense rows/,
    );
    const base = defineTable({ id: 0, name: "t", width: 1 });
    expect(() => validateTable({ ...base, consistency: "bsp", staleness: 1 })).toThrow(
      /BSP means staleness 0, got 1/,
    );
    expect(() => validateTable({ ...base, consistency: "async", staleness: 3 })).toThrow(
      /async means unbounded/,
    );
  });

  it("indexes tables by id and refuses duplicates", () => {
    const a = defineTable({ id: 3, name: "a", width: 1 });
    const b = defineTable({ id: 3, name: "b", width: 1 });
    expect(validateTables([a]).get(3)).toBe(a);
    expect(() => validateTables([a, b])).toThrow(/two tables share id 3: a and b/);
  });
});

describe("rows", () => {
  it("gives every new or cloned row storage of its own, zeroed, whatever its size", () => {
    for (const valueType of ["int32", "float32", "float64"] as const) {
      for (const width of [1, 16, 17, 100, 300, 5000]) {
        // Enough rows to cross several slabs (small rows share slabs; large ones have buffers of their own).
        const rows = Array.from({ length: 300 }, () => newDense(valueType, width));
        rows.forEach((r, i) => {
          expect(r.length).toBe(width);
          expect(isZeroRow(r)).toBe(true);
          r.fill(i + 1);
        });
        const clones = rows.map((r) => cloneRow(r) as typeof r);
        for (const c of clones) c.fill(0);
        rows.forEach((r, i) => {
          expect(r.every((x) => x === i + 1)).toBe(true);
        });
      }
    }
  });

  it("makes rows of the declared kind and type", () => {
    expect(newDense("int32", 2)).toBeInstanceOf(Int32Array);
    expect(newDense("float32", 2)).toBeInstanceOf(Float32Array);
    expect(newDense("float64", 2)).toBeInstanceOf(Float64Array);
    const spec = defineTable({ id: 0, name: "s", width: 4, rowKind: "sparse", valueType: "int32" });
    const r = newRow(spec);
    expect(r).toBeInstanceOf(SparseValues);
    expect((r as SparseValues).valueType).toBe("int32");
    expect(initialRow(spec, 3)).toBeInstanceOf(SparseValues);
    const init: TableSpec = defineTable({
      id: 1,
      name: "i",
      width: 2,
      initRow: (row, out) => {
        out[1] = row;
      },
    });
    expect([...(initialRow(init, 7) as Float64Array)]).toEqual([0, 7]);
    expect([...(newRow(init) as Float64Array)]).toEqual([0, 0]);
  });

  it("adds like the value type: int32 wraps, float32 rounds, zero sparse entries vanish", () => {
    const i = sparseOf("int32", []);
    addAt(i, 1, 2 ** 31 - 1);
    addAt(i, 1, 1);
    expect(getAt(i, 1)).toBe(-(2 ** 31));
    const f = sparseOf("float32", []);
    addAt(f, 0, 0.1);
    expect(getAt(f, 0)).toBe(Math.fround(0.1));
    const d = sparseOf("float64", []);
    addAt(d, 0, 0.1);
    expect(getAt(d, 0)).toBe(0.1);
    addAt(d, 0, -0.1);
    expect(d.entries.has(0)).toBe(false);
    expect(getAt(d, 0)).toBe(0);
    const dense = new Int32Array(2);
    addAt(dense, 0, 2 ** 31 - 1);
    addAt(dense, 0, 1);
    expect(dense[0]).toBe(-(2 ** 31));
  });

  it("adds whole rows of the same kind and refuses mixed ones", () => {
    const target = Float64Array.of(1, 2);
    addRow(target, Float64Array.of(10, 20));
    expect([...target]).toEqual([11, 22]);
    const s = sparseOf("float64", [[1, 1]]);
    addRow(
      s,
      sparseOf("float64", [
        [1, -1],
        [3, 2],
      ]),
    );
    expect([...s.entries]).toEqual([[3, 2]]);
    expect(() => addRow(s, new Float64Array(2))).toThrow(/sparse target with dense source/);
    expect(() => addRow(target, s)).toThrow(/dense target with sparse source/);
    expect(() => addRow(target, new Float64Array(3))).toThrow(/width 3 does not match 2/);
    // Rows are added four values a step, then the rest: every column counts, whatever the width.
    for (const width of [1, 4, 7, 9]) {
      const wide = Float32Array.from({ length: width }, (_, i) => i);
      addRow(
        wide,
        Float32Array.from({ length: width }, (_, i) => 100 * (i + 1)),
      );
      expect([...wide]).toEqual(Array.from({ length: width }, (_, i) => i + 100 * (i + 1)));
    }
  });

  it("clones, measures and recognises zero rows", () => {
    const s = sparseOf("float32", [[2, 1.5]]);
    const c = cloneRow(s) as SparseValues;
    c.entries.set(2, 9);
    expect(getAt(s, 2)).toBe(1.5);
    expect(c.valueType).toBe("float32");
    const d = Float64Array.of(1, 0);
    const dc = cloneRow(d) as Float64Array;
    dc[0] = 5;
    expect(d[0]).toBe(1);
    expect(isZeroRow(new Float64Array(3))).toBe(true);
    expect(isZeroRow(Float64Array.of(0, 0, 1))).toBe(false);
    expect(isZeroRow(new SparseValues("int32"))).toBe(true);
    expect(isZeroRow(s)).toBe(false);
    expect(storedCount(s)).toBe(1);
    expect(storedCount(d)).toBe(2);
    expect([bytesPerValue("float64"), bytesPerValue("float32"), bytesPerValue("int32")]).toEqual([8, 4, 4]);
    expect(rowPayloadBytes(d, "float64")).toBe(16);
    expect(rowPayloadBytes(new Float32Array(3), "float32")).toBe(12);
    expect(
      rowPayloadBytes(
        sparseOf("float64", [
          [0, 1],
          [4, 2],
        ]),
        "float64",
      ),
    ).toBe(24);
    expect(rowPayloadBytes(sparseOf("int32", [[0, 1]]), "int32")).toBe(8);
  });

  it("views rows as values, dense arrays and sorted non-zeros", () => {
    const dense = new RowView(3, Float64Array.of(0, 2, 0));
    expect(dense.get(1)).toBe(2);
    expect([...dense.array()]).toEqual([0, 2, 0]);
    expect(dense.nonZeros()).toEqual([[1, 2]]);
    const sparse = new RowView(
      4,
      sparseOf("int32", [
        [3, 7],
        [0, 1],
      ]),
    );
    expect(sparse.get(3)).toBe(7);
    expect(sparse.get(2)).toBe(0);
    expect(sparse.array()).toEqual(Int32Array.of(1, 0, 0, 7));
    expect(sparse.nonZeros()).toEqual([
      [0, 1],
      [3, 7],
    ]);
  });
});

describe("placement", () => {
  const t = defineTable({ id: 2, name: "t", width: 1, rows: 100 });
  const open = defineTable({ id: 0, name: "open", width: 1 });

  it("is a pure function onto [0, shards) and balanced for every kind", () => {
    const big = defineTable({ id: 2, name: "big", width: 1, rows: 4000 });
    for (const kind of ["hash", "modulo", "range"] as const) {
      const place = makePlacement(kind, 4);
      const counts = [0, 0, 0, 0];
      for (let row = 0; row < 4000; row++) {
        const shard = place(big, row);
        expect(shard).toBe(place(big, row));
        counts[shard]++;
      }
      for (const n of counts) expect(n, `${kind}: ${counts}`).toBeGreaterThanOrEqual(900);
    }
  });

  it("places ranges in contiguous blocks and modulo by row plus table id", () => {
    const range = makePlacement("range", 4);
    expect([0, 24, 25, 49, 50, 99].map((r) => range(t, r))).toEqual([0, 0, 1, 1, 2, 3]);
    const modulo = makePlacement("modulo", 3);
    expect([0, 1, 2].map((r) => modulo(t, r))).toEqual([2, 0, 1]);
    expect(() => range(open, 0)).toThrow(/range placement needs table open to declare its number of rows/);
  });

  it("rejects bad shard counts and kinds", () => {
    expect(() => makePlacement("hash", 0)).toThrow(/at least one shard, got 0/);
    expect(() => makePlacement("hash", 1.5)).toThrow(RangeError);
    expect(() => makePlacement("nope" as "hash", 2)).toThrow(
      /unknown placement nope: use hash, range or modulo/,
    );
  });

  it("mixes bits so neighbouring rows differ and tables differ", () => {
    // MurmurHash3's fmix32 reference values: every host must place rows identically, across versions too.
    expect(mix32(0)).toBe(0);
    expect(mix32(1)).toBe(0x514e28b7);
    expect(mix32(0x12345678)).toBe(3816608188);
    expect(mix32(0xffffffff)).toBe(2180083513);
    const seven = makePlacement("hash", 7);
    expect([0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((r) => seven(t, r))).toEqual([5, 3, 5, 5, 3, 4, 1, 1, 4, 0]);
    expect(mix32(1)).not.toBe(mix32(2));
    expect(mix32(1)).toBeGreaterThanOrEqual(0);
    expect(mix32(0xffffffff)).toBeLessThan(2 ** 32);
    const hash = makePlacement("hash", 1000);
    const other = defineTable({ id: 3, name: "o", width: 1 });
    let same = 0;
    for (let row = 0; row < 50; row++) if (hash(t, row) === hash(other, row)) same++;
    expect(same).toBeLessThan(5);
  });
});

describe("row keys", () => {
  it("round-trips (table, row) and bounds row ids to 32 bits", () => {
    for (const [table, row] of [
      [0, 0],
      [1, 0],
      [65535, 4294967295],
      [7, 123456],
      // Table 0's keys are made as small integers up to 2^31 - 1, and by arithmetic above.
      [0, 2 ** 31 - 1],
      [0, 2 ** 31],
      [0, 4294967295],
    ]) {
      const key = rowKey(table, row);
      expect(key).toBe(table * 2 ** 32 + row);
      expect([keyTable(key), keyRow(key)]).toEqual([table, row]);
    }
    expect(unboxed(-0)).toBe(0);
    expect(unboxed(2.5)).toBe(2.5);
    expect(unboxed(2 ** 40)).toBe(2 ** 40);
    expect(rowKey(1, 0)).toBe(2 ** 32);
    expect(isRowId(0)).toBe(true);
    expect(isRowId(2 ** 32 - 1)).toBe(true);
    expect(isRowId(2 ** 32)).toBe(false);
    expect(isRowId(-1)).toBe(false);
    expect(isRowId(0.5)).toBe(false);
  });
});
