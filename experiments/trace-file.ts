// Writes trace records to a JSON-lines file in large synchronous chunks (the simulator's sink is synchronous).

import { closeSync, openSync, writeSync } from "node:fs";
import type { TraceRecord } from "../core/trace-format.ts";

const CHUNK_CHARS = 1 << 20;

export class TraceFileWriter {
  private readonly fd: number;
  private pending: string[] = [];
  private pendingChars = 0;

  constructor(readonly path: string) {
    try {
      this.fd = openSync(path, "w");
    } catch (e) {
      throw new Error(`cannot write trace file ${path}: ${(e as Error).message}`);
    }
  }

  readonly write = (record: TraceRecord): void => {
    const line = JSON.stringify(record);
    this.pending.push(line);
    this.pendingChars += line.length + 1;
    if (this.pendingChars >= CHUNK_CHARS) this.flush();
  };

  private flush(): void {
    if (this.pending.length === 0) return;
    writeSync(this.fd, `${this.pending.join("\n")}\n`);
    this.pending = [];
    this.pendingChars = 0;
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}
