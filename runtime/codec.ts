// The wire format: length-prefixed binary frames. Data frames (batches, reads, rows) carry row payloads as raw
// little-endian typed arrays; control frames carry one JSON object. Every field is validated against the
// job's tables before a message reaches the core, so a malformed frame is a WireError naming its fault.
//
// Frame header (20 bytes, little-endian):
//   0  u32 magic "SSPT"   4  u8 protocol version   5  u8 frame type   6  u16 flags (0)
//   8  u32 payload bytes  12 f64 sender's time in ns since job start (for trace records; 0 before it)

import { endianness } from "node:os";
import type { BatchMessage, ReadMessage, RowDelta, RowMessage } from "../core/messages.ts";
import { type DenseValues, type RowValues, SparseValues } from "../core/rows.ts";
import { SIMD_MIN_VALUES, simdAllFinite } from "../core/simd.ts";
import type { TableSpec, ValueType } from "../core/tables.ts";
import { WireError } from "./wire-error.ts";

if (endianness() !== "LE") {
  // Row payloads are copied as raw typed-array bytes; a big-endian host would need byte swapping.
  throw new Error("ssptable's wire codec needs a little-endian machine");
}

export const MAGIC = 0x54505353; // "SSPT" read as a little-endian u32
/** 2: read and row frames carry several messages each (1 had one per frame). */
export const PROTOCOL_VERSION = 2;
export const HEADER_BYTES = 20;
export const DEFAULT_MAX_FRAME_BYTES = 64 * 1024 * 1024;
/**
 * Dense rows at least this long are sent from their own memory (see encodeBatchParts) rather than copied into
 * the frame: below it, the copy is cheaper than another buffer in the writev.
 */
export const LEND_MIN_BYTES = 1024;
/** Largest clock, version or required clock on the wire: the core stores them in Int32Arrays. */
export const MAX_CLOCK = 0x7fffffff;

export const FrameType = {
  control: 1,
  error: 2,
  batch: 16,
  read: 17,
  row: 18,
} as const;

const KNOWN_TYPES = new Set<number>(Object.values(FrameType));
const ROW_ENTRY_BYTES = 12;
/** A read frame's payload: shard, client and count, then this many bytes per read. */
const READ_PREFIX_BYTES = 12;
const READ_ENTRY_BYTES = 12;
/**
 * A row frame's payload: shard, count and a reserved word, then per row its clock, version and flags before
 * the row entry. 32 + 24 bytes put a dense row's values at a multiple of 8 in the frame, so they can be viewed
 * in place whatever their type.
 */
const ROWS_PREFIX_BYTES = 12;
const ROW_FIELDS_BYTES = 12;
/** Reads a frame may hold: bounds the work a frame's count makes a server do before it is checked. */
export const MAX_READS_PER_FRAME = 4096;
const VALUE_TYPES: readonly ValueType[] = ["float64", "float32", "int32"];

/** A JSON control message: an object whose `t` names what it is. */
export interface ControlBody {
  t: string;
  [field: string]: unknown;
}

/** A batch or read as it travels: the core's message plus the shard it is addressed to. */
export interface AddressedBatch {
  shard: number;
  message: BatchMessage;
}
export interface AddressedRead {
  shard: number;
  message: ReadMessage;
}

export type Frame =
  | { kind: "control"; body: ControlBody; sentNs: number; bytes: number }
  | { kind: "error"; message: string; sentNs: number; bytes: number }
  | { kind: "batch"; shard: number; message: BatchMessage; sentNs: number; bytes: number }
  | { kind: "read"; shard: number; messages: ReadMessage[]; sentNs: number; bytes: number }
  | { kind: "row"; shard: number; messages: RowMessage[]; sentNs: number; bytes: number };

/** What the decoder checks fields against. */
export interface WireSchema {
  tables: ReadonlyMap<number, TableSpec>;
  /** Client (worker process) ids must be below this. */
  numClients: number;
  /** Shard ids must be below this. */
  numShards: number;
  maxFrameBytes: number;
}

/** A schema that accepts no data frames: for connections before the job's tables are known. */
export function controlOnlySchema(maxFrameBytes: number): WireSchema {
  return { tables: new Map(), numClients: 0, numShards: 0, maxFrameBytes };
}

// ---------------------------------------------------------------------------------------------- encoding

function header(type: number, payloadBytes: number, sentNs: number): Buffer {
  const buf = Buffer.allocUnsafe(HEADER_BYTES + payloadBytes);
  writeHeader(buf, type, payloadBytes, sentNs);
  return buf;
}

function writeHeader(buf: Buffer, type: number, payloadBytes: number, sentNs: number): void {
  buf.writeUInt32LE(MAGIC, 0);
  buf.writeUInt8(PROTOCOL_VERSION, 4);
  buf.writeUInt8(type, 5);
  buf.writeUInt16LE(0, 6);
  buf.writeUInt32LE(payloadBytes, 8);
  buf.writeDoubleLE(sentNs, 12);
}

export function encodeControl(body: ControlBody, sentNs = 0): Buffer {
  const json = Buffer.from(JSON.stringify(body), "utf8");
  const buf = header(FrameType.control, json.length, sentNs);
  json.copy(buf, HEADER_BYTES);
  return buf;
}

export function encodeError(message: string, sentNs = 0): Buffer {
  const json = Buffer.from(JSON.stringify({ message }), "utf8");
  const buf = header(FrameType.error, json.length, sentNs);
  json.copy(buf, HEADER_BYTES);
  return buf;
}

function valueBytes(valueType: ValueType): number {
  return valueType === "float64" ? 8 : 4;
}

function sortedSparse(values: SparseValues): number[] {
  return [...values.entries.keys()].sort((a, b) => a - b);
}

function entryBytes(values: RowValues, valueType: ValueType): number {
  if (values instanceof SparseValues)
    return ROW_ENTRY_BYTES + values.entries.size * (4 + valueBytes(valueType));
  return ROW_ENTRY_BYTES + values.byteLength;
}

function valueTypeOf(values: RowValues): ValueType {
  if (values instanceof SparseValues) return values.valueType;
  if (values instanceof Float64Array) return "float64";
  if (values instanceof Float32Array) return "float32";
  return "int32";
}

/**
 * A frame being written as a list of buffers: small fields go into one owned buffer, and dense rows of at
 * least `lendMinBytes` are lent (the frame points at the row's own memory instead of copying it). Written
 * one after the other (a corked socket makes that one writev), the parts are exactly the frame's bytes.
 */
class FrameParts {
  readonly buf: Buffer;
  off = 0;
  private from = 0;
  private readonly parts: Buffer[] = [];

  constructor(
    type: number,
    payloadBytes: number,
    lentBytes: number,
    sentNs: number,
    readonly lendMinBytes: number,
  ) {
    this.buf = Buffer.allocUnsafe(HEADER_BYTES + payloadBytes - lentBytes);
    writeHeader(this.buf, type, payloadBytes, sentNs);
    this.off = HEADER_BYTES;
  }

  /** Dense values: lent when long enough, else copied in. */
  values(values: DenseValues): void {
    if (values.byteLength < this.lendMinBytes) {
      this.buf.set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength), this.off);
      this.off += values.byteLength;
      return;
    }
    if (this.off > this.from) this.parts.push(this.buf.subarray(this.from, this.off));
    this.parts.push(Buffer.from(values.buffer, values.byteOffset, values.byteLength));
    this.from = this.off;
  }

  finish(): Buffer[] {
    if (this.off > this.from || this.parts.length === 0)
      this.parts.push(this.buf.subarray(this.from, this.off));
    return this.parts;
  }
}

/** Bytes of dense rows that a FrameParts with this threshold lends rather than copies. */
function lentBytes(values: RowValues, lendMinBytes: number): number {
  return !(values instanceof SparseValues) && values.byteLength >= lendMinBytes ? values.byteLength : 0;
}

function writeEntry(w: FrameParts, table: number, row: number, values: RowValues): void {
  const { buf } = w;
  let off = w.off;
  const valueType = valueTypeOf(values);
  buf.writeUInt16LE(table, off);
  buf.writeUInt8(values instanceof SparseValues ? 1 : 0, off + 2);
  buf.writeUInt8(VALUE_TYPES.indexOf(valueType), off + 3);
  buf.writeUInt32LE(row, off + 4);
  off += ROW_ENTRY_BYTES;
  if (values instanceof SparseValues) {
    const cols = sortedSparse(values);
    buf.writeUInt32LE(cols.length, off - 4);
    for (const col of cols) {
      buf.writeUInt32LE(col, off);
      off += 4;
    }
    for (const col of cols) {
      const v = values.entries.get(col)!;
      if (valueType === "float64") buf.writeDoubleLE(v, off);
      else if (valueType === "float32") buf.writeFloatLE(v, off);
      else buf.writeInt32LE(v, off);
      off += valueBytes(valueType);
    }
    w.off = off;
    return;
  }
  buf.writeUInt32LE(values.length, off - 4);
  w.off = off;
  w.values(values);
}

/**
 * A batch frame as buffers to write in order. Dense deltas of at least `lendMinBytes` are not copied: the
 * caller must not change them until the socket has written them (the core never changes a drained batch).
 */
export function encodeBatchParts(
  shard: number,
  message: BatchMessage,
  sentNs = 0,
  lendMinBytes = Number.POSITIVE_INFINITY,
): Buffer[] {
  let payload = 20;
  let lent = 0;
  for (const r of message.rows) {
    payload += entryBytes(r.delta, valueTypeOf(r.delta));
    lent += lentBytes(r.delta, lendMinBytes);
  }
  const w = new FrameParts(FrameType.batch, payload, lent, sentNs, lendMinBytes);
  const { buf } = w;
  const off = HEADER_BYTES;
  buf.writeUInt32LE(shard, off);
  buf.writeUInt32LE(message.client, off + 4);
  buf.writeUInt32LE(message.version, off + 8);
  buf.writeUInt32LE(message.clock, off + 12);
  buf.writeUInt32LE(message.rows.length, off + 16);
  w.off = off + 20;
  for (const r of message.rows) writeEntry(w, r.table, r.row, r.delta);
  return w.finish();
}

export function encodeBatch(shard: number, message: BatchMessage, sentNs = 0): Buffer {
  return encodeBatchParts(shard, message, sentNs)[0];
}

/** One frame of reads, all from one client to one shard, in order. */
export function encodeReads(shard: number, messages: readonly ReadMessage[], sentNs = 0): Buffer {
  if (messages.length === 0 || messages.length > MAX_READS_PER_FRAME)
    throw new RangeError(`a read frame holds 1 to ${MAX_READS_PER_FRAME} reads, not ${messages.length}`);
  const client = messages[0].client;
  const buf = header(FrameType.read, READ_PREFIX_BYTES + READ_ENTRY_BYTES * messages.length, sentNs);
  let off = HEADER_BYTES;
  buf.writeUInt32LE(shard, off);
  buf.writeUInt32LE(client, off + 4);
  buf.writeUInt32LE(messages.length, off + 8);
  off += READ_PREFIX_BYTES;
  for (const m of messages) {
    if (m.client !== client) throw new RangeError("a read frame's reads come from one client");
    buf.writeUInt16LE(m.table, off);
    buf.writeUInt8(m.subscribe ? 1 : 0, off + 2);
    buf.writeUInt8(0, off + 3);
    buf.writeUInt32LE(m.row, off + 4);
    buf.writeUInt32LE(m.requiredClock, off + 8);
    off += READ_ENTRY_BYTES;
  }
  return buf;
}

/** Bytes a row message adds to a row frame (see rowsFrameBytes). */
export function rowMessageBytes(message: RowMessage): number {
  return ROW_FIELDS_BYTES + entryBytes(message.values, valueTypeOf(message.values));
}

/** Bytes of a row frame holding messages of these many bytes (rowMessageBytes) in all. */
export function rowsFrameBytes(messageBytes: number): number {
  return HEADER_BYTES + ROWS_PREFIX_BYTES + messageBytes;
}

/**
 * One frame of rows, all of one shard, as buffers to write in order; long dense rows are lent, as in
 * encodeBatchParts.
 */
export function encodeRowsParts(
  shard: number,
  messages: readonly RowMessage[],
  sentNs = 0,
  lendMinBytes = Number.POSITIVE_INFINITY,
): Buffer[] {
  if (messages.length === 0) throw new RangeError("a row frame holds at least one row");
  let payload = ROWS_PREFIX_BYTES;
  let lent = 0;
  for (const m of messages) {
    if (m.shard !== shard) throw new RangeError("a row frame's rows come from one shard");
    payload += rowMessageBytes(m);
    lent += lentBytes(m.values, lendMinBytes);
  }
  const w = new FrameParts(FrameType.row, payload, lent, sentNs, lendMinBytes);
  const { buf } = w;
  buf.writeUInt32LE(shard, HEADER_BYTES);
  buf.writeUInt32LE(messages.length, HEADER_BYTES + 4);
  buf.writeUInt32LE(0, HEADER_BYTES + 8);
  w.off = HEADER_BYTES + ROWS_PREFIX_BYTES;
  for (const m of messages) {
    const off = w.off;
    buf.writeUInt32LE(m.clock, off);
    buf.writeUInt32LE(m.version, off + 4);
    buf.writeUInt8(m.pushed ? 1 : 0, off + 8);
    buf.writeUInt8(0, off + 9);
    buf.writeUInt16LE(0, off + 10);
    w.off = off + ROW_FIELDS_BYTES;
    writeEntry(w, m.table, m.row, m.values);
  }
  return w.finish();
}

export function encodeRows(shard: number, messages: readonly RowMessage[], sentNs = 0): Buffer {
  return encodeRowsParts(shard, messages, sentNs)[0];
}

/**
 * Rows are grouped into frames of up to this many bytes. A frame's fixed costs (its header, its buffer, a turn
 * of the decoder) are then shared by many short rows, while a cached row, which may be a view into its frame,
 * pins little memory besides its own.
 */
export const ROW_FRAME_TARGET_BYTES = 64 * 1024;

/** Splits rows, in order, into runs that each make a row frame of at most maxFrameBytes (a longer row alone). */
export function rowFrameRuns(messages: readonly RowMessage[], maxFrameBytes: number): RowMessage[][] {
  const runs: RowMessage[][] = [];
  let run: RowMessage[] = [];
  let runBytes = 0;
  for (const m of messages) {
    const bytes = rowMessageBytes(m);
    if (run.length > 0 && rowsFrameBytes(runBytes + bytes) > maxFrameBytes) {
      runs.push(run);
      run = [];
      runBytes = 0;
    }
    run.push(m);
    runBytes += bytes;
  }
  if (run.length > 0) runs.push(run);
  return runs;
}

/** Reads that fit one read frame of at most maxFrameBytes. */
export function readsPerFrame(maxFrameBytes: number): number {
  const fit = Math.floor((maxFrameBytes - HEADER_BYTES - READ_PREFIX_BYTES) / READ_ENTRY_BYTES);
  return Math.max(1, Math.min(MAX_READS_PER_FRAME, fit));
}

/**
 * The bytes of a frame of `count` messages that the trace gives to message `index`: an even share, the
 * first taking the remainder, so a frame's messages add up to its size.
 */
export function messageShareBytes(frameBytes: number, count: number, index: number): number {
  const share = Math.floor(frameBytes / count);
  return index === 0 ? frameBytes - share * (count - 1) : share;
}

// ---------------------------------------------------------------------------------------------- decoding

/** Reads one frame's payload; `frame` holds exactly header + payload. */
/**
 * @param exclusive the frame is the whole of an ArrayBuffer nothing else uses or writes (the decoder made it
 *   for this frame alone): a view into it then pins nothing but the frame, so rows of any length are views.
 */
export function decodeFrame(frame: Buffer, schema: WireSchema, exclusive = false): Frame {
  const { type, sentNs } = checkHeader(frame, schema.maxFrameBytes);
  const payloadBytes = frame.readUInt32LE(8);
  if (frame.length !== HEADER_BYTES + payloadBytes) {
    throw new WireError(
      "length",
      `header says ${payloadBytes} payload bytes, frame holds ${frame.length - HEADER_BYTES}`,
    );
  }
  const bytes = frame.length;
  const r = new Reader(frame, HEADER_BYTES);
  switch (type) {
    case FrameType.control:
      return { kind: "control", body: parseControl(frame.subarray(HEADER_BYTES)), sentNs, bytes };
    case FrameType.error: {
      const body = parseJsonObject(frame.subarray(HEADER_BYTES), "error frame");
      const message = typeof body.message === "string" ? body.message : JSON.stringify(body);
      return { kind: "error", message, sentNs, bytes };
    }
    case FrameType.batch: {
      const shard = checkShard(r.u32("shard"), schema);
      const client = checkClient(r.u32("client"), schema);
      const version = r.u32("version");
      const clock = r.u32("clock");
      if (version < 1 || version > MAX_CLOCK)
        throw new WireError("field", `batch version ${version} outside [1, ${MAX_CLOCK}]`);
      if (clock > MAX_CLOCK) throw new WireError("field", `batch clock ${clock} above ${MAX_CLOCK}`);
      const count = r.u32("row count");
      // Each row entry takes at least 12 bytes, so a lying count fails here instead of looping for long.
      if (count * ROW_ENTRY_BYTES > r.remaining()) {
        throw new WireError("length", `batch claims ${count} rows but only ${r.remaining()} bytes follow`);
      }
      const rows: RowDelta[] = [];
      for (let i = 0; i < count; i++) {
        // A shard never keeps or changes a batch's deltas, so views of any length pin nothing.
        const { table, row, values } = readEntry(r, schema, 0);
        rows.push({ table, row, delta: values });
      }
      r.end("batch");
      return {
        kind: "batch",
        shard,
        message: { type: "batch", client, version, clock, rows },
        sentNs,
        bytes,
      };
    }
    case FrameType.read: {
      const shard = checkShard(r.u32("shard"), schema);
      const client = checkClient(r.u32("client"), schema);
      const count = r.u32("read count");
      if (count === 0 || count > MAX_READS_PER_FRAME)
        throw new WireError("field", `read frame with ${count} reads: it holds 1 to ${MAX_READS_PER_FRAME}`);
      if (count * READ_ENTRY_BYTES !== r.remaining()) {
        throw new WireError(
          "length",
          `read frame claims ${count} reads (${count * READ_ENTRY_BYTES} bytes) but ${r.remaining()} bytes follow`,
        );
      }
      const messages: ReadMessage[] = [];
      for (let i = 0; i < count; i++) {
        const spec = checkTable(r.u16("table"), schema);
        const flags = r.u8("flags");
        if (flags > 1) throw new WireError("field", `read flags ${flags}: only bit 0 (subscribe) is defined`);
        if (r.u8("reserved") !== 0) throw new WireError("field", "read: reserved byte must be 0");
        const row = checkRowId(spec, r.u32("row"));
        const requiredClock = r.u32("required clock");
        if (requiredClock > MAX_CLOCK)
          throw new WireError("field", `required clock ${requiredClock} above ${MAX_CLOCK}`);
        messages.push({ type: "read", client, table: spec.id, row, requiredClock, subscribe: flags === 1 });
      }
      return { kind: "read", shard, messages, sentNs, bytes };
    }
    case FrameType.row: {
      const shard = checkShard(r.u32("shard"), schema);
      const count = r.u32("row count");
      if (r.u32("reserved") !== 0) throw new WireError("field", "row frame: reserved word must be 0");
      // Each row takes at least 24 bytes, so a lying count fails here instead of looping for long.
      if (count === 0 || count * (ROW_FIELDS_BYTES + ROW_ENTRY_BYTES) > r.remaining()) {
        throw new WireError("length", `row frame claims ${count} rows and ${r.remaining()} bytes follow`);
      }
      const messages: RowMessage[] = [];
      for (let i = 0; i < count; i++) {
        const clock = r.u32("clock");
        const version = r.u32("version");
        if (clock > MAX_CLOCK) throw new WireError("field", `row clock ${clock} above ${MAX_CLOCK}`);
        if (version > MAX_CLOCK) throw new WireError("field", `row version ${version} above ${MAX_CLOCK}`);
        const flags = r.u8("flags");
        if (flags > 1) throw new WireError("field", `row flags ${flags}: only bit 0 (pushed) is defined`);
        if (r.u8("reserved") !== 0 || r.u16("reserved") !== 0)
          throw new WireError("field", "row: reserved bytes must be 0");
        // A row becomes the client's cached copy, so only long rows are views (see ROW_ALIAS_MIN_VALUES), or
        // any row when the frame has a buffer of its own.
        const { table, row, values } = readEntry(r, schema, exclusive ? 0 : ROW_ALIAS_MIN_VALUES);
        messages.push({ type: "row", shard, table, row, clock, version, values, pushed: flags === 1 });
      }
      r.end("row");
      return { kind: "row", shard, messages, sentNs, bytes };
    }
    default:
      throw new WireError("type", `unknown frame type ${type}`);
  }
}

/** Checks a frame header (at least HEADER_BYTES long) and returns its type and payload size. */
export function checkHeader(
  buf: Buffer,
  maxFrameBytes: number,
): { type: number; payloadBytes: number; sentNs: number } {
  const magic = buf.readUInt32LE(0);
  if (magic !== MAGIC) {
    throw new WireError(
      "magic",
      `bad magic 0x${magic.toString(16).padStart(8, "0")}: the peer does not speak the ssptable protocol`,
    );
  }
  const version = buf.readUInt8(4);
  const type = buf.readUInt8(5);
  // Error frames are readable at any version, so a refusal always reaches the peer it refuses.
  if (version !== PROTOCOL_VERSION && type !== FrameType.error) {
    throw new WireError(
      "version",
      `protocol version ${version}, this build speaks version ${PROTOCOL_VERSION}: run the same ssptable release everywhere`,
    );
  }
  if (!KNOWN_TYPES.has(type)) throw new WireError("type", `unknown frame type ${type}`);
  const flags = buf.readUInt16LE(6);
  if (flags !== 0) throw new WireError("field", `frame flags 0x${flags.toString(16)}: none are defined`);
  const payloadBytes = buf.readUInt32LE(8);
  if (HEADER_BYTES + payloadBytes > maxFrameBytes) {
    throw new WireError(
      "oversized",
      `frame of ${HEADER_BYTES + payloadBytes} bytes exceeds the cap of ${maxFrameBytes} bytes (raise --max-frame-bytes on every process if rows really are this big)`,
    );
  }
  const sentNs = buf.readDoubleLE(12);
  if (!Number.isFinite(sentNs)) throw new WireError("field", `send time ${sentNs} is not a finite number`);
  return { type, payloadBytes, sentNs };
}

function parseJsonObject(bytes: Buffer, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch (e) {
    throw new WireError("json", `${what} is not UTF-8 JSON (${(e as Error).message})`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new WireError("json", `${what} must hold a JSON object`);
  }
  return value as Record<string, unknown>;
}

function parseControl(bytes: Buffer): ControlBody {
  const body = parseJsonObject(bytes, "control frame");
  if (typeof body.t !== "string") throw new WireError("json", 'control frame needs a string field "t"');
  return body as ControlBody;
}

function checkShard(shard: number, schema: WireSchema): number {
  if (shard >= schema.numShards)
    throw new WireError("field", `shard ${shard} outside [0, ${schema.numShards})`);
  return shard;
}

function checkClient(client: number, schema: WireSchema): number {
  if (client >= schema.numClients)
    throw new WireError("field", `client ${client} outside [0, ${schema.numClients})`);
  return client;
}

function checkTable(id: number, schema: WireSchema): TableSpec {
  const spec = schema.tables.get(id);
  if (spec === undefined) {
    const known = [...schema.tables.keys()].join(", ") || "none";
    throw new WireError("table", `unknown table ${id} (this job's tables: ${known})`);
  }
  return spec;
}

function checkRowId(spec: TableSpec, row: number): number {
  if (spec.rows !== undefined && row >= spec.rows) {
    throw new WireError("field", `row ${row} outside table ${spec.name}'s ${spec.rows} rows`);
  }
  return row;
}

function readEntry(
  r: Reader,
  schema: WireSchema,
  aliasMinValues: number,
): { table: number; row: number; values: RowValues } {
  const spec = checkTable(r.u16("table"), schema);
  const sparse = r.u8("row kind");
  if (sparse > 1) throw new WireError("field", `row kind ${sparse}: 0 is dense, 1 is sparse`);
  const valueType = VALUE_TYPES[r.u8("value type")];
  const row = checkRowId(spec, r.u32("row"));
  const count = r.u32("value count");
  const where = `table ${spec.name}, row ${row}`;
  if ((sparse === 1) !== (spec.rowKind === "sparse")) {
    throw new WireError(
      "field",
      `${where}: ${sparse === 1 ? "sparse" : "dense"} row for a ${spec.rowKind} table`,
    );
  }
  if (valueType !== spec.valueType) {
    throw new WireError(
      "field",
      `${where}: values are ${valueType ?? "of an unknown type"}, the table holds ${spec.valueType}`,
    );
  }
  if (sparse === 0 && count !== spec.width) {
    throw new WireError("field", `${where}: ${count} values for a row of width ${spec.width}`);
  }
  if (sparse === 1 && count > spec.width) {
    throw new WireError("field", `${where}: ${count} sparse entries for a row of width ${spec.width}`);
  }
  if (sparse === 0) {
    const values = r.dense(valueType, count, aliasMinValues);
    checkFinite(values, where);
    return { table: spec.id, row, values };
  }
  const out = new SparseValues(valueType);
  const cols = r.dense("int32", count, aliasMinValues);
  const vals = r.dense(valueType, count, aliasMinValues);
  checkFinite(vals, where);
  let previous = -1;
  for (let i = 0; i < count; i++) {
    const col = cols[i] >>> 0;
    if (col <= previous || col >= spec.width) {
      throw new WireError(
        "field",
        `${where}: sparse column ${col} out of order or outside [0, ${spec.width})`,
      );
    }
    // Zeros are never stored in sparse rows; a delta or row holding one was not made by this codec.
    if (vals[i] === 0) throw new WireError("field", `${where}: sparse entry for column ${col} is zero`);
    out.entries.set(col, vals[i]);
    previous = col;
  }
  return { table: spec.id, row, values: out };
}

function checkFinite(values: DenseValues, where: string): void {
  if (values instanceof Int32Array) return;
  if (values.length >= SIMD_MIN_VALUES && simdAllFinite(values)) return;
  // x·0 is 0 for finite x and NaN for ±∞ and NaN: one multiply-add per value, no branch in the loop. Four
  // sums, so the adds do not wait on each other (a quarter faster on long rows).
  const n = values.length;
  let p0 = 0;
  let p1 = 0;
  let p2 = 0;
  let p3 = 0;
  let i = 0;
  for (; i + 3 < n; i += 4) {
    p0 += values[i] * 0;
    p1 += values[i + 1] * 0;
    p2 += values[i + 2] * 0;
    p3 += values[i + 3] * 0;
  }
  for (; i < n; i++) p0 += values[i] * 0;
  if (p0 + p1 + p2 + p3 === 0) return;
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) {
      throw new WireError("field", `${where}: value ${values[i]} at column ${i} is not finite`);
    }
  }
}

/**
 * Row frames at least this long are viewed in place when aligned, instead of copied: a view pins the chunk
 * it lies in for as long as the client caches the row, which is fine only when the row is most of it.
 */
const ROW_ALIAS_MIN_VALUES = 4096;

/** Bounds-checked little-endian reads over one frame. */
class Reader {
  constructor(
    private readonly buf: Buffer,
    private off: number,
  ) {}

  remaining(): number {
    return this.buf.length - this.off;
  }

  private need(n: number, what: string): void {
    if (this.off + n > this.buf.length) throw new WireError("length", `frame ends inside ${what}`);
  }

  u8(what: string): number {
    this.need(1, what);
    return this.buf.readUInt8(this.off++);
  }

  u16(what: string): number {
    this.need(2, what);
    const v = this.buf.readUInt16LE(this.off);
    this.off += 2;
    return v;
  }

  u32(what: string): number {
    this.need(4, what);
    const v = this.buf.readUInt32LE(this.off);
    this.off += 4;
    return v;
  }

  /** `count` raw values as a typed array: a view into the frame when aligned and long enough, else a copy. */
  dense(valueType: ValueType, count: number, aliasMinValues: number): DenseValues {
    const size = valueBytes(valueType);
    const n = count * size;
    this.need(n, `${count} ${valueType} values`);
    const at = this.buf.byteOffset + this.off;
    if (count >= aliasMinValues && at % size === 0) {
      this.off += n;
      // The frame's bytes belong to this decoder alone and are never read again, so the view may own them.
      if (valueType === "float64") return new Float64Array(this.buf.buffer, at, count);
      if (valueType === "float32") return new Float32Array(this.buf.buffer, at, count);
      return new Int32Array(this.buf.buffer, at, count);
    }
    const out =
      valueType === "float64"
        ? new Float64Array(count)
        : valueType === "float32"
          ? new Float32Array(count)
          : new Int32Array(count);
    new Uint8Array(out.buffer).set(this.buf.subarray(this.off, this.off + n));
    this.off += n;
    return out;
  }

  end(what: string): void {
    if (this.off !== this.buf.length) {
      throw new WireError("length", `${this.buf.length - this.off} stray bytes after the ${what} payload`);
    }
  }
}
