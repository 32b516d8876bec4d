// `ssp launch`: runs a whole job on this machine. The coordinator runs in this process; servers and worker
// processes are children running the same ssp binary, given their role, the coordinator's address and a
// fresh job token in the environment. Child output is prefixed with its role; Ctrl-C is forwarded; the first
// child to fail stops the job and its error is the launch's error.

import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { Coordinator, type JobResult } from "./coordinator.ts";
import type { JobConfig } from "./job.ts";
import { formatAddress } from "./net.ts";
import { STOP_SIGNALS, type StopSignal, signalExitCode } from "./signals.ts";
import { generateToken } from "./token.ts";
import { mergeTraces } from "./trace-merge.ts";

export interface LaunchOptions {
  job: JobConfig;
  /** The ssp binary children run (dist/ssp.js). */
  bin: string;
  /** Interface the coordinator and servers bind. */
  host: string;
  bootstrapTimeoutMs: number;
  /** Where to write the merged trace, or null. */
  tracePath: string | null;
  /** Child output and progress, one line at a time (stderr). */
  log: (line: string) => void;
  /** Roles not to start, for tests of bootstrap diagnostics: e.g. { server: [1] }. */
  skip?: { server?: number[]; worker?: number[] };
  /**
   * Hosts to place roles on, round-robin (servers, then worker processes), as ps-lite's tracker does.
   * "localhost" and "127.0.0.1" run here; any other host runs over ssh in BatchMode, in this directory.
   */
  hosts?: string[];
  /** The ssh program (a test can put a stand-in here). */
  sshCommand?: string;
  /** The address other hosts dial to reach the coordinator, when it differs from `host`. */
  advertise?: string;
}

const LOCAL_HOSTS = new Set(["localhost", "127.0.0.1", "local"]);

/** Quotes a word for a POSIX shell. */
function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, "'\\''")}'`;
}

/** Reads a hosts file: one host (or user@host) per line, # comments. */
export function readHostsFile(text: string, path: string): string[] {
  const hosts = text
    .split("\n")
    .map((l) => l.replace(/#.*/, "").trim())
    .filter((l) => l !== "");
  if (hosts.length === 0) throw new Error(`hosts file ${path} lists no hosts`);
  for (const h of hosts) {
    if (!/^([\w.-]+@)?[\w.-]+$/.test(h))
      throw new Error(`hosts file ${path}: "${h}" is not a host name or user@host`);
  }
  return hosts;
}

interface Child {
  role: string;
  process: ChildProcess;
  lastLines: string[];
  exited: Promise<number>;
}

/**
 * Hands a remote role its token on stdin. An ssh that fails at once (the host refuses) may close its stdin
 * before reading; that EPIPE is not the story and must not crash the launcher: ssh's exit code and
 * message are, and the child's exit handler reports them.
 */
export function sendSecret(child: ChildProcess, secret: string): void {
  child.stdin!.on("error", () => {});
  child.stdin!.end(`${secret}\n`);
}

/**
 * Every role's Node starts with this. Roles move rows through ArrayBuffers (a worker's cached rows, one per
 * reply), and V8 counts their bytes against the old generation's limit: with the default initial limit, a
 * worker pulling 256 KB rows ran a full mark-compact every ~24 MB received, a sixth of its time. With 128 MB
 * it ran none, and pulling 64 K-float rows went from ~1,040 to ~1,280 MB/s (1 M-float rows: ~1,060 to
 * ~1,350). A role started by hand runs itself again with it (cli/heap-flags.ts).
 */
export const ROLE_HEAP_FLAG = "--initial-old-space-size=128";

/** SSP_PROFILE_DIR=DIR: local roles write V8 CPU profiles there (node refuses --cpu-prof in NODE_OPTIONS). */
function profileFlags(): string[] {
  const dir = process.env.SSP_PROFILE_DIR;
  return dir === undefined || dir === "" ? [] : ["--cpu-prof", `--cpu-prof-dir=${dir}`];
}

export class LaunchInterrupted extends Error {
  override name = "LaunchInterrupted";
  readonly exitCode: number;
  constructor(readonly signal: StopSignal) {
    super(
      `interrupted (${signal === "SIGINT" ? "Ctrl-C" : signal}): passed it on to every role, which stopped`,
    );
    this.exitCode = signalExitCode(signal);
  }
}

export async function launch(options: LaunchOptions): Promise<JobResult> {
  const { job } = options;
  const token = generateToken();
  const traceDir = options.tracePath === null ? null : mkdtempSync(join(tmpdir(), "ssp-trace-"));
  const coordinator = await Coordinator.start({
    job,
    token,
    listen: { host: options.host, port: 0 },
    bootstrapTimeoutMs: options.bootstrapTimeoutMs,
    traceDir,
    log: options.log,
  });
  const children: Child[] = [];
  let stopping = false;
  const coordAddress = formatAddress({
    host: options.advertise ?? coordinator.address.host,
    port: coordinator.address.port,
  });
  const roleEnv = (role: "server" | "worker", rank: number, host: string): Record<string, string> => ({
    SSP_ROLE: role,
    SSP_RANK: String(rank),
    SSP_COORD: coordAddress,
    SSP_NUM_SERVERS: String(job.servers),
    SSP_NUM_WORKERS: String(job.workers),
    SSP_HOST: host,
  });
  const hosts = options.hosts ?? ["localhost"];
  const start = (role: "server" | "worker", rank: number, slot: number): void => {
    const target = hosts[slot % hosts.length];
    const hostName = target.replace(/^.*@/, "");
    const local = LOCAL_HOSTS.has(hostName);
    const label = `${role === "server" ? `server ${rank}` : `worker ${rank}`}${local ? "" : `@${hostName}`}`;
    const env = roleEnv(role, rank, local ? options.host : hostName);
    // Remote roles get the token on stdin, never on a command line where other users' ps could see it.
    const remote = [
      `cd ${shellQuote(process.cwd())}`,
      "IFS= read -r SSP_TOKEN",
      "export SSP_TOKEN",
      `exec env ${Object.entries(env)
        .map(([k, v]) => `${k}=${shellQuote(v)}`)
        .join(" ")} node ${ROLE_HEAP_FLAG} ${shellQuote(options.bin)} ${role}`,
    ].join(" && ");
    const child = local
      ? spawn(process.execPath, [...profileFlags(), ROLE_HEAP_FLAG, options.bin, role], {
          env: { ...process.env, ...env, SSP_TOKEN: token },
          stdio: ["ignore", "pipe", "pipe"],
        })
      : spawn(options.sshCommand ?? "ssh", ["-o", "BatchMode=yes", target, remote], {
          stdio: ["pipe", "pipe", "pipe"],
        });
    if (!local) sendSecret(child, token);
    const lastLines: string[] = [];
    for (const s of [child.stdout!, child.stderr!]) {
      createInterface({ input: s }).on("line", (line) => {
        options.log(`[${label}] ${line}`);
        lastLines.push(line);
        if (lastLines.length > 5) lastLines.shift();
      });
    }
    const exited = new Promise<number>((resolve) => {
      child.once("exit", (code, signal) => {
        const status = code ?? (signal === null ? 1 : 128);
        if (status !== 0 && !stopping) {
          const why = lastLines.filter((l) => l.trim() !== "").pop() ?? "(no output)";
          coordinator.abort(new Error(`${label} exited with ${signal ?? `code ${code}`}: ${why}`));
        }
        resolve(status);
      });
      child.once("error", (e) => {
        coordinator.abort(new Error(`cannot start ${label} (${options.bin}): ${e.message}`));
        resolve(127);
      });
    });
    children.push({ role: label, process: child, lastLines, exited });
  };
  // Ctrl-C, and the SIGTERM a job scheduler or `kill` sends: each is passed on, so no role outlives launch.
  // A second signal means the roles did not stop in time for someone: they are killed.
  let interrupted = false;
  const onInterrupt = (signal: StopSignal): void => {
    stopping = true;
    for (const c of children) c.process.kill(interrupted ? "SIGKILL" : signal);
    if (!interrupted) coordinator.abort(new LaunchInterrupted(signal));
    interrupted = true;
  };
  for (const signal of STOP_SIGNALS) process.on(signal, onInterrupt);
  try {
    for (let s = 0; s < job.servers; s++) if (!options.skip?.server?.includes(s)) start("server", s, s);
    for (let w = 0; w < job.workerProcesses; w++) {
      if (!options.skip?.worker?.includes(w)) start("worker", w, job.servers + w);
    }
    let result: JobResult;
    try {
      result = await coordinator.run();
    } catch (e) {
      stopping = true;
      await stopAll(children, "SIGTERM");
      throw e;
    }
    const late = await waitAll(children, 10_000);
    if (late.length > 0) {
      stopping = true;
      await stopAll(children, "SIGKILL");
      throw new Error(`${late.join(", ")} did not exit within 10 s of shutdown`);
    }
    const failed = [];
    for (const c of children) if ((await c.exited) !== 0) failed.push(c);
    if (failed.length > 0) {
      throw new Error(
        `${failed[0].role} exited with an error after the job: ${failed[0].lastLines.join(" | ")}`,
      );
    }
    if (options.tracePath !== null) mergeTraces(result.traceFiles, options.tracePath);
    return result;
  } finally {
    for (const signal of STOP_SIGNALS) process.off(signal, onInterrupt);
    if (traceDir !== null && process.env.SSP_KEEP_TRACE_PARTS === undefined)
      rmSync(traceDir, { recursive: true, force: true });
  }
}

/** Waits up to `ms` for every child; returns the roles still running. */
async function waitAll(children: Child[], ms: number): Promise<string[]> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  await Promise.race([Promise.all(children.map((c) => c.exited)), timeout]);
  clearTimeout(timer);
  return children
    .filter((c) => c.process.exitCode === null && c.process.signalCode === null)
    .map((c) => c.role);
}

async function stopAll(children: Child[], signal: NodeJS.Signals): Promise<void> {
  for (const c of children) if (c.process.exitCode === null) c.process.kill(signal);
  const late = await waitAll(children, 5_000);
  if (late.length > 0) for (const c of children) if (c.process.exitCode === null) c.process.kill("SIGKILL");
}
