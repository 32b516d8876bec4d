// The network: an α–β model (latency + bytes / bandwidth) with a FIFO queue at each machine's NIC, in each
// direction, so that a burst of messages out of (or into) one machine is serialised and contends.
//
// Limits, against max-min fair flow sharing: a message holds a NIC for its whole transfer instead of
// sharing it with concurrent flows, so short messages behind a long one wait longer than they would on a
// real link; there is no switch fabric (the core is non-blocking) and no TCP slow start or loss. For the
// row-sized messages of a parameter server this errs by at most one message's transfer time per queue.

import type { HardwareProfile } from "./profiles.ts";

export class Network {
  private readonly egressFreeNs: Float64Array;
  private readonly ingressFreeNs: Float64Array;
  private readonly nsPerByte: number;
  /** Last delivery time per (from, to) pair: a connection is FIFO, so deliveries on it strictly increase. */
  private readonly lastDeliveryNs = new Map<number, number>();
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
  }

  /** Reserves the path for one message sent now and returns its delivery time (integer ns). */
  send(fromMachine: number, toMachine: number, bytes: number, nowNs: number): number {
    this.bytesSent += bytes;
    this.messagesSent++;
    // Strictly increasing per connection, so that not even tie shuffling can reorder a connection.
    const pair = fromMachine * this.machines + toMachine;
    const deliverNs = Math.max(
      this.modelDelivery(fromMachine, toMachine, bytes, nowNs),
      (this.lastDeliveryNs.get(pair) ?? -1) + 1,
    );
    this.lastDeliveryNs.set(pair, deliverNs);
    return deliverNs;
  }

  private modelDelivery(fromMachine: number, toMachine: number, bytes: number, nowNs: number): number {
    const overhead = this.profile.perMessageOverheadNs;
    if (fromMachine === toMachine) return Math.ceil(nowNs + 2 * overhead);
    const transferNs = bytes * this.nsPerByte;
    const txStart = Math.max(nowNs + overhead, this.egressFreeNs[fromMachine]);
    const txEnd = txStart + transferNs;
    this.egressFreeNs[fromMachine] = txEnd;
    const rxStart = Math.max(txStart + this.profile.latencyNs, this.ingressFreeNs[toMachine]);
    const rxEnd = Math.max(rxStart + transferNs, txEnd + this.profile.latencyNs);
    this.ingressFreeNs[toMachine] = rxEnd;
    return Math.ceil(rxEnd + overhead);
  }
}
