import { describe, expect, it } from "vitest";
import { Network } from "../../sim/network.ts";
import { presets, resolveProfile, validateProfile } from "../../sim/profiles.ts";
import { makeStragglers, parseStragglerSpec } from "../../sim/stragglers.ts";

describe("hardware profiles", () => {
  it("has the presets the docs name, all valid", () => {
    for (const name of ["paper-2013", "datacenter-10g", "cloud-25g", "hetero", "wan"]) {
      expect(validateProfile(presets[name], name).name).toBe(name);
    }
  });

  it("rejects bad profiles with the field and the problem", () => {
    expect(() => validateProfile({ latencyNs: -1 }, "p.json")).toThrow(
      /p\.json: latencyNs must be a number ≥ 0/,
    );
    expect(() => validateProfile({ bandwidth: 1 }, "p.json")).toThrow(/unknown field "bandwidth"/);
    expect(() => validateProfile({ machineSpeeds: [] }, "p.json")).toThrow(/machineSpeeds/);
    expect(() => resolveProfile("nope")).toThrow(/unknown hardware profile "nope"; presets: paper-2013/);
    expect(() => resolveProfile("x.json", () => "{oops")).toThrow(/x\.json is not valid JSON/);
    expect(() =>
      resolveProfile("x.json", () => {
        throw new Error("ENOENT");
      }),
    ).toThrow(/cannot read profile file x\.json: ENOENT/);
  });

  it("reads a custom profile file, filling the rest from paper-2013", () => {
    const p = resolveProfile("my.json", () => JSON.stringify({ latencyNs: 7 }));
    expect(p.latencyNs).toBe(7);
    expect(p.nicBandwidthBytesPerSec).toBe(presets["paper-2013"].nicBandwidthBytesPerSec);
  });
});

describe("straggler specs", () => {
  it("parses composed specs with defaults, from flags or JSON", () => {
    expect(parseStragglerSpec("slow:workers=3,factor=4+pareto:alpha=1.5")).toEqual([
      { name: "slow", params: { workers: 3, factor: 4 } },
      { name: "pareto", params: { alpha: 1.5, max: 50 } },
    ]);
    expect(parseStragglerSpec('[{"model":"jitter","mean":0.2}]')).toEqual([
      { name: "jitter", params: { mean: 0.2 } },
    ]);
    expect(makeStragglers("pause", 4, 1).spec).toBe("pause:rate=1,ms=50");
  });

  it("names the problem in bad specs", () => {
    expect(() => parseStragglerSpec("slwo:workers=1")).toThrow(
      /unknown straggler model "slwo"; models: none, slow/,
    );
    expect(() => parseStragglerSpec("slow:speed=2")).toThrow(
      /no parameter "speed"; it takes workers, factor/,
    );
    expect(() => parseStragglerSpec("slow:workers")).toThrow(/expected key=value/);
    expect(() => parseStragglerSpec("jitter:mean=abc")).toThrow(/mean must be a number/);
  });

  it("slow: exactly `workers` workers are slowed by `factor`, chosen by the seed", () => {
    const m = makeStragglers("slow:workers=3,factor=4", 20, 5);
    const slow = Array.from({ length: 20 }, (_, w) => m.slowdown(w, 0)).filter((x) => x === 4);
    expect(slow).toHaveLength(3);
    const other = makeStragglers("slow:workers=3,factor=4", 20, 6);
    const pick = (mm: typeof m) => Array.from({ length: 20 }, (_, w) => mm.slowdown(w, 0));
    expect(pick(other)).not.toEqual(pick(m));
  });

  it("jitter has mean 1 + mean; pareto is ≥ 1 and capped; draws are per (worker, clock)", () => {
    const jitter = makeStragglers("jitter:mean=0.5", 1, 1);
    let sum = 0;
    for (let c = 0; c < 20000; c++) sum += jitter.slowdown(0, c);
    expect(sum / 20000).toBeCloseTo(1.5, 1);
    const pareto = makeStragglers("pareto:alpha=1.5,max=10", 1, 1);
    const xs = Array.from({ length: 5000 }, (_, c) => pareto.slowdown(0, c));
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(1);
    expect(Math.max(...xs)).toBe(10);
    expect(pareto.slowdown(0, 4999)).toBe(xs[4999]);
  });

  it("pause: about rate × compute-seconds pauses of ms each", () => {
    const m = makeStragglers("pause:rate=2,ms=10", 1, 3);
    let total = 0;
    for (let i = 0; i < 10_000; i++) total += m.pauseNs(0, 10_000_000); // 100 s of compute: ~200 pauses
    const pauses = total / 10e6;
    expect(pauses).toBeGreaterThan(150);
    expect(pauses).toBeLessThan(250);
  });
});

describe("network model", () => {
  const profile = {
    ...presets["paper-2013"],
    latencyNs: 1000,
    perMessageOverheadNs: 0,
    nicBandwidthBytesPerSec: 1e9,
  };

  it("charges latency plus bytes over bandwidth", () => {
    const net = new Network(profile, 2);
    expect(net.send(0, 1, 1000, 0)).toBe(2000);
  });

  it("serialises a burst through the sender's NIC", () => {
    const net = new Network(profile, 3);
    const a = net.send(0, 1, 10_000, 0);
    const b = net.send(0, 2, 10_000, 0);
    expect(a).toBe(11_000);
    expect(b).toBe(21_000);
  });

  it("serialises fan-in through the receiver's NIC", () => {
    const net = new Network(profile, 3);
    expect(net.send(0, 2, 10_000, 0)).toBe(11_000);
    expect(net.send(1, 2, 10_000, 0)).toBe(21_000);
  });

  it("keeps each connection FIFO with strictly increasing deliveries", () => {
    const net = new Network({ ...profile, latencyNs: 0 }, 2);
    const times = [net.send(0, 0, 10, 5), net.send(0, 0, 10, 5), net.send(0, 0, 10, 5)];
    expect(times[1]).toBeGreaterThan(times[0]);
    expect(times[2]).toBeGreaterThan(times[1]);
  });
});
