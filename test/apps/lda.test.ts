import { describe, expect, it } from "vitest";
import { REFERENCE_NS_PER_UNIT } from "../../apps/cost.ts";
import { createLda, ldaSettings } from "../../apps/lda/app.ts";
import { serialLda } from "../../apps/lda/serial.ts";
import { runBsp } from "./bsp-host.ts";
import { SETTINGS, simulateApp } from "./sim-run.ts";

// Four years of speeches, small enough for a few seconds of simulation.
const SMALL = { years: "2009-2012", "max-docs": "300", "max-vocab": "400", topics: "10" };
const SWEEPS = 20;
const SEED = 7;
const settings = ldaSettings(SMALL);
const serial = serialLda(settings.corpus, settings.priors, SWEEPS, SEED);
const serialFinal = serial.logLikelihoods.at(-1)!;

describe("lda", () => {
  it("the serial sampler's log-likelihood rises", () => {
    expect(settings.corpus.docs.length).toBe(300);
    expect(serialFinal).toBeGreaterThan(serial.logLikelihoods[0] + 0.1 * Math.abs(serial.logLikelihoods[0]));
  });

  // Clock 0 assigns topics; clocks 1..SWEEPS each resample every document once (minibatch 1).
  it.each(SETTINGS)("8 simulated workers, $label: the log-likelihood rises", async (setting) => {
    const run = await simulateApp(createLda(settings, 8), setting, SWEEPS + 1, SEED, () => 0, 1);
    const afterInit = run.objectives.find((o) => o.clock === 1)!.value;
    const final = run.summary.objective;
    const gap = (final - serialFinal) / Math.abs(serialFinal);
    console.log(
      `lda ${setting.label}: final ${final.toFixed(1)}, serial ${serialFinal.toFixed(1)}, gap ${gap.toExponential(2)}, staleness p99 ${run.summary.stalenessP99}`,
    );
    expect(final).toBeGreaterThan(afterInit + 0.05 * Math.abs(afterInit));
    if (setting.label === "s=0") expect(Math.abs(gap)).toBeLessThan(0.02);
    if (setting.label === "s=3") expect(Math.abs(gap)).toBeLessThan(0.08);
  });

  it("the simulator at s = 0 is exactly BSP: it matches a barrier-per-clock host", async () => {
    const sim = await simulateApp(createLda(settings, 8), SETTINGS[0], 6, SEED, () => 0, 6);
    const bsp = await runBsp(createLda(settings, 8), 8, 6, SEED);
    expect(Math.abs(sim.summary.objective - bsp.objectives.at(-1)!)).toBeLessThan(
      1e-9 * Math.abs(sim.summary.objective),
    );
  });

  it("declares tokens × topics of work per sampling clock, in reference ns", async () => {
    const run = await runBsp(createLda(settings, 2), 2, 2, SEED);
    const tokens = settings.corpus.docs.reduce((n, d) => n + d.length, 0);
    expect(run.computeUnits[0] + run.computeUnits[1]).toBe(
      (tokens + tokens * settings.priors.topics) * REFERENCE_NS_PER_UNIT.lda,
    );
  });
});
