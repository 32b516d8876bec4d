// Mutual challenge–response on the job token (HMAC-SHA256 over fresh nonces), so the token never crosses
// the wire and a process only talks to peers of its own job. The protocol version is checked by every
// frame header; a peer speaking another version gets an error frame saying so before anything else.

import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { ControlBody } from "./codec.ts";
import type { Connection } from "./connection.ts";
import { WireError } from "./wire-error.ts";

export type Role = "coordinator" | "server" | "worker";

/** Who the connecting peer says it is, once it proved it holds the token. */
export interface PeerIdentity {
  role: Role;
  /** Rank within its role, or -1 when the coordinator has not assigned one yet. */
  rank: number;
}

function mac(token: string, parts: Array<string | number>): string {
  return createHmac("sha256", token)
    .update(["ssptable", ...parts].join("/"))
    .digest("hex");
}

function sameMac(a: unknown, b: string): boolean {
  if (typeof a !== "string" || a.length !== b.length) return false;
  return timingSafeEqual(Buffer.from(a), Buffer.from(b));
}

function expectControl(body: ControlBody | null, t: string, from: string): ControlBody {
  if (body === null || body.t !== t) {
    throw new WireError(
      "sequence",
      `expected a "${t}" message from ${from}, got ${body === null ? "a data frame" : `"${body.t}"`}`,
    );
  }
  return body;
}

/** The listening side: challenge the peer, check its answer, prove we hold the token too. */
export async function acceptPeer(
  conn: Connection,
  token: string,
  self: Role,
  timeoutMs: number,
): Promise<PeerIdentity> {
  const nonce = randomBytes(16).toString("hex");
  conn.sendControl({ t: "challenge", nonce, role: self });
  let auth: ControlBody;
  try {
    const frame = await conn.next(timeoutMs, "handshake answer");
    auth = expectControl(frame.kind === "control" ? frame.body : null, "auth", conn.label);
  } catch (e) {
    if (e instanceof WireError) conn.fail(e);
    throw e;
  }
  const role = auth.role;
  const rank = typeof auth.rank === "number" ? auth.rank : Number.NaN;
  if ((role !== "coordinator" && role !== "server" && role !== "worker") || !Number.isInteger(rank)) {
    const error = new WireError("sequence", `handshake from ${conn.label} names no valid role and rank`);
    conn.fail(error);
    throw error;
  }
  if (
    typeof auth.nonce !== "string" ||
    !sameMac(auth.mac, mac(token, ["client", nonce, auth.nonce, role, rank]))
  ) {
    const error = new WireError(
      "auth",
      `${conn.label} does not hold this job's token: give every process of a job the same SSP_TOKEN or --token-file`,
    );
    conn.fail(error);
    throw error;
  }
  conn.sendControl({ t: "welcome", mac: mac(token, ["server", auth.nonce, nonce, self]) });
  conn.label = `${role}${rank >= 0 ? ` ${rank}` : ""} at ${conn.label}`;
  return { role, rank };
}

/** The connecting side: answer the challenge and check that the listener holds the token as well. */
export async function joinPeer(
  conn: Connection,
  token: string,
  self: PeerIdentity,
  timeoutMs: number,
): Promise<Role> {
  const challenge = await conn.next(timeoutMs, "handshake challenge");
  const body = expectControl(challenge.kind === "control" ? challenge.body : null, "challenge", conn.label);
  const theirRole = body.role;
  if (
    typeof body.nonce !== "string" ||
    (theirRole !== "coordinator" && theirRole !== "server" && theirRole !== "worker")
  ) {
    const error = new WireError("sequence", `${conn.label} sent a malformed challenge`);
    conn.fail(error);
    throw error;
  }
  const nonce = randomBytes(16).toString("hex");
  conn.sendControl({
    t: "auth",
    role: self.role,
    rank: self.rank,
    nonce,
    mac: mac(token, ["client", body.nonce, nonce, self.role, self.rank]),
  });
  const welcome = await conn.next(timeoutMs, "handshake welcome");
  const w = expectControl(welcome.kind === "control" ? welcome.body : null, "welcome", conn.label);
  if (!sameMac(w.mac, mac(token, ["server", nonce, body.nonce, theirRole]))) {
    const error = new WireError(
      "auth",
      `${conn.label} does not hold this job's token: is it another job's ${theirRole}?`,
    );
    conn.fail(error);
    throw error;
  }
  return theirRole;
}
