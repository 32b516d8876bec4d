import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Consistency } from "../../core/tables.ts";
import { parseTrace } from "../../core/trace-format.ts";
import { runtimeApps } from "../../runtime/apps.ts";
import { DEFAULT_MAX_FRAME_BYTES } from "../../runtime/codec.ts";
import { Coordinator, type JobResult } from "../../runtime/coordinator.ts";
import { readRoleEnv } from "../../runtime/env.ts";
import type { JobConfig } from "../../runtime/job.ts";
import { LaunchInterrupted, launch, readHostsFile } from "../../runtime/launcher.ts";
import { formatAddress, parseAddress } from "../../runtime/net.ts";
import { resolveToken } from "../../runtime/token.ts";
import { checkTrace } from "../../sim/checker.ts";
import { makeStragglers } from "../../sim/stragglers.ts";
import type { Command } from "../command.ts";
import { choiceFlag, intFlag, parseFlags, stalenessValue, stringFlag, UsageError } from "../usage.ts";

const CONSISTENCIES: readonly Consistency[] = ["bsp", "ssp", "async", "essp"];

function appOptions(values: string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of values ?? []) {
    const eq = item.indexOf("=");
    if (eq <= 0) throw new UsageError(`ssp launch: --opt takes key=value, got ${JSON.stringify(item)}`);
    out[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return out;
}

function printSummary(result: JobResult, json: boolean): void {
  const s = result.summary;
  if (json) {
    process.stdout.write(`${JSON.stringify(s)}\n`);
    return;
  }
  const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;
  process.stdout.write(
    [
      `${s.app} on the runtime: ${s.workers} workers in ${s.workerProcesses} processes, ${s.servers} servers (${s.shards} shards), ${s.consistency} s=${s.staleness ?? "∞"}, ${s.clocks} clocks`,
      `wall time ${(s.wallTimeNs / 1e9).toFixed(3)} s; compute ${pct(s.computeFraction)}, wait ${pct(s.waitFraction)}, comm ${pct(s.commFraction)}`,
      `observed staleness p50 ${s.stalenessP50}, p99 ${s.stalenessP99} over ${s.reads} reads`,
      `${s.objectiveName}: ${s.objective}`,
      "",
    ].join("\n"),
  );
}

export const launchCommand: Command = {
  name: "launch",
  summary: "run a job on the TCP runtime: coordinator, servers and worker processes on this machine",
  get help() {
    return `Usage: ssp launch --app NAME [--servers K] [--workers N] [--workers-per-process W] [flags]

Starts the coordinator here and K server processes and ceil(N/W) worker processes as children (each running
this ssp binary), runs the app, and prints a summary. Child output is prefixed with its role. Ctrl-C,
SIGTERM and SIGHUP are passed on to every role, and launch exits 128 + the signal's number (130 for Ctrl-C,
143 for SIGTERM); a second signal kills the roles. If a child fails, launch stops the job and exits non-zero
with that child's error.

Flags:
  --app NAME               the app (${runtimeApps()
    .map((a) => a.name)
    .join(", ")}), default indicator
  --opt KEY=VALUE          an app option (repeatable)
  --servers K              server processes, default 1 [SSP_NUM_SERVERS]
  --shards-per-server S    shards each server hosts, default 1
  --workers N              logical workers, default 2 [SSP_NUM_WORKERS]
  --workers-per-process W  logical workers sharing one process cache, default 1
  --consistency C          bsp, ssp, async or essp, default ssp
  --staleness S            staleness bound for ssp/essp (integer or inf), default 2
  --clocks C               clocks each worker runs, default 10
  --seed N                 run seed, default 1
  --stragglers SPEC        the simulator's straggler models (e.g. slow:workers=1,factor=4 or pause:rate=1,ms=50);
                           the runtime sleeps for the extra time, default none
  --objective-every K      evaluate the objective on the consistent model every K clocks (and at clock 0 and
                           the last), as ssp sim does: each server sends a copy of its shards' rows at those
                           clocks; default 1 (0 for --app synthetic); 0 = only on the final model
  --trace FILE             write the merged trace (JSON lines) to FILE
  --check                  check mode (--app synthetic): indicator increments, every read's values traced,
                           then the simulator's SSP checker runs on the merged trace (exit 1 if it fails)
  --json                   print one summary object on stdout
  --host H                 interface the coordinator and servers bind, default 127.0.0.1
  --bootstrap-timeout-ms T fail if not every role has registered after T ms, default 30000
  --max-frame-bytes B      largest frame any process accepts, default ${DEFAULT_MAX_FRAME_BYTES}
  --hosts FILE             place servers, then worker processes, round-robin on these hosts (one per line);
                           localhost / 127.0.0.1 run here, others over ssh -o BatchMode=yes in this directory
                           (same path to ssp there), binding and advertising their host name
  --advertise H            the address other hosts dial for the coordinator (with --hosts and --host 0.0.0.0)
  --ssh-command CMD        the ssh program, default ssh
  --skip-server K          do not start server K (to see the bootstrap diagnostic), repeatable
  --coordinator-only       run only the coordinator at --coord HOST:PORT (for servers and workers started
                           elsewhere with SSP_COORD and SSP_TOKEN / --token-file)
  --coord HOST:PORT        the coordinator's address with --coordinator-only [SSP_COORD]
  --token-file F           the job token with --coordinator-only [SSP_TOKEN]`;
  },
  async run(argv) {
    const parsed = parseFlags("launch", argv, {
      app: { type: "string" },
      opt: { type: "string", multiple: true },
      servers: { type: "string" },
      "shards-per-server": { type: "string" },
      workers: { type: "string" },
      "workers-per-process": { type: "string" },
      consistency: { type: "string" },
      staleness: { type: "string" },
      clocks: { type: "string" },
      seed: { type: "string" },
      trace: { type: "string" },
      "objective-every": { type: "string" },
      json: { type: "boolean" },
      host: { type: "string" },
      "bootstrap-timeout-ms": { type: "string" },
      "max-frame-bytes": { type: "string" },
      "skip-server": { type: "string", multiple: true },
      stragglers: { type: "string" },
      check: { type: "boolean" },
      hosts: { type: "string" },
      advertise: { type: "string" },
      "ssh-command": { type: "string" },
      "coordinator-only": { type: "boolean" },
      coord: { type: "string" },
      "token-file": { type: "string" },
    });
    const env = readRoleEnv(process.env);
    const workers = intFlag("launch", parsed, "workers", env.numWorkers ?? 2, 1);
    const perProcess = intFlag("launch", parsed, "workers-per-process", 1, 1);
    const consistency = choiceFlag("launch", parsed, "consistency", CONSISTENCIES, "ssp");
    const staleness =
      consistency === "bsp"
        ? 0
        : consistency === "async"
          ? null
          : stalenessValue("launch", stringFlag(parsed, "staleness", "2"));
    const app = stringFlag(parsed, "app", "indicator");
    const job: JobConfig = {
      app,
      appOptions: appOptions(parsed.values.opt as string[] | undefined),
      workers,
      workerProcesses: Math.ceil(workers / perProcess),
      servers: intFlag("launch", parsed, "servers", env.numServers ?? 1, 1),
      shardsPerServer: intFlag("launch", parsed, "shards-per-server", 1, 1),
      consistency,
      staleness: staleness === Number.POSITIVE_INFINITY ? null : staleness,
      clocks: intFlag("launch", parsed, "clocks", 10, 1),
      seed: intFlag("launch", parsed, "seed", 1, 0),
      maxFrameBytes: intFlag("launch", parsed, "max-frame-bytes", DEFAULT_MAX_FRAME_BYTES, 1024),
      stragglers: stringFlag(parsed, "stragglers", "none"),
      checkMode: parsed.values.check === true,
      objectiveEvery: intFlag("launch", parsed, "objective-every", app === "synthetic" ? 0 : 1, 0),
    };
    if (job.checkMode) {
      if (job.app !== "synthetic") throw new UsageError("ssp launch: --check works with --app synthetic");
      job.appOptions.check = "1";
    }
    try {
      makeStragglers(job.stragglers, job.workers, job.seed);
    } catch (e) {
      throw new UsageError(`ssp launch: --stragglers: ${(e as Error).message}`);
    }
    if (!runtimeApps().some((a) => a.name === job.app)) {
      throw new UsageError(
        `ssp launch: unknown app '${job.app}'; apps: ${runtimeApps()
          .map((a) => a.name)
          .join(", ")}`,
      );
    }
    const bootstrapTimeoutMs = intFlag("launch", parsed, "bootstrap-timeout-ms", 30_000, 1);
    const log = (line: string): void => {
      process.stderr.write(`${line}\n`);
    };
    if (parsed.values["coordinator-only"] === true) {
      const where = parsed.values.coord as string | undefined;
      const address = where !== undefined ? parseAddress(where, "--coord") : env.coordinator;
      if (address === undefined)
        throw new UsageError("ssp launch --coordinator-only: pass --coord HOST:PORT or set SSP_COORD");
      const coordinator = await Coordinator.start({
        job,
        token: resolveToken(parsed.values["token-file"] as string | undefined, process.env),
        listen: address,
        bootstrapTimeoutMs,
        traceDir: null,
        log,
      });
      log(`coordinator listening at ${formatAddress(coordinator.address)}`);
      printSummary(await coordinator.run(), parsed.values.json === true);
      return 0;
    }
    const hostsFile = parsed.values.hosts as string | undefined;
    let hosts: string[] | undefined;
    if (hostsFile !== undefined) {
      let text: string;
      try {
        text = readFileSync(hostsFile, "utf8");
      } catch (e) {
        throw new UsageError(`ssp launch: cannot read --hosts ${hostsFile}: ${(e as Error).message}`);
      }
      hosts = readHostsFile(text, hostsFile);
    }
    const skip = ((parsed.values["skip-server"] as string[] | undefined) ?? []).map(Number);
    const scratch =
      job.checkMode && parsed.values.trace === undefined ? mkdtempSync(join(tmpdir(), "ssp-check-")) : null;
    const tracePath =
      (parsed.values.trace as string | undefined) ?? (scratch === null ? null : join(scratch, "trace.jsonl"));
    try {
      const result = await launch({
        job,
        bin: process.argv[1] ?? fileURLToPath(import.meta.url),
        host: stringFlag(parsed, "host", "127.0.0.1"),
        bootstrapTimeoutMs,
        tracePath,
        log,
        skip: { server: skip },
        hosts,
        advertise: parsed.values.advertise as string | undefined,
        sshCommand: parsed.values["ssh-command"] as string | undefined,
      });
      printSummary(result, parsed.values.json === true);
      if (job.checkMode && tracePath !== null) {
        // Processes' clocks agree on one machine; allow a little skew for traces merged from several.
        const report = checkTrace(parseTrace(readFileSync(tracePath, "utf8")), { skewNs: 1_000_000 });
        log(
          `SSP checker: ${report.ok ? "passed" : "FAILED"} (${report.reads} reads, ${report.contentChecks} decoded, ${report.finalRows} final rows)`,
        );
        for (const v of report.violations) log(`  ${v}`);
        return report.ok ? 0 : 1;
      }
      return 0;
    } catch (e) {
      if (e instanceof LaunchInterrupted) {
        log(`ssp launch: ${e.message}`);
        return e.exitCode;
      }
      throw e;
    } finally {
      if (scratch !== null) rmSync(scratch, { recursive: true, force: true });
    }
  },
};
