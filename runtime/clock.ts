// Time for the runtime's traces: integer ns since the job start the coordinator announced.
//
// Processes on the coordinator's machine count on its monotonic clock, which they all share: their records
// then order exactly as the events happened (a read never appears before the update it saw), whatever the
// wall clock does meanwhile (a VM's clock may be stepped or slewed between two processes' starts).
// Processes on other machines count on the wall clock, as good as their NTP; the checker's skew allowance
// covers that.

import { readFileSync } from "node:fs";

/** Where t = 0 of a job is, on each clock. */
export interface JobStart {
  /** Wall time, ms since the epoch. */
  epochMs: number;
  /** The coordinator's monotonic clock (process.hrtime), ns, in decimal: exact beyond 2^53. */
  monotonicNs: string;
  /** The coordinator machine's boot id: a process with the same one shares its monotonic clock. */
  bootId: string | null;
}

export function epochMs(): number {
  return performance.timeOrigin + performance.now();
}

let cachedBootId: string | null | undefined;

/** This machine's boot id (Linux), or null where there is none to read. */
export function bootId(): string | null {
  if (cachedBootId === undefined) {
    try {
      cachedBootId = readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim() || null;
    } catch {
      cachedBootId = null;
    }
  }
  return cachedBootId;
}

/** The job start, taken now. */
export function jobStartNow(): JobStart {
  return { epochMs: epochMs(), monotonicNs: process.hrtime.bigint().toString(), bootId: bootId() };
}

/** A function giving ns since the job start (0 before it). */
export function jobClock(start: JobStart): () => number {
  if (start.bootId !== null && start.bootId === bootId()) {
    const origin = BigInt(start.monotonicNs);
    return () => {
      const ns = process.hrtime.bigint() - origin;
      return ns > 0n ? Number(ns) : 0;
    };
  }
  return () => Math.max(0, Math.round((epochMs() - start.epochMs) * 1e6));
}

/** The job start a peer sent, checked; null if it is not one. */
export function parseJobStart(value: unknown): JobStart | null {
  if (typeof value !== "object" || value === null) return null;
  const v = value as Record<string, unknown>;
  const ok =
    typeof v.epochMs === "number" &&
    Number.isFinite(v.epochMs) &&
    typeof v.monotonicNs === "string" &&
    /^\d{1,30}$/.test(v.monotonicNs) &&
    (v.bootId === null || typeof v.bootId === "string");
  return ok
    ? {
        epochMs: v.epochMs as number,
        monotonicNs: v.monotonicNs as string,
        bootId: v.bootId as string | null,
      }
    : null;
}
