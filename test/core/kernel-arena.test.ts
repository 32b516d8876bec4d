// Rows and frames in the SIMD kernels' own memory: the kernels work on them in place and give bit for bit
// what they give through copies, never touch the bytes around a row, and the arena's blocks are handed out,
// reused and refused as documented.

import { fc, test } from "@fast-check/vitest";
import { describe, expect, it } from "vitest";
import { ARENA_MIN_BYTES, arenaAlloc, arenaBytesInUse, arenaFree } from "../../core/kernel-arena.ts";
import { newKernelDense, recycleDense } from "../../core/rows.ts";
import {
  KERNEL_ARENA_BYTES,
  SIMD_CHUNK_BYTES,
  SIMD_MIN_VALUES,
  simdAdd,
  simdAllFinite,
  simdCopyFinite,
} from "../../core/simd.ts";
import { propertyParams } from "../properties/scenario.ts";
import { sameBits } from "./support.ts";

const types = [Float32Array, Float64Array] as const;
type FloatType = (typeof types)[number];
const finite = fc.oneof(
  fc.constantFrom(0, -0, 1e-45, -1e-40, 3.4e38, 0.1, -2.5),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);
const anyValue = fc.oneof(
  finite,
  fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY),
);
const rowOf = (values: fc.Arbitrary<number>) =>
  fc
    .integer({ min: 0, max: SIMD_MIN_VALUES * 2 + 3 })
    .chain((n) => fc.array(values, { minLength: n, maxLength: n }));

/** 0xff bytes read as NaN in both float types: a kernel that strays past a row shows. */
const GUARD = 0xff;
/** One value in: so rows start off the 16-byte lanes, as a row inside a frame does. */
const LEAD_VALUES = 1;

/**
 * A row of `values` in kernel memory, one value past a block's start, with guard bytes before and after it.
 * Returns the row and a check that every guard byte is still as it was.
 */
function inKernelMemory(Type: FloatType, values: readonly number[]) {
  const block = arenaAlloc(
    ARENA_MIN_BYTES,
    (buffer, byteOffset) => new Uint8Array(buffer, byteOffset, ARENA_MIN_BYTES),
  );
  if (block === null) throw new Error("the arena is full");
  block.fill(GUARD);
  const row = new Type(block.buffer, block.byteOffset + LEAD_VALUES * Type.BYTES_PER_ELEMENT, values.length);
  row.set(values);
  const end = LEAD_VALUES * Type.BYTES_PER_ELEMENT + row.byteLength;
  const guardsIntact = () =>
    block.subarray(0, LEAD_VALUES * Type.BYTES_PER_ELEMENT).every((b) => b === GUARD) &&
    block.subarray(end).every((b) => b === GUARD);
  return { row, guardsIntact, free: () => arenaFree(block) };
}

describe("SIMD kernels on rows in kernel memory", () => {
  for (const Type of types) {
    test.prop([rowOf(finite), rowOf(finite)], propertyParams())(
      `${Type.name}: add from a source in place equals the scalar loop, guards untouched`,
      (t, s) => {
        const n = Math.min(t.length, s.length);
        const target = Type.from(t.slice(0, n));
        const source = inKernelMemory(Type, s.slice(0, n));
        const scalar = target.slice();
        for (let i = 0; i < n; i++) scalar[i] += source.row[i];
        simdAdd(target, source.row);
        expect(sameBits(target, scalar)).toBe(true);
        expect(source.guardsIntact()).toBe(true);
        source.free();
      },
    );

    test.prop([rowOf(anyValue)], propertyParams())(
      `${Type.name}: the finite check in place, and a copy checked in place, agree with the scalar check`,
      (values) => {
        const allFinite = values.every((v) => Number.isFinite(Type.of(v)[0]));
        const checked = inKernelMemory(Type, values);
        expect(simdAllFinite(checked.row)).toBe(allFinite);
        expect(checked.guardsIntact()).toBe(true);
        checked.free();
        // From ordinary memory (copied in a chunk at a time), then from kernel memory too (the kernel
        // copies it itself, in one pass).
        const target = inKernelMemory(Type, new Array(values.length).fill(7));
        const source = inKernelMemory(Type, values);
        for (const from of [Type.from(values), source.row]) {
          target.row.fill(7);
          expect(simdCopyFinite(target.row, from)).toBe(allFinite);
          if (allFinite)
            expect(
              sameBits(
                target.row,
                Type.from(values).map((v) => v + 0),
              ),
            ).toBe(true);
          expect(target.guardsIntact() && source.guardsIntact()).toBe(true);
        }
        expect(sameBits(source.row, Type.from(values))).toBe(true);
        source.free();
        target.free();
      },
    );
  }

  it("rows of several chunks: added, copied and checked in place chunk by chunk, a bad value anywhere found", () => {
    for (const Type of types) {
      const per = SIMD_CHUNK_BYTES / Type.BYTES_PER_ELEMENT;
      const n = 4 * per + 3; // at least ARENA_MIN_BYTES, and a tail past the last whole lanes
      const source = new Type(n).map((_, i) => (i % 7 === 0 ? -0 : ((i * 7919) % 1009) - 504.25));
      const inPlace = newKernelDense(Type === Float32Array ? "float32" : "float64", n);
      expect(inPlace.buffer.byteLength).toBeGreaterThan(inPlace.byteLength);
      expect(simdCopyFinite(inPlace, source)).toBe(true);
      expect(
        sameBits(
          inPlace,
          source.map((v) => v + 0),
        ),
      ).toBe(true);
      const target = new Type(n).map((_, i) => i / 3);
      const scalar = target.map((v, i) => v + inPlace[i]);
      simdAdd(target, inPlace);
      expect(sameBits(target, scalar)).toBe(true);
      for (const at of [0, per - 1, per, 3 * per + 1, n - 1]) {
        const bad = source.slice();
        bad[at] = Number.NaN;
        expect(simdCopyFinite(inPlace, bad), `${Type.name} copy at=${at}`).toBe(false);
        inPlace.set(bad);
        expect(simdAllFinite(inPlace), `${Type.name} check at=${at}`).toBe(false);
      }
      recycleDense(inPlace);
    }
  });
});

describe("the kernel arena", () => {
  it("hands out nothing below its minimum, and reuses a block given back for the next of its size", () => {
    expect(arenaAlloc(ARENA_MIN_BYTES - 1, (b, o) => new Uint8Array(b, o, 1))).toBeNull();
    const before = arenaBytesInUse();
    const a = newKernelDense("float32", 1 << 16);
    expect(a.buffer.byteLength).toBeGreaterThan(a.byteLength);
    expect(arenaBytesInUse()).toBeGreaterThan(before);
    const offset = a.byteOffset;
    recycleDense(a);
    expect(arenaBytesInUse()).toBe(before);
    expect(arenaFree(a)).toBe(false);
    const b = newKernelDense("float32", 1 << 16);
    expect(b.byteOffset).toBe(offset);
    expect(arenaFree(b)).toBe(true);
    expect(arenaFree(new Float32Array(1 << 16))).toBe(false);
  });

  it("when full, refuses with null, and newKernelDense falls back to ordinary memory", () => {
    const bytes = 8 << 20;
    const held: Uint8Array[] = [];
    for (let i = 0; i <= KERNEL_ARENA_BYTES / bytes; i++) {
      const block = arenaAlloc(bytes, (b, o) => new Uint8Array(b, o, bytes));
      if (block === null) break;
      held.push(block);
    }
    expect(held.length).toBeGreaterThan(0);
    expect(held.length).toBeLessThan(KERNEL_ARENA_BYTES / bytes);
    expect(arenaAlloc(bytes, (b, o) => new Uint8Array(b, o, bytes))).toBeNull();
    const fallback = newKernelDense("float64", bytes / 8);
    expect(fallback.buffer.byteLength).toBe(bytes);
    expect(arenaFree(held.pop()!)).toBe(true);
    const again = arenaAlloc(bytes, (b, o) => new Uint8Array(b, o, bytes));
    expect(again).not.toBeNull();
    for (const block of [...held, again!]) expect(arenaFree(block)).toBe(true);
  });
});
