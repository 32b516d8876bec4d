// `ssp bench sim --quick` as CI can afford it: the figures the issue asks for, from one run, with the
// synthetic job on partition threads and on one queue giving the same simulation.

import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";

function benchSim(partitions: number) {
  const r = spawnSync(
    process.execPath,
    ["dist/ssp.js", "bench", "sim", "--quick", "--json", "--partitions", String(partitions)],
    { encoding: "utf8" },
  );
  if (r.status !== 0) throw new Error(`ssp bench sim failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

describe("ssp bench sim --quick", () => {
  it("reports the engine against a bare heap, and the job's time, memory and threads", () => {
    const two = benchSim(2);
    expect(two.hold.engineOverBareHeap).toBeGreaterThan(0);
    const job = two.syntheticJob;
    expect(job.partitions).toBe(2);
    expect(job.wallSeconds).toBeGreaterThan(0);
    expect(job.peakRssBytes).toBeGreaterThan(0);
    expect(job.threads).toHaveLength(2);
    for (const t of job.threads) {
      expect(t.windows).toBeGreaterThan(100);
      for (const field of ["postSeconds", "waitSeconds", "decodeSeconds"]) {
        expect(t[field]).toBeGreaterThanOrEqual(0);
      }
    }
    const one = benchSim(1).syntheticJob;
    expect(one.threads).toBeNull();
    for (const field of ["simEvents", "simTimeNs", "messages"]) expect(job[field]).toBe(one[field]);
  });

  it("refuses a partition count that is not a positive integer", () => {
    const r = spawnSync(process.execPath, ["dist/ssp.js", "bench", "sim", "--partitions", "0"], {
      encoding: "utf8",
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--partitions/);
  });
});
