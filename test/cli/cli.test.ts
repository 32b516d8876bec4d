// The `ssp` command as users meet it: help, errors and exit codes, and the shape of `ssp sim --json`.

import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";

function ssp(...args: string[]) {
  const r = spawnSync(process.execPath, ["dist/ssp.js", ...args], { encoding: "utf8" });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe("ssp command line", () => {
  it("lists its commands", () => {
    const r = ssp("--help");
    expect(r.code).toBe(0);
    for (const name of [
      "sim",
      "sweep",
      "check",
      "viz",
      "trace",
      "launch",
      "server",
      "worker",
      "bench",
      "data",
    ]) {
      expect(r.out).toMatch(new RegExp(`^  ${name} `, "m"));
    }
  });

  it("refuses an unknown command or flag with exit code 2 and a hint", () => {
    const a = ssp("simulate");
    expect(a.code).toBe(2);
    expect(a.err).toMatch(/unknown command 'simulate'/);
    const b = ssp("sim", "--wokers", "3");
    expect(b.code).toBe(2);
    expect(b.err).toMatch(/unknown flag '--wokers'.*ssp sim --help/);
    const c = ssp("sim", "--workers", "three");
    expect(c.code).toBe(2);
    expect(c.err).toMatch(/--workers takes an integer/);
  });

  it("names bad configurations: profile, straggler spec, app option, consistency", () => {
    expect(ssp("sim", "--profile", "fast").err).toMatch(
      /unknown hardware profile "fast"; presets: paper-2013/,
    );
    expect(ssp("sim", "--profile", "nope.json").err).toMatch(/cannot read profile file nope\.json/);
    expect(ssp("sim", "--stragglers", "slow:speed=2").err).toMatch(/no parameter "speed"/);
    expect(ssp("sim", "--app", "mf", "--rank", "x").err).toMatch(/--rank/);
    expect(ssp("sim", "--app", "mf", "--topics", "4").err).toMatch(/--topics is not an option of app mf/);
    expect(ssp("sim", "--consistency", "bulk").code).toBe(2);
  });

  it("prints one JSON object with the documented fields", () => {
    const r = ssp(
      "sim",
      "--app",
      "synthetic",
      "--workers",
      "6",
      "--machines",
      "3",
      "--clocks",
      "5",
      "--json",
    );
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.out);
    for (const field of [
      "app",
      "workers",
      "consistency",
      "staleness",
      "seed",
      "clocks",
      "simTimeNs",
      "computeFraction",
      "waitFraction",
      "commFraction",
      "stalenessP50",
      "stalenessP99",
      "objective",
      "traceSha256",
    ]) {
      expect(summary).toHaveProperty(field);
    }
    expect(summary.computeFraction + summary.waitFraction + summary.commFraction).toBeCloseTo(1, 9);
  });

  it("check mode runs the SSP checker and reports it", () => {
    const r = ssp("sim", "--check", "--workers", "6", "--machines", "3", "--clocks", "6", "--staleness", "1");
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/SSP checker: passed/);
  });
});
