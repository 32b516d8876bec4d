import { describe, expect, it } from "vitest";
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
});
