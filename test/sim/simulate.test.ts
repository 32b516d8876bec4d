import { describe, expect, it } from "vitest";
import type { AppInstance, WorkerApi } from "../../apps/api.ts";
import { synthetic } from "../../apps/synthetic.ts";
import { simulate } from "../../sim/simulate.ts";

describe("simulate", () => {
  it("runs a synthetic job to the end and is deterministic", async () => {
    const run = () =>
      simulate({
        app: synthetic.create({ rows: "50" }, { workers: 8, seed: 1 }),
        workers: 8,
        machines: 4,
        servers: 2,
        consistency: "ssp",
        staleness: 2,
        clocks: 10,
        seed: 1,
        objectiveEvery: 0,
      });
    const a = await run();
    const b = await run();
    expect(a.summary.simTimeNs).toBeGreaterThan(0);
    expect(a.summary.traceSha256).toBe(b.summary.traceSha256);
    expect(a.summary.reads).toBe(8 * 10 * 4);
  });

  it("names a worker that failed, and an app that returned early, while the other workers wait", async () => {
    const base = synthetic.create({ rows: "50" }, { workers: 8, seed: 1 });
    const withRun = (run: (api: WorkerApi, clocks: number) => Promise<void>): AppInstance =>
      Object.assign(Object.create(Object.getPrototypeOf(base)), base, { run });
    const run = (app: AppInstance) =>
      simulate({
        app,
        workers: 8,
        machines: 4,
        servers: 2,
        consistency: "ssp",
        staleness: 1,
        clocks: 6,
        seed: 1,
        objectiveEvery: 0,
      });
    const failing = withRun(async (api, clocks) => {
      for (let c = 0; c < clocks; c++) {
        await api.read(0, c % 50);
        await api.compute(1000);
        if (api.rank === 5 && c === 3) throw new Error("bad gradient");
        await api.clock();
      }
    });
    await expect(run(failing)).rejects.toThrow(/worker 5 failed at simulated time \d+ ns: bad gradient/);
    const early = withRun(async (api, clocks) => {
      for (let c = 0; c < (api.rank === 2 ? 2 : clocks); c++) {
        await api.compute(1000);
        await api.clock();
      }
    });
    await expect(run(early)).rejects.toThrow(/worker 2 failed .*returned after 2 clocks, not 6/);
  });
});
