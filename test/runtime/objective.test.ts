// Objective samples on the runtime: servers snapshot their shards at the sampled clocks, the coordinator
// evaluates the objective on the union, as the simulator does (--objective-every K). Real processes on
// loopback; the coordinator's assembly is also tested on its own.

import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseTrace, type TraceObjective, type TraceRecord } from "../../core/trace-format.ts";
import { DEFAULT_MAX_FRAME_BYTES } from "../../runtime/codec.ts";
import { createApp, type JobConfig, jobTables } from "../../runtime/job.ts";
import { jobSampler } from "../../runtime/objective-samples.ts";
import { runOnRuntime } from "../../runtime/run-job.ts";
import { buildCli } from "./support/build-cli.ts";
import { type Run, runCli } from "./support/run-cli.ts";

let bin = "";
const scratch = mkdtempSync(join(tmpdir(), "ssp-objective-test-"));

beforeAll(async () => {
  bin = await buildCli("objective-test");
});

afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
  rmSync(bin, { force: true });
});

function ssp(args: string[]): Promise<Run> {
  return runCli(bin, args, 30_000);
}

const CLOCKS = 12;
const MF = ["launch", "--app", "mf", "--servers", "2", "--workers", "4", "--workers-per-process", "2"];
const SSP2 = ["--consistency", "ssp", "--staleness", "2", "--clocks", String(CLOCKS), "--seed", "1"];

function objectives(records: readonly TraceRecord[]): TraceObjective[] {
  return records.filter((r): r is TraceObjective => r.k === "obj");
}

describe("ssp launch: objective samples on the runtime", () => {
  it("MF, 2 servers × 4 workers: one sample per clock, times increase, the loss falls, the last is the final objective; ssp check passes", async () => {
    const trace = join(scratch, "mf.jsonl");
    const run = await ssp([...MF, ...SSP2, "--trace", trace, "--json"]);
    expect(run.code, run.stderr).toBe(0);
    const summary = JSON.parse(run.stdout);
    const samples = objectives(parseTrace(readFileSync(trace, "utf8")).records);
    expect(samples.map((s) => s.clock)).toEqual(Array.from({ length: CLOCKS + 1 }, (_, c) => c));
    for (let i = 1; i < samples.length; i++) expect(samples[i].t).toBeGreaterThan(samples[i - 1].t);
    expect(samples[0].t).toBe(0);
    // Held-out error comes along, as in the simulator's samples.
    for (const s of samples) expect(Object.keys(s.metrics ?? {})).toContain("heldOutRmse");
    expect(samples.at(-1)!.value).toBeLessThan(samples[0].value);
    // The clock-C sample comes from the shards' snapshots, the summary from the final dump: the same model.
    expect(samples.at(-1)!.value).toBe(summary.objective);
    const check = await ssp(["check", trace]);
    expect(check.code, check.stderr).toBe(0);
    expect(check.stdout).toMatch(/^passed/);
  });

  it("--objective-every 3 samples clocks 0, 3, 6 and the last, without a trace too; 0 gives only the final objective", async () => {
    // A smaller model and run than above: this is about which clocks are sampled.
    const final = join(scratch, "final.jsonl");
    const [a, b] = await Promise.all([
      // In this process (the job result carries the curve), with no trace: servers still report clocks.
      runOnRuntime({
        app: "mf",
        appOptions: { users: "60", items: "60" },
        workers: 4,
        machines: 2,
        servers: 2,
        consistency: "ssp",
        staleness: 2,
        clocks: 7,
        seed: 1,
        objectiveEvery: 3,
        bin,
      }),
      ssp([
        ...MF,
        ..."--opt users=60 --opt items=60 --clocks 7 --objective-every 0 --json --trace".split(" "),
        final,
      ]),
    ]);
    expect(a.objectives.map((s) => s.clock)).toEqual([0, 3, 6, 7]);
    expect(a.objectives.at(-1)!.value).toBe(a.summary.objective);
    expect(b.code, b.stderr).toBe(0);
    const only = objectives(parseTrace(readFileSync(final, "utf8")).records);
    expect(only).toHaveLength(1);
    expect(only[0].clock).toBe(7);
    expect(only[0].value).toBe(JSON.parse(b.stdout).objective);
  });

  it("samples backing up pause the workers until the coordinator reads them; the job still completes", async () => {
    // A one-byte backlog limit: every sample pauses every worker connection of its server.
    const run = await runCli(bin, [...MF, ...SSP2, "--json"], 30_000, { SSP_SAMPLE_BACKLOG_BYTES: "1" });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/\[server 0\] objective samples are backing up \(over 1 bytes queued/);
    expect(JSON.parse(run.stdout).clocks).toBe(CLOCKS);
    const bad = await runCli(bin, [...MF, "--clocks", "2"], 30_000, { SSP_SAMPLE_BACKLOG_BYTES: "lots" });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(
      /SSP_SAMPLE_BACKLOG_BYTES must be a positive whole number of bytes, got "lots"/,
    );
  });

  it("a bad --objective-every is a usage error naming the flag", async () => {
    for (const bad of ["-1", "1.5", "often"]) {
      const run = await ssp([...MF, `--objective-every=${bad}`]);
      expect(run.code, bad).toBe(2);
      expect(run.stderr).toMatch(/--objective-every takes an integer ≥ 0/);
    }
  });
});

describe("ObjectiveSampler (the coordinator's assembly)", () => {
  const job: JobConfig = {
    app: "mf",
    appOptions: { users: "8", items: "8" },
    workers: 2,
    workerProcesses: 1,
    servers: 2,
    shardsPerServer: 1,
    consistency: "ssp",
    staleness: 1,
    clocks: 4,
    seed: 1,
    maxFrameBytes: DEFAULT_MAX_FRAME_BYTES,
    stragglers: "none",
    checkMode: false,
    objectiveEvery: 3,
  };
  const app = createApp(job);
  const sampler = () => jobSampler(app, jobTables(app, job), job);

  it("evaluates a clock once every shard sent it, at the last shard's time, and names what is missing", () => {
    const s = sampler();
    s.start();
    expect(s.samples.map((x) => x.clock)).toEqual([0]);
    expect(s.missing()).toEqual([3, 4]);
    s.add(1, 3, 500, []);
    expect(s.samples).toHaveLength(1);
    s.add(0, 3, 200, []);
    expect(s.samples.map((x) => [x.clock, x.t])).toEqual([
      [0, 0],
      [3, 500],
    ]);
    // An empty model is the initial one: the same objective as clock 0.
    expect(s.samples[1].value).toBe(s.samples[0].value);
    expect(s.missing()).toEqual([4]);
  });

  it("keeps clock 0 first though the coordinator evaluates it after the job started", () => {
    const s = sampler();
    s.add(0, 3, 7, []);
    s.add(1, 3, 9, []);
    s.start();
    expect(s.samples.map((x) => [x.clock, x.t])).toEqual([
      [0, 0],
      [3, 9],
    ]);
  });

  it("refuses clocks the job does not sample and a shard's second sample", () => {
    const s = sampler();
    expect(() => s.add(0, 2, 1, [])).toThrow(/not a sampled clock/);
    expect(() => s.add(0, 0, 1, [])).toThrow(/not a sampled clock/);
    s.add(0, 4, 1, []);
    expect(() => s.add(0, 4, 2, [])).toThrow(/second sample of shard 0 at clock 4/);
    s.add(1, 4, 3, []);
    expect(() => s.add(1, 4, 4, [])).toThrow(/second sample of shard 1 at clock 4/);
  });

  it("evaluates on the union of the shards' rows", () => {
    const tables = jobTables(app, job);
    const s = sampler();
    const width = tables[0].width;
    const zero = { table: tables[0].id, row: 0, values: new Float64Array(width) };
    s.add(0, 3, 1, [zero]);
    s.add(1, 3, 1, []);
    const withZeroRow = s.samples[0].value;
    const t = sampler();
    t.add(0, 3, 1, []);
    t.add(1, 3, 1, []);
    // A user's factors set to zero change the loss: the row from shard 0 was used.
    expect(withZeroRow).not.toBe(t.samples[0].value);
  });
});
