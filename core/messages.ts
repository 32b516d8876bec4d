// The messages that cross between clients and server shards. The core produces and consumes these
// objects; the simulator delivers them as they are and the TCP runtime encodes them as binary frames.

import type { RowValues } from "./rows.ts";

/** One row's accumulated increments inside a batch. */
export interface RowDelta {
  table: number;
  row: number;
  delta: RowValues;
}

/**
 * A client's committed updates for one shard and one clock. Every process-clock tick sends exactly one
 * batch to every shard (empty ones too), which is how the shard learns the client's clock.
 * `version` counts the batches this client sent to this shard (1, 2, …); `clock` is the timestamp of the
 * updates inside, so after applying it the shard knows the client has completed clock `clock`.
 */
export interface BatchMessage {
  type: "batch";
  client: number;
  version: number;
  clock: number;
  rows: RowDelta[];
}

/** A row request. The shard answers once its clock is at least `requiredClock`. */
export interface ReadMessage {
  type: "read";
  client: number;
  table: number;
  row: number;
  requiredClock: number;
  /** ESSP: keep pushing this row to the client whenever the shard's clock advances. */
  subscribe: boolean;
}

/**
 * A row from a shard, as an answer to a read or (ESSP) pushed unasked. `clock` is the shard clock when the
 * row was taken: it contains every update with timestamp < clock. `version` is the last batch from the
 * receiving client that it contains, so the client replays only its later batches on top.
 */
export interface RowMessage {
  type: "row";
  shard: number;
  table: number;
  row: number;
  clock: number;
  version: number;
  /** Read-only for the receiver: an in-process host may hand over the shard's own row (copy-on-write). */
  values: RowValues;
  pushed: boolean;
}

export type ClientMessage = BatchMessage | ReadMessage;
export type ServerMessage = RowMessage;

export interface ToShard {
  shard: number;
  message: ClientMessage;
}

export interface ToClient {
  client: number;
  message: ServerMessage;
}

/** A peer broke the protocol. Hosts close that peer's connection and report this message. */
export class ProtocolError extends Error {
  override name = "ProtocolError";
}
