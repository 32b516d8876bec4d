// Random SSP scenarios for the property tests: a cluster shape, a table, a per-worker program and a
// schedule. Every update is a unique indicator: worker w at clock c adds 1 to column w·C + c of a row, so
// a read decodes into the exact set of (worker, clock) updates it contains (0 missing, 1 in, 2+ doubled).
// The last column carries arbitrary deltas so that "nothing lost" is also checked on ugly numbers.

import { fc } from "@fast-check/vitest";
import type { PlacementKind } from "../../core/placement.ts";
import type { Consistency, RowKind, ValueType } from "../../core/tables.ts";

export type Op =
  | { kind: "read"; row: number }
  /** One readMany of distinct rows: the worker waits until all of them are there. */
  | { kind: "readMany"; rows: number[] }
  /** One indicator update of `row`, plus `extra` on the last column; `viaRow` uses incRow instead of inc. */
  | { kind: "inc"; row: number; viaRow: boolean; extra: number };

export interface TableShape {
  consistency: Consistency;
  staleness: number;
  rowKind: RowKind;
  valueType: ValueType;
  /** Dense tables only: start rows at a non-zero value in the extra column. */
  initialised: boolean;
}

export interface Scenario {
  workers: number;
  /** Global worker ranks per client (process); a random partition, not necessarily contiguous. */
  clients: number[][];
  shards: number;
  clocks: number;
  rows: number;
  placement: PlacementKind;
  /** Rows each process cache may hold (least recently refreshed evicted first); undefined: unbounded. */
  cacheRows: number | undefined;
  table: TableShape;
  /** program[w][c]: what worker w does during clock c, before calling clock(). */
  program: Op[][][];
  /** Choices consumed one per step: which runnable worker acts or which busy channel delivers. */
  schedule: number[];
}

export interface ScenarioLimits {
  consistencies?: readonly Consistency[];
  /** Every worker starts every clock with a read (property 4 and Lemma 1 need it). */
  readFirst?: boolean;
  maxWorkers?: number;
  maxClocks?: number;
  maxStaleness?: number;
}

const ALL_CONSISTENCIES: readonly Consistency[] = ["bsp", "ssp", "async", "essp"];

function extraDelta(valueType: ValueType): fc.Arbitrary<number> {
  if (valueType === "int32") return fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });
  // Multiples of 1/8 below 2^6 add exactly in float32, so float32 sums are order-independent and exact.
  if (valueType === "float32") return fc.integer({ min: -512, max: 512 }).map((k) => k / 8);
  return fc.double({ min: -1e3, max: 1e3, noNaN: true, noDefaultInfinity: true });
}

function opsArb(rows: number, valueType: ValueType, readFirst: boolean): fc.Arbitrary<Op[]> {
  const raw = fc.array(
    fc.record({
      read: fc.boolean(),
      many: fc.boolean(),
      others: fc.subarray(Array.from({ length: rows }, (_, r) => r)),
      row: fc.nat({ max: rows - 1 }),
      viaRow: fc.boolean(),
      extra: extraDelta(valueType),
    }),
    { maxLength: 4 },
  );
  const first = readFirst ? fc.nat({ max: rows - 1 }).map((row) => [row]) : fc.constant([] as number[]);
  return fc.tuple(first, raw).map(([firstReads, list]) => {
    const ops: Op[] = firstReads.map((row) => ({ kind: "read", row }));
    const incremented = new Set<number>();
    for (const o of list) {
      // One indicator per (worker, clock, row): a second increment of the row becomes a read.
      if (o.read && o.many)
        ops.push({ kind: "readMany", rows: [o.row, ...o.others.filter((r) => r !== o.row)] });
      else if (o.read || incremented.has(o.row)) ops.push({ kind: "read", row: o.row });
      else {
        incremented.add(o.row);
        ops.push({ kind: "inc", row: o.row, viaRow: o.viaRow, extra: o.extra });
      }
    }
    return ops;
  });
}

function partition(workers: number): fc.Arbitrary<number[][]> {
  const ranks = Array.from({ length: workers }, (_, w) => w);
  const cuts = Array.from({ length: workers - 1 }, (_, i) => i + 1);
  return fc
    .tuple(fc.shuffledSubarray(ranks, { minLength: workers, maxLength: workers }), fc.subarray(cuts))
    .map(([order, chosen]) => {
      const bounds = [0, ...[...chosen].sort((a, b) => a - b), workers];
      const out: number[][] = [];
      for (let i = 0; i + 1 < bounds.length; i++) out.push(order.slice(bounds[i], bounds[i + 1]));
      return out;
    });
}

function tableArb(limits: ScenarioLimits): fc.Arbitrary<TableShape> {
  const maxS = limits.maxStaleness ?? 3;
  return fc
    .record({
      consistency: fc.constantFrom(...(limits.consistencies ?? ALL_CONSISTENCIES)),
      s: fc.nat({ max: maxS }),
      rowKind: fc.constantFrom<RowKind>("dense", "sparse"),
      valueType: fc.constantFrom<ValueType>("float64", "float32", "int32"),
      initialised: fc.boolean(),
    })
    .map(({ consistency, s, rowKind, valueType, initialised }) => ({
      consistency,
      staleness: consistency === "bsp" ? 0 : consistency === "async" ? Number.POSITIVE_INFINITY : s,
      rowKind,
      valueType,
      initialised: initialised && rowKind === "dense",
    }));
}

export function scenarioArb(limits: ScenarioLimits = {}): fc.Arbitrary<Scenario> {
  const readFirst = limits.readFirst ?? false;
  return fc
    .record({
      workers: fc.integer({ min: 1, max: limits.maxWorkers ?? 4 }),
      shards: fc.integer({ min: 1, max: 3 }),
      clocks: fc.integer({ min: 1, max: limits.maxClocks ?? 4 }),
      rows: fc.integer({ min: 1, max: 3 }),
      placement: fc.constantFrom<PlacementKind>("hash", "modulo", "range"),
      cacheRows: fc.option(fc.integer({ min: 1, max: 2 }), { nil: undefined }),
      table: tableArb(limits),
      readFirstHere: readFirst ? fc.constant(true) : fc.boolean(),
    })
    .chain((shape) =>
      fc.record({
        workers: fc.constant(shape.workers),
        clients: partition(shape.workers),
        shards: fc.constant(shape.shards),
        clocks: fc.constant(shape.clocks),
        rows: fc.constant(shape.rows),
        placement: fc.constant(shape.placement),
        cacheRows: fc.constant(shape.cacheRows),
        table: fc.constant(shape.table),
        program: fc.array(
          fc.array(opsArb(shape.rows, shape.table.valueType, shape.readFirstHere), {
            minLength: shape.clocks,
            maxLength: shape.clocks,
          }),
          { minLength: shape.workers, maxLength: shape.workers },
        ),
        schedule: fc.array(fc.nat(), { maxLength: 400 }),
      }),
    );
}

/**
 * fast-check parameters of every property: 1,000 runs in CI, fewer locally; SSP_PROP_RUNS overrides the
 * count and SSP_PROP_SEED fixes the seed. Mutation testing needs both: @fast-check/vitest puts the seed in
 * the test's name, and Stryker finds the tests covering a mutant by name, so a random seed would make it
 * run no test at all against most mutants.
 */
export function propertyParams(): { numRuns: number; seed?: number } {
  const seedText = process.env.SSP_PROP_SEED;
  if (seedText === undefined || seedText === "") return { numRuns: propertyRuns() };
  const seed = Number(seedText);
  if (!Number.isInteger(seed)) throw new RangeError(`SSP_PROP_SEED must be an integer, got ${seedText}`);
  return { numRuns: propertyRuns(), seed };
}

/** Runs per property: 1,000 in CI, fewer locally, SSP_PROP_RUNS overrides (mutation testing uses it). */
export function propertyRuns(): number {
  const forced = process.env.SSP_PROP_RUNS;
  if (forced !== undefined && forced !== "") {
    const n = Number(forced);
    if (!Number.isInteger(n) || n < 1)
      throw new RangeError(`SSP_PROP_RUNS must be a positive integer, got ${forced}`);
    return n;
  }
  return process.env.CI ? 1000 : 200;
}
