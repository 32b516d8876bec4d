// The control plane between the coordinator and the other processes (JSON frames; the data plane is binary).
//   server/worker → coordinator: register, then (workers) done or failed
//   coordinator → all: assign (rank, job, server addresses, job start), later dump (servers) and shutdown

import { type JobStart, parseJobStart } from "./clock.ts";
import { controlOnlySchema } from "./codec.ts";
import { Connection, DEFAULT_MAX_QUEUED_BYTES } from "./connection.ts";
import { joinPeer, type Role } from "./handshake.ts";
import { checkJob, type JobConfig } from "./job.ts";
import { type Address, connectWithRetry, formatAddress } from "./net.ts";

/** Control frames are small; this cap applies before a peer has proven it belongs to the job. */
export const CONTROL_MAX_FRAME_BYTES = 1024 * 1024;

export interface Assignment {
  rank: number;
  job: JobConfig;
  /** Listening address of each server process, by server rank. */
  servers: Address[];
  /** What counts as t = 0 in every process's trace (see clock.ts). */
  jobStart: JobStart;
  /** Where this process writes its trace, when tracing. */
  tracePath: string | null;
}

/** Per worker process: where its workers' time went and what staleness their reads saw. */
export interface WorkerStats {
  workers: number;
  computeNs: number;
  waitNs: number;
  commNs: number;
  /** From the start of the workers' runs to their end (sockets drained): the job without bootstrap. */
  runNs: number;
  /**
   * Job time at that end. The job's wall time is the latest of these, not when the coordinator read the
   * `done`: that may wait behind the objective samples it evaluates.
   */
  endNs: number;
  reads: number;
  /** Data frames this process sent and received (every data frame has a worker process at one end). */
  messages: number;
  bytes: number;
  /** Observed staleness (reader clock − row clock) → count. */
  staleness: Record<string, number>;
}

export interface JoinOptions {
  coordinator: Address;
  token: string;
  role: Exclude<Role, "coordinator">;
  /** Requested rank, or -1 to take the next free one. */
  rank: number;
  /** Servers: the address workers should connect to. */
  listenAddress?: Address;
  timeoutMs: number;
}

/** Connects to the coordinator, proves the token, registers and waits for this process's assignment. */
export async function joinJob(options: JoinOptions): Promise<{ conn: Connection; assignment: Assignment }> {
  const where = `the coordinator at ${formatAddress(options.coordinator)}`;
  const socket = await connectWithRetry(options.coordinator, "the coordinator", options.timeoutMs);
  const conn = new Connection(socket, {
    label: where,
    schema: controlOnlySchema(CONTROL_MAX_FRAME_BYTES),
    maxQueuedBytes: DEFAULT_MAX_QUEUED_BYTES,
    now: () => 0,
  });
  await joinPeer(conn, options.token, { role: options.role, rank: options.rank }, options.timeoutMs);
  conn.sendControl({
    t: "register",
    role: options.role,
    rank: options.rank,
    address: options.listenAddress ?? null,
    pid: process.pid,
  });
  const frame = await conn.next(
    options.timeoutMs,
    "assignment (are all servers and workers of the job started?)",
  );
  if (frame.kind !== "control" || frame.body.t !== "assign") {
    throw new Error(
      `${where} sent ${frame.kind === "control" ? `"${frame.body.t}"` : "a data frame"} instead of an assignment`,
    );
  }
  const a = frame.body;
  const job = checkJob(a.job);
  const jobStart = parseJobStart(a.jobStart);
  if (!Number.isInteger(a.rank) || !Array.isArray(a.servers) || jobStart === null) {
    throw new Error(`${where} sent a malformed assignment`);
  }
  return {
    conn,
    assignment: {
      rank: a.rank as number,
      job,
      servers: a.servers as Address[],
      jobStart,
      tracePath: typeof a.tracePath === "string" ? a.tracePath : null,
    },
  };
}
