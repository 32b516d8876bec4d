import { describe, expect, it } from "vitest";
import { createMf, mfSettings } from "../../apps/mf.ts";
import { runBsp } from "./bsp-host.ts";
import { SETTINGS, simulateApp } from "./sim-run.ts";

describe("mf", () => {
  it("one worker reaches held-out RMSE within 10% of the noise floor on planted data", async () => {
    const settings = mfSettings({ step: "0.1" }, 3);
    const app = createMf(settings, 1, 3);
    const run = await runBsp(app, 1, 200, 3);
    const rmse = app.heldOutRmse(run.model);
    const floor = settings.ratings.noiseFloor!;
    console.log(
      `mf 1 worker: held-out RMSE ${rmse.toFixed(4)} (floor ${floor}, ratio ${(rmse / floor).toFixed(3)})`,
    );
    expect(run.objectives.at(-1)!).toBeLessThan(run.objectives[0]);
    expect(rmse).toBeLessThan(1.1 * floor);
  });

  const small = { users: "100", items: "100", step: "0.1" };
  it.each(SETTINGS.slice(0, 2))(
    "8 simulated workers, $label: training loss falls and held-out RMSE nears the floor",
    async (setting) => {
      const settings = mfSettings(small, 3);
      const run = await simulateApp(
        createMf(settings, 8, 3),
        setting,
        100,
        3,
        (app, m) => app.heldOutRmse(m),
        50,
      );
      const floor = settings.ratings.noiseFloor!;
      const rmse = run.last;
      console.log(
        `mf ${setting.label}: loss ${run.objectives.map((o) => o.value.toFixed(4)).join(" → ")}, held-out RMSE ${rmse.toFixed(4)} (${(rmse / floor).toFixed(3)}× floor), staleness p99 ${run.summary.stalenessP99}`,
      );
      expect(run.summary.objective).toBeLessThan(0.15 * run.objectives[0].value);
      expect(rmse).toBeLessThan(1.2 * floor);
    },
  );

  // Async at this scale: a clock is ~10 µs of simulated compute against ~ms of communication, so reads run
  // ~50 clocks stale (p50) and step 0.1 diverges (loss 1.24 → 2.5 by clock 100). A smaller step makes
  // steady but slow progress; that is what is asserted.
  it("8 simulated workers, s=inf: with a small step the loss falls steadily", async () => {
    const settings = mfSettings({ ...small, step: "0.02" }, 3);
    const run = await simulateApp(
      createMf(settings, 8, 3),
      SETTINGS[2],
      100,
      3,
      (app, m) => app.heldOutRmse(m),
      25,
    );
    const values = run.objectives.map((o) => o.value);
    console.log(
      `mf s=inf (step 0.02): loss ${values.map((v) => v.toFixed(4)).join(" → ")}, held-out RMSE ${run.last.toFixed(4)}, staleness p50 ${run.summary.stalenessP50} p99 ${run.summary.stalenessP99}`,
    );
    for (let i = 1; i < values.length; i++) expect(values[i]).toBeLessThan(values[i - 1]);
    expect(values.at(-1)!).toBeLessThan(0.95 * values[0]);
  });

  it("starts from small hash-seeded factors that do not depend on the order rows are created", () => {
    const [users] = createMf(mfSettings(small, 3), 8, 3).tables();
    const a = new Float64Array(5);
    const b = new Float64Array(5);
    users.initRow!(17, a);
    users.initRow!(3, new Float64Array(5));
    users.initRow!(17, b);
    expect([...a]).toEqual([...b]);
    expect(Math.max(...a.map(Math.abs))).toBeLessThanOrEqual(0.1);
    expect(new Set(a).size).toBe(5);
  });
});
