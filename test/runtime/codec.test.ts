import { fc, test } from "@fast-check/vitest";
import { describe, expect, it } from "vitest";
import type { RowMessage } from "../../core/messages.ts";
import { SparseValues } from "../../core/rows.ts";
import { defineTable } from "../../core/tables.ts";
import {
  decodeFrame,
  encodeBatch,
  encodeBatchParts,
  encodeControl,
  encodeError,
  encodeReads,
  encodeRows,
  encodeRowsParts,
  type Frame,
  HEADER_BYTES,
  MAX_READS_PER_FRAME,
  messageShareBytes,
  PROTOCOL_VERSION,
  readsPerFrame,
  rowFrameRuns,
  rowMessageBytes,
  rowsFrameBytes,
} from "../../runtime/codec.ts";
import { FrameDecoder, releaseReceivedRow } from "../../runtime/frame-decoder.ts";
import { WireError } from "../../runtime/wire-error.ts";
import { batchMessage, plain, readFrame, rowFrame, SCHEMA, shard } from "./codec-arbitraries.ts";

function decodeOne(buf: Buffer): Frame {
  const frames = new FrameDecoder(SCHEMA).push(buf);
  expect(frames).toHaveLength(1);
  return frames[0];
}

describe("wire codec round trips", () => {
  test.prop([shard, batchMessage, fc.double({ min: 0, max: 1e15, noNaN: true })])(
    "batch",
    (s, message, sentNs) => {
      const frame = decodeOne(encodeBatch(s, message, sentNs));
      if (frame.kind !== "batch") throw new Error(`decoded a ${frame.kind} frame`);
      expect(frame.shard).toBe(s);
      expect(frame.sentNs).toBe(sentNs);
      const { rows, ...rest } = frame.message;
      const { rows: sentRows, ...sentRest } = message;
      expect(rest).toEqual(sentRest);
      expect(rows.map((r) => [r.table, r.row, plain(r.delta)])).toEqual(
        sentRows.map((r) => [r.table, r.row, plain(r.delta)]),
      );
    },
  );

  test.prop([readFrame])("reads", ({ shard: s, messages }) => {
    const frame = decodeOne(encodeReads(s, messages));
    if (frame.kind !== "read") throw new Error(`decoded a ${frame.kind} frame`);
    expect(frame.shard).toBe(s);
    expect(frame.messages).toEqual(messages);
  });

  test.prop([rowFrame])("rows", ({ shard: s, messages }) => {
    const frame = decodeOne(encodeRows(s, messages));
    if (frame.kind !== "row") throw new Error(`decoded a ${frame.kind} frame`);
    expect(frame.shard).toBe(s);
    expect(frame.bytes).toBe(rowsFrameBytes(messages.reduce((n, m) => n + rowMessageBytes(m), 0)));
    expect(frame.messages.map(rowContents)).toEqual(messages.map(rowContents));
  });

  test.prop([shard, batchMessage, rowFrame, fc.constantFrom(0, 4, 64, Number.POSITIVE_INFINITY)])(
    "frames in parts (long rows lent, not copied) hold exactly the bytes of the whole frame",
    (s, batch, rows, lendMinBytes) => {
      const batchParts = encodeBatchParts(s, batch, 7, lendMinBytes);
      const rowParts = encodeRowsParts(rows.shard, rows.messages, 7, lendMinBytes);
      expect(Buffer.concat(batchParts)).toEqual(encodeBatch(s, batch, 7));
      expect(Buffer.concat(rowParts)).toEqual(encodeRows(rows.shard, rows.messages, 7));
      // A lent row is the row's own memory: a part shares the values' buffer.
      for (const { values } of rows.messages) {
        if (lendMinBytes === 0 && !(values instanceof SparseValues) && values.length > 0) {
          expect(rowParts.some((p) => p.buffer === values.buffer)).toBe(true);
        }
      }
    },
  );

  test.prop([rowFrame, fc.integer({ min: 1, max: 400 })])(
    "rows split into frames under a cap keep their order, and only a row too long for the cap is alone",
    ({ messages }, maxFrameBytes) => {
      const runs = rowFrameRuns(messages, maxFrameBytes);
      expect(runs.flat()).toEqual(messages);
      for (const run of runs) {
        const bytes = rowsFrameBytes(run.reduce((n, m) => n + rowMessageBytes(m), 0));
        if (run.length > 1) expect(bytes).toBeLessThanOrEqual(maxFrameBytes);
      }
      // Greedy: no run could have taken the next run's first row.
      for (let i = 0; i + 1 < runs.length; i++) {
        const joined = [...runs[i], runs[i + 1][0]];
        expect(rowsFrameBytes(joined.reduce((n, m) => n + rowMessageBytes(m), 0))).toBeGreaterThan(
          maxFrameBytes,
        );
      }
    },
  );

  it("fits reads to the frame cap, and splits a frame's bytes among its messages exactly", () => {
    expect(readsPerFrame(1 << 30)).toBe(MAX_READS_PER_FRAME);
    const reads = readsPerFrame(1024);
    const read = { type: "read", client: 0, table: 0, row: 0, requiredClock: 0, subscribe: false } as const;
    expect(encodeReads(0, new Array(reads).fill(read)).length).toBeLessThanOrEqual(1024);
    expect(encodeReads(0, new Array(reads + 1).fill(read)).length).toBeGreaterThan(1024);
    expect(() => encodeReads(0, [])).toThrow(/1 to 4096 reads/);
    for (const [bytes, count] of [
      [100, 1],
      [100, 3],
      [7, 7],
      [1000, 9],
    ]) {
      const shares = Array.from({ length: count }, (_, i) => messageShareBytes(bytes, count, i));
      expect(shares.reduce((a, b) => a + b, 0)).toBe(bytes);
      expect(Math.max(...shares) - Math.min(...shares)).toBeLessThan(count);
    }
  });

  test.prop([fc.dictionary(fc.string(), fc.jsonValue()), fc.string()])("control and error", (extra, text) => {
    const body = { ...extra, t: "hello" };
    const control = decodeOne(encodeControl(body));
    expect(control.kind === "control" && control.body).toEqual(JSON.parse(JSON.stringify(body)));
    const error = decodeOne(encodeError(text));
    expect(error.kind === "error" && error.message).toBe(text);
  });

  test.prop([
    fc.array(fc.oneof(batchMessage, rowFrame), { minLength: 1, maxLength: 5 }),
    fc.array(fc.nat(), { maxLength: 8 }),
  ])("a stream split anywhere gives the same frames", (messages, cuts) => {
    const frames = messages.map((m) => ("type" in m ? encodeBatch(0, m) : encodeRows(m.shard, m.messages)));
    const stream = Buffer.concat(frames);
    const points = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b);
    const decoder = new FrameDecoder(SCHEMA);
    const out: Frame[] = [];
    let from = 0;
    for (const p of [...points, stream.length]) {
      out.push(...decoder.push(stream.subarray(from, p)));
      from = p;
    }
    expect(out.map((f) => f.kind)).toEqual(messages.map((m) => ("type" in m ? m.type : "row")));
    expect(decoder.pendingBytes).toBe(0);
    // The same stream read through one buffer that is overwritten after every read (a socket's `onread`):
    // the same frames, with the same values, after every later overwrite.
    const transient = new FrameDecoder(SCHEMA);
    const reread = readThroughOneBuffer(transient, stream, points);
    expect(transient.pendingBytes).toBe(0);
    expect(reread.map(frameContents)).toEqual(out.map(frameContents));
    // And as an in-place consumer reads (each frame handed over as it completes, in one reused buffer): the
    // same frames, as they were when handed over.
    for (const viaTransient of [false, true]) {
      const inPlace = new FrameDecoder(SCHEMA);
      inPlace.reuseJoinBuffer = true;
      const seen: unknown[] = [];
      const take = (f: Frame) => seen.push(frameContents(f));
      const scratch = Buffer.alloc(Math.max(1, stream.length));
      let at = 0;
      for (const p of [...points, stream.length]) {
        stream.copy(scratch, 0, at, p);
        const piece = scratch.subarray(0, p - at);
        const returned = viaTransient
          ? inPlace.pushTransient(piece, take)
          : inPlace.push(Buffer.from(piece), take);
        expect(returned).toEqual([]);
        scratch.fill(0xee);
        at = p;
      }
      expect(seen).toEqual(out.map(frameContents));
    }
  });
});

/** Feeds `stream`, cut at `points`, to pushTransient through one buffer that is scribbled over after each call. */
function readThroughOneBuffer(decoder: FrameDecoder, stream: Buffer, points: number[]): Frame[] {
  const scratch = Buffer.alloc(Math.max(1, stream.length));
  const out: Frame[] = [];
  let from = 0;
  for (const p of [...points, stream.length]) {
    stream.copy(scratch, 0, from, p);
    out.push(...decoder.pushTransient(scratch.subarray(0, p - from)));
    scratch.fill(0xee);
    from = p;
  }
  return out;
}

function frameContents(f: Frame): unknown {
  if (f.kind === "batch")
    return { ...f.message, rows: f.message.rows.map((r) => ({ ...r, delta: plain(r.delta) })) };
  if (f.kind === "row") return { ...f, messages: f.messages.map(rowContents) };
  return f;
}

function rowContents(m: RowMessage): unknown {
  return { ...m, values: plain(m.values) };
}

describe("wire codec with long rows (viewed in place when aligned)", () => {
  const wide = defineTable({ id: 4, name: "wide", width: 5000, valueType: "float32" });
  const wide64 = defineTable({ id: 5, name: "wide64", width: 5000, valueType: "float64" });
  const schema = {
    ...SCHEMA,
    tables: new Map([...SCHEMA.tables, [4, wide], [5, wide64]]),
    maxFrameBytes: 1 << 20,
  };

  it("round-trips long float32 and float64 rows split across chunks, and still refuses a NaN among them", () => {
    const values32 = Float32Array.from({ length: 5000 }, (_, i) => i * 0.5 - 7);
    const values64 = Float64Array.from({ length: 5000 }, (_, i) => i * 1e-3 + 1);
    const frames = [
      encodeBatch(0, {
        type: "batch",
        client: 1,
        version: 1,
        clock: 0,
        rows: [{ table: 4, row: 2, delta: values32 }],
      }),
      encodeRows(1, [
        {
          type: "row",
          shard: 1,
          table: 5,
          row: 3,
          clock: 2,
          version: 1,
          values: values64,
          pushed: false,
        },
      ]),
      encodeBatch(0, {
        type: "batch",
        client: 1,
        version: 2,
        clock: 1,
        rows: [{ table: 5, row: 2, delta: values64 }],
      }),
    ];
    const stream = Buffer.concat(frames);
    const decoder = new FrameDecoder(schema);
    const out: Frame[] = [];
    for (let at = 0; at < stream.length; at += 7001)
      out.push(...decoder.push(stream.subarray(at, at + 7001)));
    expect(out.map((f) => f.kind)).toEqual(["batch", "row", "batch"]);
    const [a, b, c] = out;
    expect(a.kind === "batch" && Array.from(a.message.rows[0].delta as Float32Array)).toEqual(
      Array.from(values32),
    );
    expect(b.kind === "row" && Array.from(b.messages[0].values as Float64Array)).toEqual(
      Array.from(values64),
    );
    expect(c.kind === "batch" && Array.from(c.message.rows[0].delta as Float64Array)).toEqual(
      Array.from(values64),
    );
    const poisoned = Buffer.from(frames[0]);
    poisoned.writeFloatLE(Number.NaN, poisoned.length - 4 * 1234);
    expect(() => new FrameDecoder(schema).push(poisoned)).toThrow(
      /field: .* value NaN at column 3766 is not finite/,
    );
  });
});

describe("frame decoder join buffer", () => {
  const width = 5000;
  const spec = defineTable({ id: 0, name: "w", width, valueType: "float32" });
  const schema = { tables: new Map([[0, spec]]), numClients: 1, numShards: 1, maxFrameBytes: 1 << 20 };
  /** Batch frames of one 5000-float row each, row v filled with v, back to back. */
  const batchStream = (versions: number[]) =>
    Buffer.concat(
      versions.map((v) =>
        encodeBatch(0, {
          type: "batch",
          client: 0,
          version: v,
          clock: v - 1,
          rows: [{ table: 0, row: 0, delta: new Float32Array(width).fill(v) }],
        }),
      ),
    );

  it("joins long frames in one reused buffer when asked, and every frame is right when consumed at once", () => {
    const stream = batchStream([1, 2, 3]);
    for (const reuse of [false, true]) {
      const decoder = new FrameDecoder(schema);
      decoder.reuseJoinBuffer = reuse;
      const buffers = new Set<ArrayBufferLike>();
      const sums: number[] = [];
      for (let at = 0; at < stream.length; at += 6000) {
        for (const f of decoder.push(stream.subarray(at, at + 6000))) {
          if (f.kind !== "batch") throw new Error(`a ${f.kind} frame`);
          const delta = f.message.rows[0].delta as Float32Array;
          buffers.add(delta.buffer);
          sums.push(delta.reduce((a, b) => a + b, 0));
        }
      }
      expect(sums).toEqual([width, 2 * width, 3 * width]);
      // Every frame spans several 6000-byte pieces, so each is joined: in one buffer, or in one each.
      expect(buffers.size).toBe(reuse ? 1 : 3);
    }
  });

  it("a read that ends one frame and starts the next reuses the buffer only when frames are handed over one by one", () => {
    const stream = batchStream([1, 2, 3, 4]);
    // Pieces of 1.5 frames: every piece but the first ends a frame and carries the start of the next.
    const piece = Math.floor(stream.length / 4) * 1.5;
    for (const mode of ["push", "pushTransient"] as const) {
      for (const oneByOne of [false, true]) {
        const decoder = new FrameDecoder(schema);
        decoder.reuseJoinBuffer = true;
        const buffers = new Set<ArrayBufferLike>();
        const sums: number[] = [];
        const take = (f: Frame): void => {
          if (f.kind !== "batch") throw new Error(`a ${f.kind} frame`);
          const delta = f.message.rows[0].delta as Float32Array;
          buffers.add(delta.buffer);
          sums.push(delta.reduce((a, b) => a + b, 0));
        };
        const returned: Frame[] = [];
        const pieces = new Set<ArrayBufferLike>();
        for (let at = 0; at < stream.length; at += piece) {
          const bytes = Buffer.from(stream.subarray(at, at + piece));
          pieces.add(bytes.buffer);
          const onFrame = oneByOne ? take : undefined;
          returned.push(
            ...(mode === "push" ? decoder.push(bytes, onFrame) : decoder.pushTransient(bytes, onFrame)),
          );
          // Frames returned together must all stay whole until the next call: read them now.
          for (const f of returned.splice(0)) take(f);
        }
        expect(sums).toEqual([width, 2 * width, 3 * width, 4 * width]);
        // push views a frame that lies whole in one piece in place; the others are joined. One by one, every
        // joined frame fits the one buffer; returned together, a second one needs its own.
        // (A row of a frame in place at an unaligned offset is copied out: a buffer of the row's size.)
        const joined = [...buffers].filter((b) => !pieces.has(b) && b.byteLength !== width * 4);
        expect(joined.length).toBeGreaterThan(0);
        // (Returned together, only pushTransient has two frames of one call to assemble here: push finds the
        // frame a piece ends on whole in the next piece.)
        if (oneByOne) expect(joined.length).toBe(1);
        else if (mode === "pushTransient") expect(joined.length).toBeGreaterThan(1);
      }
    }
  });
});

describe("frame decoder reading through one buffer", () => {
  it("gives each frame a buffer of its own, so a row of it is a view when the buffer is the frame's alone", () => {
    const rowOf = (width: number) => {
      const spec = defineTable({ id: 0, name: "w", width, valueType: "float32" });
      const schema = { tables: new Map([[0, spec]]), numClients: 1, numShards: 1, maxFrameBytes: 1 << 20 };
      const values = Float32Array.from({ length: width }, (_, i) => i + 0.5);
      const frame = encodeRows(0, [
        { type: "row", shard: 0, table: 0, row: 0, clock: 0, version: 0, values, pushed: false },
      ]);
      const [viaChunks] = new FrameDecoder(schema).push(Buffer.from(frame));
      const [viaOneBuffer] = readThroughOneBuffer(new FrameDecoder(schema), frame, [7, 100]);
      if (viaChunks.kind !== "row" || viaOneBuffer.kind !== "row") throw new Error("not a row");
      expect(Array.from(viaOneBuffer.messages[0].values as Float32Array)).toEqual(Array.from(values));
      return {
        frameBytes: frame.length,
        chunkValuesBuffer: (viaChunks.messages[0].values as Float32Array).buffer.byteLength,
        ownValuesBuffer: (viaOneBuffer.messages[0].values as Float32Array).buffer.byteLength,
      };
    };
    // 4 KB rows: a copy out of a chunk, but a view of their own frame through one buffer.
    const long = rowOf(1024);
    expect(long.chunkValuesBuffer).toBe(4096);
    expect(long.ownValuesBuffer).toBe(long.frameBytes);
    // 16 values: their frame is a slice of Buffer's shared pool, so they are copied either way.
    const short = rowOf(16);
    expect(short.ownValuesBuffer).toBe(64);
  });
});

describe("frame decoder reusing released rows", () => {
  const spec = defineTable({ id: 0, name: "w", width: 20_000, valueType: "float32" });
  const schema = { tables: new Map([[0, spec]]), numClients: 1, numShards: 1, maxFrameBytes: 1 << 20 };
  const rowMessage = (row: number, v: number): RowMessage => ({
    type: "row",
    shard: 0,
    table: 0,
    row,
    clock: v,
    version: 0,
    values: new Float32Array(spec.width).fill(v),
    pushed: false,
  });
  /** The rows of one frame, read through one buffer as a worker reads them. */
  const receive = (decoder: FrameDecoder, messages: RowMessage[]): Float32Array[] => {
    const [frame] = readThroughOneBuffer(decoder, encodeRows(0, messages), [5_000]);
    if (frame.kind !== "row") throw new Error("not a row frame");
    return frame.messages.map((m) => m.values as Float32Array);
  };

  it("reads the next frame of the same size into a released row's frame, once, with the right values", () => {
    const decoder = new FrameDecoder(schema);
    const [first] = receive(decoder, [rowMessage(0, 1)]);
    releaseReceivedRow(first);
    // Handing the same row in again gives nothing more back: two frames never share a buffer.
    releaseReceivedRow(first);
    const [second] = receive(decoder, [rowMessage(1, 2)]);
    const [third] = receive(decoder, [rowMessage(2, 3)]);
    expect(second.buffer).toBe(first.buffer);
    expect(third.buffer).not.toBe(first.buffer);
    expect(second.every((v) => v === 2)).toBe(true);
    expect(third.every((v) => v === 3)).toBe(true);
  });

  it("keeps a frame that holds other rows", () => {
    const narrow = defineTable({ id: 0, name: "n", width: 2_000, valueType: "float32" });
    const decoder = new FrameDecoder({ ...schema, tables: new Map([[0, narrow]]) });
    const shortRow = (row: number, v: number): RowMessage => ({
      ...rowMessage(row, v),
      values: new Float32Array(narrow.width).fill(v),
    });
    const [a, b] = receive(decoder, [shortRow(0, 1), shortRow(1, 2)]);
    expect(a.buffer).toBe(b.buffer);
    releaseReceivedRow(a);
    const [c, d] = receive(decoder, [shortRow(2, 3), shortRow(3, 4)]);
    expect(c.buffer).not.toBe(a.buffer);
    expect(b.every((v) => v === 2)).toBe(true);
    expect(d.every((v) => v === 4)).toBe(true);
  });
});

describe("frame decoder reading in place", () => {
  const wide = defineTable({ id: 0, name: "wide", width: 20_000, valueType: "float32" });
  const schema = { tables: new Map([[0, wide]]), numClients: 1, numShards: 1, maxFrameBytes: 1 << 20 };
  /** A batch frame of `width` values (the table's, or fewer for a malformed one), all `v`. */
  const frame = (v: number) =>
    encodeBatch(0, {
      type: "batch",
      client: 0,
      version: v + 1,
      clock: v,
      rows: [{ table: 0, row: v, delta: new Float32Array(wide.width).fill(v) }],
    });

  test.prop([
    fc.array(fc.boolean(), { minLength: 1, maxLength: 8 }),
    fc.array(fc.oneof(fc.integer({ min: 1, max: 40_000 }), fc.integer({ min: 1, max: 100_000 })), {
      minLength: 1,
      maxLength: 50,
    }),
  ])(
    "a socket that reads where readTarget says gives the same frames as any other reading",
    (longs, readSizes) => {
      // Long frames (80 KB) and short control frames, in the given order.
      const stream = Buffer.concat(
        longs.map((long, i) => (long ? frame(i) : encodeControl({ t: "short", i }))),
      );
      const expected = new FrameDecoder(schema).push(stream).map(frameContents);
      const decoder = new FrameDecoder(schema);
      const fixed = Buffer.alloc(64 * 1024);
      const got: unknown[] = [];
      let at = 0;
      let inPlace = 0;
      for (let i = 0; at < stream.length; i++) {
        const target = decoder.readTarget();
        if (target !== null) inPlace++;
        const into = target ?? fixed;
        const n = Math.min(readSizes[i % readSizes.length], into.length, stream.length - at);
        stream.copy(into, 0, at, at + n);
        decoder.pushTransient(into.subarray(0, n), (f) => got.push(frameContents(f)));
        fixed.fill(0xee);
        at += n;
      }
      expect(got).toEqual(expected);
      expect(decoder.pendingBytes).toBe(0);
      // Reads of at most 40,000 bytes leave over 32 KB of a long frame to come: the rest is read in place.
      if (longs.some((l) => l) && Math.max(...readSizes) <= 40_000) expect(inPlace).toBeGreaterThan(0);
    },
  );
});

describe("wire codec finite check", () => {
  it("finds a non-finite value in any column, whatever the row's width", () => {
    for (const width of [1, 5, 8, 11]) {
      const spec = defineTable({ id: 0, name: "w", width, valueType: "float32" });
      const schema = { tables: new Map([[0, spec]]), numClients: 1, numShards: 1, maxFrameBytes: 1 << 20 };
      for (let col = 0; col < width; col++) {
        for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
          const delta = new Float32Array(width).fill(1);
          delta[col] = bad;
          const frame = encodeBatch(0, {
            type: "batch",
            client: 0,
            version: 1,
            clock: 0,
            rows: [{ table: 0, row: 0, delta }],
          });
          expect(() => new FrameDecoder(schema).push(frame)).toThrow(`at column ${col} is not finite`);
        }
      }
    }
  });
});

describe("wire codec refusals", () => {
  const read = { type: "read", client: 2, table: 0, row: 9, requiredClock: 3, subscribe: false } as const;
  const valid = encodeReads(1, [read, { ...read, row: 4 }]);

  function fault(buf: Buffer): string {
    try {
      new FrameDecoder(SCHEMA).push(buf);
    } catch (e) {
      if (e instanceof WireError) return e.fault;
      throw e;
    }
    return "accepted";
  }

  it("names each broken rule", () => {
    const magic = Buffer.from(valid);
    magic.write("HTTP", 0);
    expect(fault(magic)).toBe("magic");
    const version = Buffer.from(valid);
    version.writeUInt8(PROTOCOL_VERSION + 1, 4);
    expect(fault(version)).toBe("version");
    const type = Buffer.from(valid);
    type.writeUInt8(99, 5);
    expect(fault(type)).toBe("type");
    const big = Buffer.from(valid);
    big.writeUInt32LE(SCHEMA.maxFrameBytes, 8);
    expect(fault(big)).toBe("oversized");
    // The second read's table.
    const table = Buffer.from(valid);
    table.writeUInt16LE(5, HEADER_BYTES + 12 + 12);
    expect(fault(table)).toBe("table");
    const count = Buffer.from(valid);
    count.writeUInt32LE(3, HEADER_BYTES + 8);
    expect(fault(count)).toBe("length");
    const none = Buffer.from(valid);
    none.writeUInt32LE(0, HEADER_BYTES + 8);
    expect(fault(none)).toBe("field");
    const client = Buffer.from(valid);
    client.writeUInt32LE(SCHEMA.numClients, HEADER_BYTES + 4);
    expect(fault(client)).toBe("field");
    const short = Buffer.from(valid);
    short.writeUInt32LE(16, 8);
    expect(fault(Buffer.concat([short.subarray(0, HEADER_BYTES + 16)]))).toBe("length");
    expect(fault(valid)).toBe("accepted");
  });

  it("refuses a dense row of the wrong width and non-finite values", () => {
    const message = {
      type: "row",
      shard: 0,
      table: 0,
      row: 1,
      clock: 0,
      version: 0,
      values: new Float64Array([1, 2, 3, 4, 5]),
      pushed: false,
    } as const;
    const row = encodeRows(0, [message, { ...message, row: 2 }]);
    const nan = Buffer.from(row);
    nan.writeDoubleLE(Number.NaN, row.length - 8);
    expect(fault(nan)).toBe("field");
    // The second row's value count: after the prefix (12), the first row (12 + 12 + 40), its fields (12).
    const narrow = Buffer.from(row);
    narrow.writeUInt32LE(4, HEADER_BYTES + 12 + 64 + 12 + 8);
    expect(fault(narrow)).toBe("field");
    const lying = Buffer.from(row);
    lying.writeUInt32LE(1000, HEADER_BYTES + 4);
    expect(fault(lying)).toBe("length");
  });

  it("error frames stay readable across protocol versions", () => {
    const error = encodeError("go away");
    error.writeUInt8(PROTOCOL_VERSION + 7, 4);
    const frame = decodeOne(error);
    expect(frame.kind === "error" && frame.message).toBe("go away");
  });
});

describe("wire codec under garbage (100,000 cases)", () => {
  // Any outcome but a WireError or whole frames is a crash of the decoder. Both ways of feeding it (chunks it
  // may keep, and bytes in one reused buffer) must give the same frames and the same error.
  function survives(chunks: Buffer[]): void {
    const outcomes = [false, true].map((transient) => {
      const decoder = new FrameDecoder(SCHEMA);
      const scratch = Buffer.alloc(Math.max(1, ...chunks.map((c) => c.length)));
      const kinds: string[] = [];
      try {
        for (const c of chunks) {
          if (!transient) for (const f of decoder.push(c)) kinds.push(f.kind);
          else {
            c.copy(scratch);
            for (const f of decoder.pushTransient(scratch.subarray(0, c.length))) kinds.push(f.kind);
            scratch.fill(0xee);
          }
        }
      } catch (e) {
        if (!(e instanceof WireError)) throw e;
        expect(e.message).toMatch(/^[a-z]+: /);
        kinds.push(e.message);
      }
      return kinds;
    });
    expect(outcomes[1]).toEqual(outcomes[0]);
  }

  const validFrame = fc.oneof(
    fc.tuple(shard, batchMessage).map(([s, m]) => encodeBatch(s, m)),
    readFrame.map((f) => encodeReads(f.shard, f.messages)),
    rowFrame.map((f) => encodeRows(f.shard, f.messages)),
    fc.dictionary(fc.string(), fc.jsonValue()).map((d) => encodeControl({ ...d, t: "x" })),
  );

  test.prop([fc.uint8Array({ maxLength: 200 })], { numRuns: 30_000 })("random bytes", (bytes) => {
    survives([Buffer.from(bytes)]);
  });

  test.prop([fc.uint8Array({ maxLength: 200 })], { numRuns: 20_000 })(
    "random bytes after a valid header",
    (bytes) => {
      const head = Buffer.from(encodeControl({ t: "x" }).subarray(0, HEADER_BYTES));
      head.writeUInt8(16 + ((bytes[0] ?? 0) % 3), 5);
      head.writeUInt32LE(bytes.length, 8);
      survives([head, Buffer.from(bytes)]);
    },
  );

  test.prop(
    [
      validFrame,
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }),
      fc.nat(),
      fc.boolean(),
    ],
    { numRuns: 50_000 },
  )("mutated valid frames, truncated or split", (frame, flips, cut, truncate) => {
    const buf = Buffer.from(frame);
    for (const [at, value] of flips) buf[at % buf.length] = value;
    const end = truncate ? cut % (buf.length + 1) : buf.length;
    const split = cut % (end + 1);
    survives([buf.subarray(0, split), buf.subarray(split, end)]);
  });

  it("decodes a valid frame header-first even when the header arrives byte by byte", () => {
    const frame = encodeRows(2, [
      {
        type: "row",
        shard: 2,
        table: 2,
        row: 0,
        clock: 1,
        version: 1,
        values: new Int32Array([1, -2, 3, 4]),
        pushed: true,
      },
    ]);
    const decoder = new FrameDecoder(SCHEMA);
    const out: Frame[] = [];
    for (let i = 0; i < frame.length; i++) out.push(...decoder.push(frame.subarray(i, i + 1)));
    expect(out).toHaveLength(1);
    expect(decodeFrame(frame, SCHEMA).kind).toBe("row");
    const points = Array.from({ length: frame.length - 1 }, (_, i) => i + 1);
    const oneByOne = readThroughOneBuffer(new FrameDecoder(SCHEMA), frame, points);
    expect(oneByOne.map(frameContents)).toEqual(out.map(frameContents));
  });
});
