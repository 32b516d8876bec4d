// Joins the per-process traces of one runtime job into one trace: the coordinator's header first, every
// process's records in time order, then the final rows and the end record.

import { readFileSync, writeFileSync } from "node:fs";
import type { TraceRecord } from "../core/trace-format.ts";

function timeOf(r: TraceRecord): number {
  switch (r.k) {
    case "span":
      return r.t0;
    case "msg":
      return r.recv;
    case "header":
    case "final":
      return 0;
    default:
      return r.t;
  }
}

/** Merges the files (the coordinator's first) into `outPath`; returns the number of records written. */
export function mergeTraces(files: readonly string[], outPath: string): number {
  const header: TraceRecord[] = [];
  const timed: TraceRecord[] = [];
  const tail: TraceRecord[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (e) {
      throw new Error(`cannot read the trace part ${file}: ${(e as Error).message}`);
    }
    for (const line of text.split("\n")) {
      if (line === "") continue;
      const r = JSON.parse(line) as TraceRecord;
      if (r.k === "header") header.push(r);
      else if (r.k === "final" || r.k === "end") tail.push(r);
      else timed.push(r);
    }
  }
  if (header.length !== 1)
    throw new Error(`expected one trace header among ${files.length} parts, found ${header.length}`);
  // Stable sort: records of one process keep their order when times tie.
  timed.sort((a, b) => timeOf(a) - timeOf(b));
  tail.sort((a, b) => (a.k === b.k ? 0 : a.k === "final" ? -1 : 1));
  const all = [...header, ...timed, ...tail];
  writeFileSync(outPath, `${all.map((r) => JSON.stringify(r)).join("\n")}\n`);
  return all.length;
}
