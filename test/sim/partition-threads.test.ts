// Partitions on threads of their own (partition-threads.ts), through the built CLI: the threads rebuild the
// app, swap messages through the transfer codec, and still give one partition's results, trace hash included.

import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { runPartitionThreads } from "../../sim/partition-threads.ts";

function sim(args: string[]) {
  return spawnSync(process.execPath, ["dist/ssp.js", "sim", "--json", ...args], { encoding: "utf8" });
}

function summary(args: string[]): Record<string, unknown> {
  const r = sim(args);
  if (r.status !== 0) throw new Error(`ssp sim ${args.join(" ")} failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

describe("ssp sim --partitions", () => {
  const synthetic = [
    ...["--workers", "400", "--machines", "40", "--servers", "6", "--clocks", "6", "--seed", "3"],
    ...[
      "--consistency",
      "essp",
      "--staleness",
      "2",
      "--profile",
      "cloud-25g",
      "--stragglers",
      "jitter:mean=0.2",
    ],
    ...["--objective-every", "0", "--cache-rows", "50", "--rows", "300"],
  ];

  it("2 and 3 threads give one partition's results, trace hash included", () => {
    const one = summary([...synthetic, "--partitions", "1"]);
    const two = summary([...synthetic, "--partitions", "2"]);
    const three = summary([...synthetic, "--partitions", "3"]);
    expect(one.events as number).toBeGreaterThan(10_000);
    expect(two).toEqual(one);
    expect(three).toEqual(one);
  });

  it("on LDA's int32 rows, which each thread loads itself, with the objective sampled every clock", () => {
    const lda = [
      ...["--app", "lda", "--topics", "5", "--years", "2000-2004", "--max-docs", "80", "--max-vocab", "300"],
      ...["--workers", "8", "--machines", "4", "--servers", "2", "--clocks", "3"],
    ];
    const one = summary(lda);
    expect(one.objective).toEqual(expect.any(Number));
    expect(summary([...lda, "--partitions", "2"])).toEqual(one);
  });

  it("refuses what partitions cannot do, naming the flag", () => {
    const refused = (extra: string[], message: RegExp) => {
      const r = sim([...synthetic, ...extra]);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(message);
    };
    refused(["--partitions", "2", "--trace", "/tmp/never-written.jsonl"], /--trace/);
    refused(["--partitions", "0"], /--partitions/);
    refused(["--partitions", "41"], /40 machines/);
  });
});

describe("runPartitionThreads", () => {
  const settings = {
    workers: 4,
    machines: 2,
    servers: 1,
    consistency: "ssp" as const,
    staleness: 1,
    clocks: 1,
    seed: 1,
    partitions: 2,
    objectiveEvery: 0,
  };

  it("reports a thread that cannot start, and stops the others", async () => {
    const threads = { script: "/nonexistent/ssp.js", app: { name: "synthetic", options: {} } };
    await expect(runPartitionThreads(settings, threads)).rejects.toThrow(/partition \d of 2/);
  });

  it("reports what a thread failed on", async () => {
    const threads = { script: "dist/ssp.js", app: { name: "no-such-app", options: {} } };
    await expect(runPartitionThreads(settings, threads)).rejects.toThrow(
      /partition \d of 2: unknown app "no-such-app"/,
    );
  });

  it("runs the partitions of the built CLI and hands back their results", async () => {
    const threads = { script: "dist/ssp.js", app: { name: "synthetic", options: { rows: "50" } } };
    const outcomes = await runPartitionThreads(settings, threads);
    expect(outcomes).toHaveLength(2);
    const clocks = outcomes.map((o) => o.result.computeUnitsByWorker.filter((u) => u > 0).length);
    expect(clocks).toEqual([2, 2]);
    expect(outcomes.every((o) => o.streams.length > 0)).toBe(true);
  });
});
