// Collects trace records: forwards them to an optional sink (the --trace file) and folds every record into
// a SHA-256 digest. The digest reads numbers as float64 bytes and strings as UTF-16 code units, so it is
// cheap enough to compute on every run, written to disk or not: the same seed gives the same traceSha256.

import { createHash, type Hash } from "node:crypto";
import type { TraceRecord } from "../core/trace-format.ts";

const BUFFER_VALUES = 8192;

export class TraceRecorder {
  private readonly hash: Hash = createHash("sha256");
  private readonly buffer = new Float64Array(BUFFER_VALUES);
  private filled = 0;
  records = 0;

  constructor(private readonly sink?: (record: TraceRecord) => void) {}

  record(record: TraceRecord): void {
    this.records++;
    this.foldRecord(record);
    this.sink?.(record);
  }

  /** The frequent kinds are folded field by field; the rest generically. Each kind starts with its own code. */
  private foldRecord(r: TraceRecord): void {
    switch (r.k) {
      case "span":
        this.push(-11e300);
        this.push(r.w);
        this.push(r.kind === "compute" ? 0 : r.kind === "wait" ? 1 : 2);
        this.push(r.t0);
        this.push(r.t1);
        this.push(r.clock);
        this.push(r.table ?? -1);
        this.push(r.row ?? -1);
        return;
      case "msg":
        this.push(-12e300);
        this.fold(r.from);
        this.fold(r.to);
        this.push(r.sent);
        this.push(r.recv);
        this.push(r.bytes);
        this.fold(r.kind);
        return;
      case "read":
        this.push(-13e300);
        this.push(r.w);
        this.push(r.t);
        this.push(r.clock);
        this.push(r.table);
        this.push(r.row);
        this.push(r.rowClock);
        this.push(r.staleness);
        this.push(r.source === "cache" ? 0 : 1);
        this.fold(r.values);
        return;
      case "clock":
        this.push(-14e300);
        this.push(r.w);
        this.push(r.clock);
        this.push(r.t);
        return;
      case "sclock":
        this.push(-15e300);
        this.push(r.s);
        this.push(r.clock);
        this.push(r.t);
        return;
      default:
        this.fold(r);
    }
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
