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
    this.fold(record);
    this.sink?.(record);
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
