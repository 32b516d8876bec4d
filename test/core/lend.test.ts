// Lent rows (incRow with `lend`, WorkerApi.lendRow): a host that releases sent batches sends the app's own
// array, counts it in flight until release(), never recycles or changes it, and copies it wherever it would
// outlive the send or be changed; any other host copies it.

import { describe, expect, it } from "vitest";
import { ClientCore, LEND_MIN_ROW_BYTES } from "../../core/client.ts";
import type { BatchMessage } from "../../core/messages.ts";
import { newKernelDense, reuseBuffer } from "../../core/rows.ts";
import { defineTable, type TableSpec } from "../../core/tables.ts";
import { subscribeToRow0 } from "./support.ts";

/** Floats of a row: float32 rows of exactly LEND_MIN_ROW_BYTES, the shortest lent. */
const WIDTH = LEND_MIN_ROW_BYTES / 4;
const float32 = { width: WIDTH, valueType: "float32", staleness: 0 } as const;
const ssp = defineTable({ id: 1, name: "wide", consistency: "ssp", ...float32 });
const essp = defineTable({ id: 2, name: "pushed", consistency: "essp", ...float32 });

function client(opts: { workers?: number[]; releases?: boolean; table?: TableSpec } = {}): ClientCore {
  return new ClientCore({
    client: 0,
    workers: opts.workers ?? [0],
    numShards: 1,
    tables: [opts.table ?? ssp],
    placement: () => 0,
    releasesSentBatches: opts.releases ?? true,
  });
}

/**
 * Lends `lent` as row 0 of `table`, clocks, and checks that the batch carries the app's array itself, in
 * flight until released, and releases it.
 */
function sendLent(core: ClientCore, table: TableSpec, lent: Float32Array | Float64Array): void {
  core.incRow(0, table.id, 0, lent, true);
  core.clock(0);
  const batch = batchOf(core);
  expect(batch.rows[0].delta).toBe(lent);
  expect(core.lentInFlight).toBe(1);
  core.release(0, batch);
  expect(core.lentInFlight).toBe(0);
}

function batchOf(core: ClientCore): BatchMessage {
  const out = core.drain().messages.find((m) => m.message.type === "batch");
  if (out === undefined || out.message.type !== "batch") throw new Error("no batch drained");
  return out.message;
}

const row = (value: number) => new Float32Array(WIDTH).fill(value);

describe("lent rows", () => {
  it("are sent as they are, counted in flight until release, and never recycled", () => {
    const core = client();
    const lent = row(3);
    sendLent(core, ssp, lent);
    // Released, but the app's, not the pool's: newDense must not hand its memory out.
    expect(reuseBuffer(lent.byteLength)).not.toBe(lent.buffer);
    expect(lent.every((v) => v === 3)).toBe(true);
    // Lent again the next clock, once it is back.
    core.incRow(0, ssp.id, 0, lent, true);
    core.clock(0);
    expect(batchOf(core).rows[0].delta).toBe(lent);
  });

  it("a host that does not release sent batches (the simulator) gets a copy", () => {
    const core = client({ releases: false });
    const lent = row(3);
    core.incRow(0, ssp.id, 0, lent, true);
    core.clock(0);
    const delta = batchOf(core).rows[0].delta as Float32Array;
    expect(delta).not.toBe(lent);
    expect(delta.every((v) => v === 3)).toBe(true);
    expect(core.lentInFlight).toBe(0);
  });

  it("a later increment of the row in the same clock goes into a copy, not into the app's array", () => {
    const core = client();
    const lent = row(3);
    core.incRow(0, ssp.id, 0, lent, true);
    core.inc(0, ssp.id, 0, 5, 1);
    core.incRow(0, ssp.id, 0, row(1));
    expect(lent.every((v) => v === 3)).toBe(true);
    core.clock(0);
    const delta = batchOf(core).rows[0].delta as Float32Array;
    expect(delta).not.toBe(lent);
    expect(delta[5]).toBe(5);
    expect(delta[6]).toBe(4);
    expect(core.lentInFlight).toBe(0);
  });

  it("is copied when its worker's clock does not send it (another local worker is behind)", () => {
    const core = client({ workers: [0, 1] });
    const lent = row(3);
    core.incRow(0, ssp.id, 0, lent, true);
    core.clock(0);
    // The app may change its array now: worker 1 still holds the process clock.
    lent.fill(100);
    core.incRow(1, ssp.id, 0, row(1), true);
    core.clock(1);
    const batch = batchOf(core);
    const delta = batch.rows[0].delta as Float32Array;
    expect(delta.every((v) => v === 4)).toBe(true);
    expect(core.lentInFlight).toBe(0);
  });

  it("two workers lending one row: the sum goes into a copy, neither array changes", () => {
    const core = client({ workers: [0, 1] });
    const a = row(1);
    const b = row(2);
    core.incRow(0, ssp.id, 0, a, true);
    core.incRow(1, ssp.id, 0, b, true);
    core.clock(1);
    core.clock(0);
    const delta = batchOf(core).rows[0].delta as Float32Array;
    expect(delta.every((v) => v === 3)).toBe(true);
    expect(a.every((v) => v === 1) && b.every((v) => v === 2)).toBe(true);
    expect(core.lentInFlight).toBe(0);
  });

  it("a batch kept to patch replies (an ESSP subscription) keeps a copy, not the app's array", () => {
    const core = client({ table: essp });
    // Subscribed to the row: batches sent from now on are kept until a reply.
    subscribeToRow0(core, essp);
    const lent = row(2);
    core.incRow(0, essp.id, 0, lent, true);
    core.clock(0);
    const batch = batchOf(core);
    expect(batch.rows[0].delta).not.toBe(lent);
    expect(core.lentInFlight).toBe(0);
  });

  it("a row one value shorter than LEND_MIN_ROW_BYTES is copied", () => {
    const short = defineTable({ id: 4, name: "short", consistency: "ssp", ...float32, width: WIDTH - 1 });
    const core = client({ table: short });
    const values = new Float32Array(WIDTH - 1).fill(1);
    core.incRow(0, short.id, 0, values, true);
    core.clock(0);
    expect(batchOf(core).rows[0].delta).not.toBe(values);
    expect(core.lentInFlight).toBe(0);
  });

  it("a non-finite lent row is refused, naming the value, and changes nothing", () => {
    const core = client();
    const bad = row(1);
    bad[WIDTH - 1] = Number.NaN;
    expect(() => core.incRow(0, ssp.id, 0, bad, true)).toThrow(/NaN/);
    core.clock(0);
    expect(batchOf(core).rows).toHaveLength(0);
  });

  it("a lent row from kernel memory is checked in place and sent as it is", () => {
    const lent = newKernelDense("float32", WIDTH * 4);
    expect(lent.buffer.byteLength).toBeGreaterThan(lent.byteLength);
    const wide = defineTable({ id: 3, name: "widest", consistency: "ssp", ...float32, width: WIDTH * 4 });
    const c = client({ table: wide });
    lent.fill(2);
    sendLent(c, wide, lent);
    // Its block is still the app's: the arena hands out another.
    const other = newKernelDense("float32", WIDTH * 4);
    expect(other.byteOffset).not.toBe(lent.byteOffset);
    expect(lent.every((v) => v === 2)).toBe(true);
  });
});
