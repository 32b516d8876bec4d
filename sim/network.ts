// The network: an α–β model (latency + bytes / bandwidth) with a FIFO queue at each machine's NIC, in each
// direction, so that a burst of messages out of (or into) one machine is serialised and contends.
//
// Limits, against max-min fair flow sharing: a message holds a NIC for its whole transfer instead of
// sharing it with concurrent flows, so short messages behind a long one wait longer than they would on a
// real link; there is no switch fabric (the core is non-blocking) and no TCP slow start or loss. For the
// row-sized messages of a parameter server this errs by at most one message's transfer time per queue.

import type { HardwareProfile } from "./profiles.ts";

/** Up to this many machines, last deliveries live in a flat machines² array (2,048: 32 MB). */
const FLAT_PAIRS_MAX_MACHINES = 2048;

export class Network {
  private readonly egressFreeNs: Float64Array;
  private readonly ingressFreeNs: Float64Array;
  private readonly nsPerByte: number;
  /**
   * Last delivery time per (from, to) pair, +1 (0: none yet): a connection is FIFO, so deliveries on it
   * strictly increase. A flat array while it is small (a Map lookup per message was a few % of a large
   * simulation), else a Map.
   */
  private readonly lastDeliveryFlat: Float64Array | null;
  private readonly lastDeliveryMap = new Map<number, number>();
  private readonly machines: number;
  bytesSent = 0;
  messagesSent = 0;

  constructor(
    private readonly profile: HardwareProfile,
    machines: number,
  ) {
    this.egressFreeNs = new Float64Array(machines);
    this.ingressFreeNs = new Float64Array(machines);
    this.nsPerByte = 1e9 / profile.nicBandwidthBytesPerSec;
    this.machines = machines;
    this.lastDeliveryFlat =
      machines <= FLAT_PAIRS_MAX_MACHINES ? new Float64Array(machines * machines) : null;
  }

  /** Reserves the path for one message sent now and returns its delivery time (integer ns). */
  send(fromMachine: number, toMachine: number, bytes: number, nowNs: number): number {
    if (fromMachine === toMachine) {
      this.count(bytes);
      return this.inOrder(fromMachine, toMachine, Math.ceil(nowNs + 2 * this.profile.perMessageOverheadNs));
    }
    const txStartNs = this.egress(fromMachine, bytes, nowNs);
    return this.ingress(fromMachine, toMachine, bytes, txStartNs, this.lastTxEndNs);
  }

  /** When a message's transfer leaves the sender's NIC: set by egress, with its start as the result. */
  lastTxEndNs = 0;

  /**
   * The sender's half of send() between two machines: queues the message at the sender's NIC and returns
   * when its transfer starts (lastTxEndNs: when it ends). A partitioned run calls it where the sender lives.
   */
  egress(fromMachine: number, bytes: number, nowNs: number): number {
    this.count(bytes);
    const txStartNs = Math.max(nowNs + this.profile.perMessageOverheadNs, this.egressFreeNs[fromMachine]);
    const txEndNs = txStartNs + bytes * this.nsPerByte;
    this.egressFreeNs[fromMachine] = txEndNs;
    this.lastTxEndNs = txEndNs;
    return txStartNs;
  }

  /**
   * The receiver's half: queues the transfer at the receiver's NIC and returns the delivery time. Messages
   * must reach it in the order they were sent, which a partitioned run restores before calling it.
   */
  ingress(fromMachine: number, toMachine: number, bytes: number, txStartNs: number, txEndNs: number): number {
    const rxStart = Math.max(txStartNs + this.profile.latencyNs, this.ingressFreeNs[toMachine]);
    const rxEnd = Math.max(rxStart + bytes * this.nsPerByte, txEndNs + this.profile.latencyNs);
    this.ingressFreeNs[toMachine] = rxEnd;
    return this.inOrder(fromMachine, toMachine, Math.ceil(rxEnd + this.profile.perMessageOverheadNs));
  }

  /** The earliest delivery time a transfer that ends at txEndNs can get, whatever the receiver's queue. */
  earliestDeliveryNs(txEndNs: number): number {
    return txEndNs + this.profile.latencyNs + this.profile.perMessageOverheadNs;
  }

  private count(bytes: number): void {
    this.bytesSent += bytes;
    this.messagesSent++;
  }

  /** Strictly increasing per connection, so that not even tie shuffling can reorder a connection. */
  private inOrder(fromMachine: number, toMachine: number, modelNs: number): number {
    const pair = fromMachine * this.machines + toMachine;
    const flat = this.lastDeliveryFlat;
    // Stored +1, so that the flat array's 0 means "nothing delivered yet", as the Map's undefined does.
    const lastPlusOne = flat !== null ? flat[pair] : (this.lastDeliveryMap.get(pair) ?? 0);
    const deliverNs = Math.max(modelNs, lastPlusOne);
    if (flat !== null) flat[pair] = deliverNs + 1;
    else this.lastDeliveryMap.set(pair, deliverNs + 1);
    return deliverNs;
  }
}
