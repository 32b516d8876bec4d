import { describe, expect, it } from "vitest";
import { createLogreg, logregSettings } from "../../apps/logreg.ts";
import { runBsp } from "./bsp-host.ts";
import { SETTINGS, simulateApp } from "./sim-run.ts";

describe("logreg", () => {
  it.each(SETTINGS)(
    "8 simulated workers, $label: loss falls, held-out accuracy above 90%",
    async (setting) => {
      const settings = logregSettings({}, 9);
      const run = await simulateApp(
        createLogreg(settings, 8, 9),
        setting,
        100,
        9,
        (app, m) => app.heldOutAccuracy(m),
        25,
      );
      const values = run.objectives.map((o) => o.value);
      console.log(
        `logreg ${setting.label}: loss ${values.map((v) => v.toFixed(4)).join(" → ")}, held-out accuracy ${run.last}`,
      );
      for (let i = 1; i < values.length; i++) expect(values[i]).toBeLessThan(values[i - 1]);
      expect(run.last).toBeGreaterThan(0.9);
    },
  );

  it("projects onto the ball of the given radius", async () => {
    const norm = async (radius: string) => {
      const run = await runBsp(
        createLogreg(logregSettings({ radius, examples: "400", sigma: "4" }, 9), 1, 9),
        1,
        20,
        9,
      );
      return Math.hypot(...run.model.row(0, 0).array());
    };
    expect(await norm("inf")).toBeGreaterThan(1);
    const projected = await norm("0.5");
    expect(projected).toBeLessThanOrEqual(0.5 + 1e-12);
    expect(projected).toBeGreaterThan(0.5 - 1e-9);
  });
});
