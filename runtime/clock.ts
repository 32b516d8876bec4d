// Wall time for the runtime's traces: integer ns since the job start the coordinator announced. All
// processes of a job on one machine share the clock; across machines this is as good as their NTP.

export function epochMs(): number {
  return performance.timeOrigin + performance.now();
}

/** A function giving ns since `startEpochMs` (0 before the job starts). */
export function jobClock(startEpochMs: number): () => number {
  return () => Math.max(0, Math.round((epochMs() - startEpochMs) * 1e6));
}
