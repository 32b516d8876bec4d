// End to end over real processes and real sockets: `ssp launch` with 2 servers × 4 workers (2 per process)
// doing indicator increments. Nothing may be lost, every read must sit in the SSP window (the app checks
// each one), and the simulator's SSP checker must accept the merged trace.

import { spawn } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseTrace } from "../../core/trace-format.ts";
import { expectedCells } from "../../runtime/indicator-app.ts";
import { sendSecret } from "../../runtime/launcher.ts";
import { checkTrace } from "../../sim/checker.ts";
import { buildCli } from "./support/build-cli.ts";
import { type Run, runCli } from "./support/run-cli.ts";

let bin = "";
const scratch = mkdtempSync(join(tmpdir(), "ssp-launch-test-"));

beforeAll(async () => {
  bin = await buildCli("launch-test");
});

afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
  rmSync(bin, { force: true });
});

function ssp(args: string[], limitMs = 60_000): Promise<Run> {
  return runCli(bin, args, limitMs);
}

const CLOCKS = 6;
/** The cluster of these tests: 2 servers × 4 workers, 2 per process, CLOCKS clocks. */
const CLUSTER = [
  "--servers",
  "2",
  "--workers",
  "4",
  "--workers-per-process",
  "2",
  "--clocks",
  String(CLOCKS),
];
const cases: Array<{ name: string; flags: string[]; check: string; width?: number }> = [
  { name: "SSP s=0", flags: ["--consistency", "ssp", "--staleness", "0"], check: "0" },
  { name: "SSP s=2", flags: ["--consistency", "ssp", "--staleness", "2"], check: "2" },
  { name: "async (s=∞)", flags: ["--consistency", "async"], check: "inf" },
  // 127.0.0.3 stands in for another host: the coordinator and the servers bind there.
  {
    name: "ESSP s=1",
    flags: ["--consistency", "essp", "--staleness", "1", "--host", "127.0.0.3"],
    check: "1",
  },
];

/**
 * Rows of 1,024 int32 (4 KB): sent from the core's own arrays, which the worker reuses once they have left,
 * unless (ESSP's subscriptions) it keeps them to patch replies. Rows of 20,000 (80 KB) arrive one to a
 * frame, read in place, and the frame is reused once the cache drops the row and every worker that read it
 * has clocked: the app checks each read again just before its clock.
 */
const longRows = [
  { name: "async, 4 KB rows", flags: ["--consistency", "async"], check: "inf", width: 1024 },
  {
    name: "SSP s=1, 80 KB rows",
    flags: ["--consistency", "ssp", "--staleness", "1"],
    check: "1",
    width: 20_000,
  },
  {
    name: "ESSP s=1, 4 KB rows",
    flags: ["--consistency", "essp", "--staleness", "1"],
    check: "1",
    width: 1024,
  },
];

describe("ssp launch: 2 servers × 4 workers (2 per process), indicator increments", () => {
  for (const c of [...cases, ...longRows]) {
    const width = c.width ?? 4;
    it(`${c.name}: nothing lost, every read in the window, the SSP checker accepts the merged trace`, async () => {
      const trace = join(scratch, `${c.name.replace(/\W+/g, "_")}.jsonl`);
      const run = await ssp([
        "launch",
        "--app",
        "indicator",
        ...CLUSTER,
        ...c.flags,
        "--opt",
        `check-staleness=${c.check}`,
        "--opt",
        `width=${width}`,
        "--trace",
        trace,
        "--json",
      ]);
      expect(run.code, run.stderr).toBe(0);
      const summary = JSON.parse(run.stdout);
      expect(summary.objective).toBe(2 * 4 * CLOCKS);
      expect(summary.workers).toBe(4);
      expect(summary.workerProcesses).toBe(2);
      expect(summary.reads).toBe(4 * CLOCKS * 3);
      const parsed = parseTrace(readFileSync(trace, "utf8"));
      expect(parsed.header.host).toBe("runtime");
      const report = checkTrace(parsed, { skewNs: 1_000_000 });
      expect(report.violations).toEqual([]);
      expect(report.reads).toBe(4 * CLOCKS * 3);
      // Every cell holds exactly the increments made to it.
      const got = new Map<string, number>();
      for (const r of parsed.records) {
        if (r.k === "final") for (const [col, v] of r.values) got.set(`${r.row},${col}`, v);
      }
      expect(Object.fromEntries(got)).toEqual(Object.fromEntries(expectedCells(4, CLOCKS, 16, width)));
      // Prefixed child output shows every role took part.
      for (const role of ["[server 0]", "[server 1]"]) expect(run.stderr).toContain(role);
    });
  }

  /** `ssp launch` of the synthetic app in check mode, 2 servers × 4 workers; the checker's counts. */
  async function checkedRun(flags: string[]): Promise<{ reads: number; decoded: number; finalRows: number }> {
    const run = await ssp(["launch", "--app", "synthetic", "--check", ...CLUSTER, ...flags, "--json"]);
    expect(run.code, run.stderr).toBe(0);
    const m = /SSP checker: passed \((\d+) reads, (\d+) decoded, (\d+) final rows\)/.exec(run.stderr);
    expect(m, run.stderr).not.toBeNull();
    return { reads: Number(m![1]), decoded: Number(m![2]), finalRows: Number(m![3]) };
  }

  for (const c of cases) {
    it(`${c.name}, check mode (synthetic app): the SSP checker decodes every read and passes`, async () => {
      const { reads, decoded, finalRows } = await checkedRun(c.flags);
      expect(decoded).toBe(reads);
      expect(decoded).toBeGreaterThan(0);
      expect(finalRows).toBeGreaterThan(0);
    });
  }

  it("long readMany (600 rows a clock): reads travel many to a frame, a shard answers them in slices; the SSP checker passes", async () => {
    // ~300 reads per shard per clock: more than a server answers before it writes (READS_PER_FLUSH).
    const { reads, decoded } = await checkedRun(
      "--opt rows=2000 --opt rows-per-clock=600 --consistency ssp --staleness 1".split(" "),
    );
    expect(decoded).toBe(reads);
    expect(reads).toBeGreaterThanOrEqual(4 * CLOCKS * 600);
  });

  it("--hosts places roles on other hosts over ssh (BatchMode, token on stdin), here 127.0.0.2 and 127.0.0.3", async () => {
    const log = join(scratch, "ssh.log");
    const shim = join(scratch, "fake-ssh");
    // A stand-in for ssh: insists on BatchMode, logs the host and command, runs the command here.
    writeFileSync(
      shim,
      [
        "#!/bin/sh",
        'if [ "$1" != "-o" ] || [ "$2" != "BatchMode=yes" ]; then echo "fake ssh: no BatchMode" >&2; exit 255; fi',
        `printf '%s\\t%s\\n' "$3" "$4" >> ${log}`,
        'exec sh -c "$4"',
        "",
      ].join("\n"),
    );
    chmodSync(shim, 0o755);
    const hostsFile = join(scratch, "hosts");
    writeFileSync(hostsFile, "# two stand-in hosts\n127.0.0.2\n127.0.0.3\n");
    const run = await ssp([
      "launch",
      "--hosts",
      hostsFile,
      "--ssh-command",
      shim,
      "--servers",
      "2",
      "--workers",
      "2",
      "--clocks",
      "4",
      "--opt",
      "check-staleness=2",
      "--json",
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout).objective).toBe(2 * 2 * 4);
    expect(run.stderr).toMatch(/\[server 0@127\.0\.0\.2\] listening at 127\.0\.0\.2:\d+/);
    expect(run.stderr).toMatch(/\[server 1@127\.0\.0\.3\] listening at 127\.0\.0\.3:\d+/);
    const calls = readFileSync(log, "utf8").trim().split("\n");
    expect(calls.map((l) => l.split("\t")[0]).sort()).toEqual([
      "127.0.0.2",
      "127.0.0.2",
      "127.0.0.3",
      "127.0.0.3",
    ]);
    for (const call of calls) {
      expect(call).toContain("read -r SSP_TOKEN");
      expect(call).not.toMatch(/SSP_TOKEN=/);
    }
  });

  it("handing the token to an ssh that already closed its stdin does not crash the launcher (EPIPE)", async () => {
    // What a refused host looks like from here: ssh closes stdin and is about to exit 255.
    const child = spawn("sh", ["-c", "exec 0<&-; sleep 0.3; exit 255"], {
      stdio: ["pipe", "ignore", "ignore"],
    });
    const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
    await new Promise((resolve) => setTimeout(resolve, 100));
    sendSecret(child, "token");
    expect(await exited).toBe(255);
    await new Promise((resolve) => setImmediate(resolve));
    // The write did fail; with no handler of sendSecret's own, that error would have been uncaught.
    expect((child.stdin!.errored as NodeJS.ErrnoException | null)?.code).toBe("EPIPE");
  });

  it("a missing server makes bootstrap time out, within the configured time, naming what is missing", async () => {
    const run = await ssp(
      ["launch", "--servers", "2", "--workers", "2", "--skip-server", "1", "--bootstrap-timeout-ms", "1500"],
      20_000,
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/bootstrap timed out after 1500 ms: missing 1 of 2 servers/);
    expect(run.stderr).toMatch(/Registered: server 0 at 127\.0\.0\.1:\d+/);
    expect(run.stderr).toMatch(/The coordinator listened at 127\.0\.0\.1:\d+/);
    // 1.5 s of waiting plus process start-up and teardown; far from a hang.
    expect(run.elapsedMs).toBeLessThan(10_000);
  });

  // Ctrl-C from a terminal, SIGTERM from a job scheduler or `kill`: either is passed on to every role.
  it.each([
    ["SIGINT", 130, "interrupted (Ctrl-C)"],
    ["SIGTERM", 143, "interrupted (SIGTERM)"],
  ] as const)(
    "%s stops every role: launch exits %i and no child outlives it",
    async (signal, exitCode, message) => {
      const child = spawn(
        process.execPath,
        [bin, "launch", "--servers", "2", "--workers", "2", "--clocks", "1000000"],
        {
          stdio: ["ignore", "pipe", "pipe"],
        },
      );
      let stderr = "";
      const pids = new Set<number>();
      const registered = new Promise<void>((resolve) => {
        child.stderr.on("data", (d) => {
          stderr += d;
          for (const m of stderr.matchAll(/registered from .*?\(pid (\d+)\)/g)) pids.add(Number(m[1]));
          if (pids.size === 4) resolve();
        });
      });
      const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
      const limit = setTimeout(() => child.kill("SIGKILL"), 30_000);
      await registered;
      child.kill(signal);
      const code = await exited;
      clearTimeout(limit);
      expect(code, stderr).toBe(exitCode);
      expect(stderr).toContain(message);
      for (const pid of pids) {
        // Signal 0 only asks whether the process exists.
        expect(() => process.kill(pid, 0), `pid ${pid} still runs`).toThrow();
      }
    },
  );

  it("a failing worker stops the job and launch exits non-zero with that role's error", async () => {
    const run = await ssp(["launch", "--servers", "1", "--workers", "2", "--opt", "fail-worker=1"], 20_000);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/ssp launch: worker (process )?1 .*fails on purpose/);
    expect(run.elapsedMs).toBeLessThan(15_000);
  });
});

describe("ssp launch: lent rows (WorkerApi.lendRow) over real sockets", () => {
  // netbench's push lends one row of ones every clock; 1.2 MB rows travel from the app's array and arrive in
  // kernel memory. Two workers per process: a worker's clock that does not send its lent row copies it.
  for (const flags of [
    ["--consistency", "async"],
    ["--consistency", "ssp", "--staleness", "1"],
  ]) {
    it(`${flags.join(" ")}: every lent row arrives once, whole`, async () => {
      const clocks = 25;
      const run = await ssp([
        "launch",
        "--app",
        "netbench",
        "--opt",
        "mode=push",
        "--opt",
        "width=300000",
        ...CLUSTER.slice(0, 6),
        "--clocks",
        String(clocks),
        ...flags,
        "--json",
      ]);
      expect(run.code, run.stderr).toBe(0);
      const summary = JSON.parse(run.stdout) as { objective: number };
      expect(summary.objective).toBe(4 * clocks);
    });
  }
});
