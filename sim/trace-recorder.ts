// Collects trace records: forwards them to an optional sink (the --trace file) and folds every record into
// a SHA-256 digest. The digest reads numbers as float64 bytes and strings as UTF-16 code units, so it is
// cheap enough to compute on every run, written to disk or not: the same seed gives the same traceSha256.

import { createHash, type Hash } from "node:crypto";
import { readRecord, type TraceMessage, type TraceRecord, type TraceSpan } from "../core/trace-format.ts";

const BUFFER_VALUES = 8192;

/**
 * What a trace file gets: "full" is every record; "timeline" leaves out reads and messages (the bulk of a
 * long run) and keeps spans, clocks, shard clocks, objective samples and the summary: what sweeps keep for
 * the report's timelines, at a few hundred kB instead of tens of MB per run.
 */
export type TraceDetail = "full" | "timeline";

export class TraceRecorder {
  private readonly hash: Hash = createHash("sha256");
  private readonly buffer = new Float64Array(BUFFER_VALUES);
  private filled = 0;
  records = 0;

  /**
   * @param sink receives every record (the --trace file), except what `detail` leaves out of it. Everything
   *   is hashed either way, so traceSha256 does not depend on what was written.
   */
  constructor(
    private readonly sink?: (record: TraceRecord) => void,
    private readonly detail: TraceDetail = "full",
  ) {}

  /** Any record; the frequent kinds have faster methods below. */
  record(record: TraceRecord): void {
    this.records++;
    this.fold(record);
    this.sink?.(record);
  }

  // The frequent kinds have their own methods: they fold the numbers straight into the digest and build the
  // record object only when a sink wants it, which keeps large runs free of that garbage.

  span(
    w: number,
    kind: TraceSpan["kind"],
    t0: number,
    t1: number,
    clock: number,
    table = -1,
    row = -1,
  ): void {
    this.records++;
    this.push(-11e300);
    this.push(w);
    this.push(kind === "compute" ? 0 : kind === "wait" ? 1 : 2);
    this.push(t0);
    this.push(t1);
    this.push(clock);
    this.push(table);
    this.push(row);
    if (this.sink !== undefined) {
      this.sink(
        table < 0 ? { k: "span", w, kind, t0, t1, clock } : { k: "span", w, kind, t0, t1, clock, table, row },
      );
    }
  }

  /** A message between client `client` and shard `shard`; `toShard` gives the direction. */
  message(
    toShard: boolean,
    client: number,
    shard: number,
    sent: number,
    recv: number,
    bytes: number,
    kind: TraceMessage["kind"],
  ): void {
    this.records++;
    this.push(-12e300);
    this.push(toShard ? 1 : 0);
    this.push(client);
    this.push(shard);
    this.push(sent);
    this.push(recv);
    this.push(bytes);
    this.push(kind === "batch" ? 0 : kind === "read" ? 1 : kind === "row" ? 2 : 3);
    if (this.sink !== undefined && this.detail === "full") {
      const c = `c${client}`;
      const s = `s${shard}`;
      this.sink({ k: "msg", from: toShard ? c : s, to: toShard ? s : c, sent, recv, bytes, kind });
    }
  }

  clock(w: number, clock: number, t: number): void {
    this.records++;
    this.push(-14e300);
    this.push(w);
    this.push(clock);
    this.push(t);
    this.sink?.({ k: "clock", w, clock, t });
  }

  serverClock(s: number, clock: number, t: number): void {
    this.records++;
    this.push(-15e300);
    this.push(s);
    this.push(clock);
    this.push(t);
    this.sink?.({ k: "sclock", s, clock, t });
  }

  /** A completed read, as the core reported it, at time t; `values` in check mode. */
  read(
    e: {
      worker: number;
      clock: number;
      table: number;
      row: number;
      rowClock: number;
      staleness: number;
      source: "cache" | "server";
    },
    t: number,
    values?: Array<[number, number]>,
  ): void {
    this.records++;
    this.push(-13e300);
    this.push(e.worker);
    this.push(t);
    this.push(e.clock);
    this.push(e.table);
    this.push(e.row);
    this.push(e.rowClock);
    this.push(e.staleness);
    this.push(e.source === "cache" ? 0 : 1);
    if (values !== undefined) this.fold(values);
    if (this.sink !== undefined && this.detail === "full") this.sink(readRecord(e, t, values));
  }

  /** The digest of everything recorded; call once, at the end. */
  digest(): string {
    this.flush();
    return this.hash.digest("hex");
  }

  private push(x: number): void {
    if (this.filled === BUFFER_VALUES) this.flush();
    this.buffer[this.filled++] = x;
  }

  private flush(): void {
    if (this.filled === 0) return;
    this.hash.update(new Uint8Array(this.buffer.buffer, 0, this.filled * 8));
    this.filled = 0;
  }

  private fold(value: unknown): void {
    switch (typeof value) {
      case "number":
        this.push(value);
        return;
      case "string":
        this.push(-1e300);
        for (let i = 0; i < value.length; i++) this.push(value.charCodeAt(i));
        return;
      case "boolean":
        this.push(value ? -2e300 : -3e300);
        return;
      case "undefined":
        return;
      case "object":
        if (value === null) {
          this.push(-4e300);
        } else if (Array.isArray(value)) {
          this.push(-5e300);
          for (const v of value) this.fold(v);
        } else {
          this.push(-6e300);
          for (const [k, v] of Object.entries(value)) {
            this.fold(k);
            this.fold(v);
          }
        }
        return;
      default:
        throw new TypeError(
          `trace records hold numbers, strings, booleans, arrays and objects, not ${typeof value}`,
        );
    }
  }
}
