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
    this.bytesSent += bytes;
    this.messagesSent++;
    // Strictly increasing per connection, so that not even tie shuffling can reorder a connection.
    const pair = fromMachine * this.machines + toMachine;
    const flat = this.lastDeliveryFlat;
    // Stored +1, so that the flat array's 0 means "nothing delivered yet", as the Map's undefined does.
    const lastPlusOne = flat !== null ? flat[pair] : (this.lastDeliveryMap.get(pair) ?? 0);
    const deliverNs = Math.max(this.modelDelivery(fromMachine, toMachine, bytes, nowNs), lastPlusOne);
    if (flat !== null) flat[pair] = deliverNs + 1;
    else this.lastDeliveryMap.set(pair, deliverNs + 1);
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
