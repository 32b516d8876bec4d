// An in-memory host for tests: clients and shards joined by FIFO channels, one per direction per pair,
// like TCP connections. The caller picks which channel delivers next, so any interleaving TCP allows can
// be produced, and nothing else can.

import { ClientCore, type ReadCompletion } from "./client.ts";
import type { CoreEvent } from "./events.ts";
import type { ClientMessage, ServerMessage } from "./messages.ts";
import { makePlacement, type Placement } from "./placement.ts";
import { cloneRow, type RowValues, type RowView } from "./rows.ts";
import { ServerShard } from "./server.ts";
import type { TableSpec } from "./tables.ts";

export interface MemoryClusterConfig {
  tables: readonly TableSpec[];
  numShards: number;
  /** Global worker ranks hosted by each client, e.g. [[0, 1], [2, 3]]. */
  clients: readonly (readonly number[])[];
  placement?: Placement;
  cacheCapacityRows?: number;
  /**
   * See ClientConfig.releaseRow. With it, each row reply is delivered with values of its own, as a runtime's
   * decoder makes them (a shard's replies may share its row), so the client owns every row it lets go of.
   */
  releaseRow?: (client: ClientCore, values: RowValues) => void;
}

export type Channel =
  | { toServer: true; client: number; shard: number; queue: ClientMessage[] }
  | { toServer: false; client: number; shard: number; queue: ServerMessage[] };

export class MemoryCluster {
  readonly clients: ClientCore[];
  readonly servers: ServerShard[];
  /** Every channel, in a fixed order: client→shard ones first, then shard→client. */
  readonly channels: Channel[] = [];
  readonly events: CoreEvent[] = [];
  /** Reads that completed after waiting, by worker, until the test takes them. */
  readonly completed = new Map<number, RowView>();
  readonly clientOf = new Map<number, number>();
  delivered = 0;
  private readonly ownsRows: boolean;

  constructor(config: MemoryClusterConfig) {
    const placement = config.placement ?? makePlacement("hash", config.numShards);
    this.ownsRows = config.releaseRow !== undefined;
    this.servers = Array.from(
      { length: config.numShards },
      (_, shard) => new ServerShard({ shard, numClients: config.clients.length, tables: config.tables }),
    );
    const hook = config.releaseRow;
    this.clients = config.clients.map((workers, client) => {
      const core: ClientCore = new ClientCore({
        client,
        workers,
        numShards: config.numShards,
        tables: config.tables,
        placement,
        cacheCapacityRows: config.cacheCapacityRows,
        releaseRow: hook && ((values: RowValues) => hook(core, values)),
      });
      return core;
    });
    config.clients.forEach((workers, client) => {
      for (const w of workers) this.clientOf.set(w, client);
    });
    for (let c = 0; c < config.clients.length; c++) {
      for (let s = 0; s < config.numShards; s++)
        this.channels.push({ toServer: true, client: c, shard: s, queue: [] });
    }
    for (let c = 0; c < config.clients.length; c++) {
      for (let s = 0; s < config.numShards; s++)
        this.channels.push({ toServer: false, client: c, shard: s, queue: [] });
    }
  }

  client(worker: number): ClientCore {
    return this.clients[this.clientOf.get(worker)!];
  }

  private channel(toServer: boolean, client: number, shard: number): Channel {
    const n = this.clients.length * this.servers.length;
    return this.channels[(toServer ? 0 : n) + client * this.servers.length + shard];
  }

  /** Moves everything the cores produced into the channels and the completion map. */
  pump(): void {
    for (const core of this.clients) {
      const ready = core.drain();
      for (const { shard, message } of ready.messages) {
        (this.channel(true, core.client, shard).queue as ClientMessage[]).push(message);
      }
      this.takeCompletions(ready.completions);
      this.events.push(...ready.events);
    }
    for (const server of this.servers) {
      const ready = server.drain();
      for (const { client, message } of ready.messages) {
        (this.channel(false, client, server.shard).queue as ServerMessage[]).push(message);
      }
      this.events.push(...ready.events);
    }
  }

  private takeCompletions(completions: readonly ReadCompletion[]): void {
    for (const c of completions) this.completed.set(c.worker, c.view);
  }

  /** Indices (into `channels`) of channels holding at least one message. */
  busyChannels(): number[] {
    const out: number[] = [];
    this.channels.forEach((ch, i) => {
      if (ch.queue.length > 0) out.push(i);
    });
    return out;
  }

  /** Delivers the oldest message of one channel and pumps the results. */
  deliver(channelIndex: number): void {
    const ch = this.channels[channelIndex];
    if (ch.queue.length === 0) throw new Error(`channel ${channelIndex} is empty`);
    if (ch.toServer) this.servers[ch.shard].receive(ch.queue.shift()!);
    else {
      const message = ch.queue.shift()!;
      const owned =
        this.ownsRows && message.type === "row" ? { ...message, values: cloneRow(message.values) } : message;
      this.clients[ch.client].receive(owned);
    }
    this.delivered++;
    this.pump();
  }

  /** Delivers until every channel is empty, oldest channel first; returns how many were delivered. */
  settle(limit = 1_000_000): number {
    let n = 0;
    for (let busy = this.busyChannels(); busy.length > 0; busy = this.busyChannels()) {
      if (++n > limit) throw new Error(`settle: still busy after ${limit} deliveries`);
      this.deliver(busy[0]);
    }
    return n;
  }
}
