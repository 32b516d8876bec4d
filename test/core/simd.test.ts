// The WebAssembly SIMD kernels give bit for bit what the JavaScript loops give, and long rows a host hands
// back are reused only when nothing else refers to them.

import { fc, test } from "@fast-check/vitest";
import { describe, expect, it } from "vitest";
import { ClientCore } from "../../core/client.ts";
import type { BatchMessage } from "../../core/messages.ts";
import { addRow, copyIfFinite, newDense, recycleBuffer, recycleDense, reuseBuffer } from "../../core/rows.ts";
import {
  instantiateKernels,
  KERNEL_ARENA_OFFSET,
  SIMD_CHUNK_BYTES,
  SIMD_MIN_VALUES,
  simdAdd,
  simdAllFinite,
  simdCopyFinite,
} from "../../core/simd.ts";
import { defineTable, type TableSpec } from "../../core/tables.ts";
import { propertyParams } from "../properties/scenario.ts";
import { sameBits, subscribeToRow0 } from "./support.ts";

const special = [0, -0, 1e-45, -1e-40, 3.4e38, -3.4e38, 1e300, 0.1, -2.5];
const finite = fc.oneof(fc.constantFrom(...special), fc.double({ noNaN: true, noDefaultInfinity: true }));
const anyValue = fc.oneof(
  finite,
  fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY),
);
const types = [Float32Array, Float64Array] as const;

/** Pairs of same-length rows, lengths around the SIMD threshold and the 4-lane tails. */
const rowPair = (values: fc.Arbitrary<number>) =>
  fc
    .integer({ min: 0, max: SIMD_MIN_VALUES * 3 + 3 })
    .chain((n) =>
      fc.tuple(
        fc.array(values, { minLength: n, maxLength: n }),
        fc.array(values, { minLength: n, maxLength: n }),
      ),
    );

describe("SIMD kernels", () => {
  for (const Type of types) {
    test.prop([rowPair(finite)], propertyParams())(
      `${Type.name}: simdAdd and addRow equal the scalar loop`,
      ([t, s]) => {
        const target = Type.from(t);
        const source = Type.from(s);
        const scalar = target.slice();
        for (let i = 0; i < scalar.length; i++) scalar[i] += source[i];
        const lanes = target.slice();
        simdAdd(lanes, source);
        const viaAddRow = target.slice();
        addRow(viaAddRow, source);
        expect(sameBits(lanes, scalar)).toBe(true);
        expect(sameBits(viaAddRow, scalar)).toBe(true);
      },
    );

    test.prop([rowPair(anyValue)], propertyParams())(
      `${Type.name}: simdAllFinite and copyIfFinite agree with the scalar check`,
      ([, s]) => {
        const source = Type.from(s);
        const allFinite = source.every((v) => Number.isFinite(v));
        expect(simdAllFinite(source)).toBe(allFinite);
        const lanes = new Type(source.length);
        expect(simdCopyFinite(lanes, source)).toBe(allFinite);
        const viaRows = new Type(source.length);
        expect(copyIfFinite(viaRows, source)).toBe(allFinite);
        if (allFinite) {
          // v + 0: −0 becomes +0, as when the row is added into a zero row.
          const expected = source.map((v) => v + 0);
          expect(sameBits(lanes, expected)).toBe(true);
          expect(sameBits(viaRows, expected)).toBe(true);
        }
      },
    );
  }

  it("the module assembled from opcodes computes each kernel's known answers", () => {
    // A fresh instance, so a change to the assembler shows here even though the shared one is cached.
    const k = instantiateKernels();
    const f32 = new Float32Array(k.memory.buffer);
    const f64 = new Float64Array(k.memory.buffer);
    // Two 4-lane vectors at bytes 0 and 32 (plus a second vector at 16 and 48, so the loop must step).
    f32.set([1, 2, 3, 4, 5, 6, 7, 8], 0);
    f32.set([10, 20, 30, 40, 50, 60, 70, 80], 8);
    k.addF32(0, 32, 32);
    expect(Array.from(f32.subarray(0, 8))).toEqual([11, 22, 33, 44, 55, 66, 77, 88]);
    f64.set([1.5, -2, 1e300, 4], 0);
    f64.set([0.25, 2, 1e300, -4], 4);
    k.addF64(0, 32, 32);
    expect(Array.from(f64.subarray(0, 4))).toEqual([1.75, 0, 2e300, 0]);
    f32.set([-0, 1, -0, 2, 3, -0, 4, -0], 0);
    expect(k.copyFiniteF32(0, 32)).toBe(1);
    expect(Array.from(f32.subarray(0, 8)).map((v) => Object.is(v, -0))).toEqual(new Array(8).fill(false));
    expect(Array.from(f32.subarray(0, 8))).toEqual([0, 1, 0, 2, 3, 0, 4, 0]);
    f32.set([1, 2, 3, 4, 5, 6, Number.NaN, 8], 0);
    expect(k.copyFiniteF32(0, 32)).toBe(0);
    expect(k.copyFiniteF32(0, 16)).toBe(1);
    f64.set([-0, 1, 2, -0], 0);
    expect(k.copyFiniteF64(0, 32)).toBe(1);
    expect(Array.from(f64.subarray(0, 4)).map((v) => Object.is(v, -0))).toEqual([false, false, false, false]);
    f64.set([1, 2, 3, Number.NEGATIVE_INFINITY], 0);
    expect(k.copyFiniteF64(0, 32)).toBe(0);
    expect(k.copyFiniteF64(0, 16)).toBe(1);
    f32.set([1, 2, 3, 4, 5, 6, 7, 8], 0);
    expect(k.finiteF32(0, 32)).toBe(1);
    f32[6] = Number.POSITIVE_INFINITY;
    expect(k.finiteF32(0, 32)).toBe(0);
    expect(k.finiteF32(0, 16)).toBe(1);
    f64.set([1, 2, 3, Number.NaN], 0);
    expect(k.finiteF64(0, 32)).toBe(0);
    expect(k.finiteF64(0, 16)).toBe(1);
    // copyFiniteFrom(dst, src, bytes): src at 0, dst at 64.
    f32.set([-0, 1, 2.5, -3, 4, -0, 6, 7], 0);
    f32.fill(9, 16, 24);
    expect(k.copyFiniteFromF32(64, 0, 32)).toBe(1);
    expect(Array.from(f32.subarray(16, 24))).toEqual([0, 1, 2.5, -3, 4, 0, 6, 7]);
    expect(Object.is(f32[16], -0) || Object.is(f32[21], -0)).toBe(false);
    f32[7] = Number.POSITIVE_INFINITY;
    expect(k.copyFiniteFromF32(64, 0, 32)).toBe(0);
    expect(k.copyFiniteFromF32(64, 0, 16)).toBe(1);
    f64.set([-0, 1e300, -2, 3], 0);
    expect(k.copyFiniteFromF64(64, 0, 32)).toBe(1);
    expect(Array.from(f64.subarray(8, 12))).toEqual([0, 1e300, -2, 3]);
    expect(Object.is(f64[8], -0)).toBe(false);
    f64[1] = Number.NaN;
    expect(k.copyFiniteFromF64(64, 0, 32)).toBe(0);
  });

  it("a NaN an earlier, longer row left in wasm memory does not spoil a later row's check or copy", () => {
    for (const Type of types) {
      for (const n of [SIMD_MIN_VALUES + 1, SIMD_MIN_VALUES + 2, SIMD_MIN_VALUES + 3]) {
        const poisoned = new Type(n + 4).fill(1);
        poisoned.fill(Number.NaN, n);
        expect(simdAllFinite(poisoned)).toBe(false);
        const clean = new Type(n).fill(2);
        expect(simdAllFinite(clean), `${Type.name} n=${n}`).toBe(true);
        simdAllFinite(poisoned);
        const copy = new Type(n);
        expect(simdCopyFinite(copy, clean), `${Type.name} n=${n}`).toBe(true);
        expect(copy.every((v) => v === 2)).toBe(true);
      }
    }
  });

  it("rows longer than a chunk: every chunk added, copied and checked, a bad value in any chunk found", () => {
    for (const Type of types) {
      const per = SIMD_CHUNK_BYTES / Type.BYTES_PER_ELEMENT;
      for (const n of [per - 1, per, per + 1, 2 * per + 3, 3 * per]) {
        // Values that differ from chunk to chunk, with −0 and tiny ones, so a chunk skipped or doubled shows.
        const source = new Type(n).map((_, i) => (i % 7 === 0 ? -0 : ((i * 7919) % 1009) - 504.25));
        const target = new Type(n).map((_, i) => (i % 5 === 0 ? 1e-40 : i / 3));
        const scalar = target.slice();
        for (let i = 0; i < n; i++) scalar[i] += source[i];
        const lanes = target.slice();
        simdAdd(lanes, source);
        expect(sameBits(lanes, scalar), `${Type.name} add n=${n}`).toBe(true);
        const copy = new Type(n);
        expect(simdCopyFinite(copy, source)).toBe(true);
        expect(
          sameBits(
            copy,
            source.map((v) => v + 0),
          ),
          `${Type.name} copy n=${n}`,
        ).toBe(true);
        for (const at of [0, per - 1, per, n - 1]) {
          if (at >= n) continue;
          const bad = source.slice();
          bad[at] = at % 2 === 0 ? Number.NaN : Number.NEGATIVE_INFINITY;
          expect(simdAllFinite(bad), `${Type.name} n=${n} at=${at}`).toBe(false);
          expect(simdCopyFinite(new Type(n), bad), `${Type.name} n=${n} at=${at}`).toBe(false);
        }
      }
    }
  });

  it("rows many chunks long go through the one page of scratch, chunk by chunk", () => {
    // Two chunks of scratch fit the module's one 64 KB page of memory, below the arena.
    expect(2 * SIMD_CHUNK_BYTES).toBeLessThanOrEqual(KERNEL_ARENA_OFFSET);
    for (const n of [20_000, 50_001]) {
      const target = Float64Array.from({ length: n }, (_, i) => i);
      const source = Float64Array.from({ length: n }, (_, i) => -2 * i + 0.5);
      simdAdd(target, source);
      expect(target.every((v, i) => v === -i + 0.5)).toBe(true);
      source[n - 1] = Number.NaN;
      expect(simdAllFinite(source)).toBe(false);
    }
  });

  it("finds a non-finite value in any lane, including the last, unaligned one", () => {
    for (const Type of types) {
      for (const n of [SIMD_MIN_VALUES, SIMD_MIN_VALUES + 1, SIMD_MIN_VALUES + 3, 4099]) {
        for (const at of [0, 1, 2, 3, n - 1]) {
          const row = new Type(n).fill(1);
          row[at] = Number.NaN;
          expect(simdAllFinite(row), `${Type.name} n=${n} at=${at}`).toBe(false);
        }
      }
    }
  });
});

describe("recycled long rows", () => {
  const wide = defineTable({ id: 1, name: "wide", width: 4096, consistency: "ssp", staleness: 0 });

  it("newDense hands a recycled row's memory back zeroed, and ignores rows carved from a slab", () => {
    const row = newDense("float32", 4096);
    row.fill(3);
    recycleDense(row);
    const again = newDense("float32", 4096);
    expect(again.buffer).toBe(row.buffer);
    expect(again.every((v) => v === 0)).toBe(true);
    // Memory is kept by byte length: another type of the same bytes takes it, another length does not.
    const int32 = newDense("int32", 4096);
    int32.fill(-1);
    recycleDense(int32);
    expect(newDense("float32", 2048).buffer).not.toBe(int32.buffer);
    expect(newDense("int32", 8192).buffer).not.toBe(int32.buffer);
    const float64 = newDense("float64", 2048);
    expect(float64).toBeInstanceOf(Float64Array);
    expect(float64.buffer).toBe(int32.buffer);
    expect(float64.every((v) => v === 0)).toBe(true);
    // With overwrite, the caller sets every value: the memory comes back as it was.
    recycleDense(float64);
    float64.fill(7);
    expect(newDense("float64", 2048, true)[5]).toBe(7);
    // A view into a larger buffer is not the row's to give away.
    const frame = new ArrayBuffer(4 * 4096 + 64);
    for (const view of [new Float32Array(frame, 64, 4096), new Float32Array(frame, 0, 4096)]) {
      recycleDense(view);
      expect(newDense("float32", 4096).buffer).not.toBe(frame);
      expect(reuseBuffer(frame.byteLength)).toBeUndefined();
    }
    // Each type comes back as itself.
    for (const [type, Type] of [
      ["int32", Int32Array],
      ["float32", Float32Array],
      ["float64", Float64Array],
    ] as const) {
      recycleDense(newDense("int32", 3000));
      expect(newDense(type, 12_000 / Type.BYTES_PER_ELEMENT)).toBeInstanceOf(Type);
    }
    const small = newDense("float32", 16);
    recycleDense(small);
    expect(newDense("float32", 16)).not.toBe(small);
  });

  it("reuseBuffer hands out recycled memory of exactly the asked length, once", () => {
    const buffer = new ArrayBuffer(300_000);
    recycleBuffer(buffer);
    expect(reuseBuffer(300_001)).toBeUndefined();
    expect(reuseBuffer(300_000)).toBe(buffer);
    expect(reuseBuffer(300_000)).toBeUndefined();
    // Buffers small enough for a slab are not kept.
    recycleBuffer(new ArrayBuffer(512));
    expect(reuseBuffer(512)).toBeUndefined();
  });

  it("keeps at most 64 MB, counting what it hands out again", () => {
    const bytes = 2 << 20;
    while (reuseBuffer(bytes) !== undefined) {}
    const buffers = Array.from({ length: 40 }, () => new ArrayBuffer(bytes));
    for (const b of buffers) recycleBuffer(b);
    const kept: ArrayBuffer[] = [];
    for (let b = reuseBuffer(bytes); b !== undefined; b = reuseBuffer(bytes)) kept.push(b);
    expect(kept.length).toBeLessThanOrEqual(32);
    expect(kept.length).toBeGreaterThan(0);
    // What was handed out no longer counts: the same buffers fit again.
    for (const b of kept) recycleBuffer(b);
    let again = 0;
    while (reuseBuffer(bytes) !== undefined) again++;
    expect(again).toBe(kept.length);
  });

  /** One worker, one shard. */
  function oneShardClient(table: TableSpec): ClientCore {
    return new ClientCore({ client: 0, workers: [0], numShards: 1, tables: [table], placement: () => 0 });
  }

  function pushedBatch(core: ClientCore, table: number, value: number): BatchMessage {
    core.incRow(0, table, 0, new Float32Array(4096).fill(value));
    core.clock(0);
    const batch = core.drain().messages.find((m) => m.message.type === "batch");
    if (batch === undefined || batch.message.type !== "batch") throw new Error("no batch after clock");
    return batch.message;
  }

  it("a released batch's rows are reused by the next increments, with the right values", () => {
    const core = oneShardClient(wide);
    const first = pushedBatch(core, wide.id, 1);
    const sent = first.rows[0].delta;
    core.release(0, first);
    const second = pushedBatch(core, wide.id, 2);
    expect((second.rows[0].delta as Float32Array).buffer).toBe((sent as Float32Array).buffer);
    expect((second.rows[0].delta as Float32Array).every((v) => v === 2)).toBe(true);
  });

  it("a batch the client keeps to patch replies (an ESSP subscription) is not reused", () => {
    const essp = defineTable({ id: 2, name: "essp", width: 4096, consistency: "essp", staleness: 0 });
    const core = oneShardClient(essp);
    // Subscribed to a row of the shard: pushes may predate a batch, so every batch is kept until acknowledged.
    subscribeToRow0(core, essp);
    const first = pushedBatch(core, essp.id, 1);
    const kept = first.rows[0].delta;
    core.release(0, first);
    const second = pushedBatch(core, essp.id, 2);
    expect((second.rows[0].delta as Float32Array).buffer).not.toBe((kept as Float32Array).buffer);
    expect((kept as Float32Array).every((v) => v === 1)).toBe(true);
  });
});
