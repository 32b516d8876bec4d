// Appends trace records (core/trace-format.ts) as JSON lines to a file, buffered so tracing stays cheap.

import { createWriteStream, type WriteStream } from "node:fs";
import type { TraceRecord } from "../core/trace-format.ts";

export class TraceWriter {
  private readonly stream: WriteStream;
  private buffer: string[] = [];

  constructor(readonly path: string) {
    this.stream = createWriteStream(path);
  }

  write(record: TraceRecord): void {
    this.buffer.push(JSON.stringify(record));
    if (this.buffer.length >= 1024) this.flush();
  }

  private flush(): void {
    if (this.buffer.length === 0) return;
    this.stream.write(`${this.buffer.join("\n")}\n`);
    this.buffer = [];
  }

  close(): Promise<void> {
    this.flush();
    return new Promise((resolve, reject) => {
      this.stream.once("error", reject);
      this.stream.end(resolve);
    });
  }
}

/** A trace sink that drops everything, for processes run without --trace. */
export type TraceSink = ((record: TraceRecord) => void) | null;
