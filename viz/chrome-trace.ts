// Converts an ssptable trace into the Chrome trace-event format (the JSON object form), which Perfetto
// (ui.perfetto.dev) and chrome://tracing open. Mapping: each machine (runtime: process) is a process and
// each worker a thread in it, with its spans as complete ("X") events and its clock ticks and reads as
// instant events; each server shard is a process with its clock as a counter; messages are async events
// from send to receive; the job's min clock and objective are counters on a "job" process.
// Spec: https://docs.google.com/document/d/1CvAClvFfyA5R-PhYUmn5OOQtYMH4h6I0nSsKchNAySU

import type { Trace, TraceRecord } from "../core/trace-format.ts";

export interface ChromeEvent {
  name: string;
  ph: string;
  pid: number;
  tid?: number;
  ts?: number;
  dur?: number;
  cat?: string;
  s?: string;
  id?: number;
  args?: Record<string, unknown>;
}

export interface ChromeTrace {
  traceEvents: ChromeEvent[];
  displayTimeUnit: "ms" | "ns";
  otherData: Record<string, unknown>;
}

/** Trace times are integer ns; the format wants µs (fractions allowed). */
const us = (ns: number) => ns / 1000;

export function toChromeTrace(trace: Trace): ChromeTrace {
  const h = trace.header;
  const processNoun = h.host === "sim" ? "machine" : "process";
  const machinePid = (m: number) => 1 + m;
  const shardPid = (s: number) => 1 + h.machines + s;
  const jobPid = 1 + h.machines + h.servers;
  const events: ChromeEvent[] = [];
  const meta = (name: string, pid: number, args: Record<string, unknown>, tid?: number) =>
    events.push(tid === undefined ? { name, ph: "M", pid, args } : { name, ph: "M", pid, tid, args });
  for (let m = 0; m < h.machines; m++) {
    meta("process_name", machinePid(m), { name: `${processNoun} ${m}` });
    meta("process_sort_index", machinePid(m), { sort_index: machinePid(m) });
  }
  for (let w = 0; w < h.workers; w++) {
    const pid = machinePid(h.workerMachine[w]);
    meta("thread_name", pid, { name: `worker ${w}` }, w);
    meta("thread_sort_index", pid, { sort_index: w }, w);
  }
  for (let s = 0; s < h.servers; s++) {
    meta("process_name", shardPid(s), { name: `server shard ${s}` });
    meta("process_sort_index", shardPid(s), { sort_index: shardPid(s) });
  }
  meta("process_name", jobPid, { name: `job: ${h.app}, ${h.consistency} s=${h.staleness ?? "∞"}` });
  meta("process_sort_index", jobPid, { sort_index: 0 });
  const endpointPid = (name: string): number => {
    const match = /^([cs])(\d+)$/.exec(name);
    if (match === null) return jobPid;
    return match[1] === "c" ? machinePid(Number(match[2])) : shardPid(Number(match[2]));
  };
  const clocks = new Int32Array(h.workers);
  const atClock = new Map<number, number>([[0, h.workers]]);
  let minClock = 0;
  let messageId = 0;
  const ordered = trace.records.filter((r) => r.k === "clock").sort((a, b) => timeOf(a) - timeOf(b));
  for (const r of ordered) {
    if (r.k !== "clock" || r.w < 0 || r.w >= h.workers) continue;
    const from = clocks[r.w];
    if (r.clock <= from) continue;
    clocks[r.w] = r.clock;
    atClock.set(from, (atClock.get(from) ?? 0) - 1);
    atClock.set(r.clock, (atClock.get(r.clock) ?? 0) + 1);
    const before = minClock;
    while ((atClock.get(minClock) ?? 0) === 0 && minClock < r.clock) minClock++;
    if (minClock !== before) {
      events.push({
        name: "server clock (min)",
        ph: "C",
        pid: jobPid,
        ts: us(r.t),
        args: { clock: minClock },
      });
    }
  }
  for (const r of trace.records) {
    switch (r.k) {
      case "span": {
        const args: Record<string, unknown> = { clock: r.clock };
        if (r.table !== undefined) args.table = r.table;
        if (r.row !== undefined) args.row = r.row;
        events.push({
          name: r.kind,
          cat: "span",
          ph: "X",
          pid: machinePid(h.workerMachine[r.w]),
          tid: r.w,
          ts: us(r.t0),
          dur: us(r.t1 - r.t0),
          args,
        });
        break;
      }
      case "clock":
        events.push({
          name: `clock ${r.clock}`,
          cat: "clock",
          ph: "i",
          s: "t",
          pid: machinePid(h.workerMachine[r.w]),
          tid: r.w,
          ts: us(r.t),
        });
        break;
      case "read":
        events.push({
          name: "read",
          cat: "read",
          ph: "i",
          s: "t",
          pid: machinePid(h.workerMachine[r.w]),
          tid: r.w,
          ts: us(r.t),
          args: {
            table: r.table,
            row: r.row,
            staleness: r.staleness,
            rowClock: r.rowClock,
            source: r.source,
          },
        });
        break;
      case "sclock":
        events.push({
          name: "shard clock",
          ph: "C",
          pid: shardPid(r.s),
          ts: us(r.t),
          args: { clock: r.clock },
        });
        break;
      case "msg": {
        const id = messageId++;
        const pid = endpointPid(r.from);
        const args = { from: r.from, to: r.to, bytes: r.bytes };
        events.push({
          name: `${r.kind} → ${r.to}`,
          cat: "msg",
          ph: "b",
          id,
          pid,
          tid: 0,
          ts: us(r.sent),
          args,
        });
        events.push({ name: `${r.kind} → ${r.to}`, cat: "msg", ph: "e", id, pid, tid: 0, ts: us(r.recv) });
        break;
      }
      case "obj":
        if (typeof r.value === "number" && Number.isFinite(r.value)) {
          events.push({
            name: h.objectiveName ?? "objective",
            ph: "C",
            pid: jobPid,
            ts: us(r.t),
            args: { value: r.value },
          });
        }
        break;
    }
  }
  return {
    traceEvents: events,
    displayTimeUnit: "ms",
    otherData: {
      format: "ssptable-trace → chrome trace events",
      app: h.app,
      host: h.host,
      workers: h.workers,
      machines: h.machines,
      servers: h.servers,
      consistency: h.consistency,
      staleness: h.staleness,
      seed: h.seed,
      clocks: h.clocks,
    },
  };
}

function timeOf(r: TraceRecord): number {
  return "t" in r ? r.t : 0;
}
