// The simulator's agenda: a binary min-heap over flat typed arrays, ordered by (time, tie key).
// Typed arrays keep the hot loop free of object allocation; a generic heap of {time, seq, fn} objects was
// several times slower here (see `ssp bench sim`, which runs both).

/** What an event runs: called with the argument it was scheduled with (hosts avoid a closure per event). */
export type Handler = (arg?: unknown) => void;

export class EventQueue {
  private times = new Float64Array(1024);
  private seqs = new Float64Array(1024);
  private slots = new Int32Array(1024);
  private handlers: (Handler | null)[] = [];
  private args: unknown[] = [];
  private freeSlots: number[] = [];
  private size = 0;
  private nextSeq = 0;

  get length(): number {
    return this.size;
  }

  /** Time of the earliest event, or +∞ when there is none. */
  get nextTimeNs(): number {
    return this.size === 0 ? Number.POSITIVE_INFINITY : this.times[0];
  }

  /** Schedules after every event already pushed for the same time (the tie key is a counter). */
  push(timeNs: number, handler: () => void): void;
  push<T>(timeNs: number, handler: (arg: T) => void, arg: T): void;
  push(timeNs: number, handler: (arg: never) => void, arg?: unknown): void {
    this.pushKeyed(timeNs, this.nextSeq++, handler as (arg: unknown) => void, arg);
  }

  /**
   * Schedules with the caller's tie key: simultaneous events run in increasing key order. A host that gives
   * every event a key of its own making gets an order that does not depend on when events were pushed, and
   * random keys reorder simultaneous events (the simulated host's --shuffle-ties).
   */
  pushKeyed<T>(timeNs: number, key: number, handler: (arg: T) => void, arg: T): void {
    if (this.size === this.times.length) this.grow();
    let slot = this.freeSlots.pop();
    if (slot === undefined) {
      slot = this.handlers.length;
      this.handlers.push(handler as Handler);
      this.args.push(arg);
    } else {
      this.handlers[slot] = handler as Handler;
      this.args[slot] = arg;
    }
    // Sift up.
    let i = this.size++;
    const times = this.times;
    const seqs = this.seqs;
    const slots = this.slots;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pt = times[parent];
      if (pt < timeNs || (pt === timeNs && seqs[parent] <= key)) break;
      times[i] = pt;
      seqs[i] = seqs[parent];
      slots[i] = slots[parent];
      i = parent;
    }
    times[i] = timeNs;
    seqs[i] = key;
    slots[i] = slot;
  }

  /** Removes the earliest event and returns its handler; `lastTime` and `lastArg` are set to its own. */
  pop(): Handler {
    if (this.size === 0) throw new Error("pop from an empty event queue");
    const times = this.times;
    const seqs = this.seqs;
    const slots = this.slots;
    const slot = slots[0];
    this.lastTime = times[0];
    this.lastKey = seqs[0];
    const n = --this.size;
    if (n > 0) {
      const t = times[n];
      const s = seqs[n];
      const sl = slots[n];
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        if (left >= n) break;
        let child = left;
        const right = left + 1;
        if (
          right < n &&
          (times[right] < times[left] || (times[right] === times[left] && seqs[right] < seqs[left]))
        ) {
          child = right;
        }
        if (times[child] > t || (times[child] === t && seqs[child] >= s)) break;
        times[i] = times[child];
        seqs[i] = seqs[child];
        slots[i] = slots[child];
        i = child;
      }
      times[i] = t;
      seqs[i] = s;
      slots[i] = sl;
    }
    const handler = this.handlers[slot]!;
    this.handlers[slot] = null;
    this.lastArg = this.args[slot];
    this.args[slot] = undefined;
    this.freeSlots.push(slot);
    return handler;
  }

  lastTime = 0;
  lastKey = 0;
  lastArg: unknown = undefined;

  private grow(): void {
    const capacity = this.times.length * 2;
    const times = new Float64Array(capacity);
    const seqs = new Float64Array(capacity);
    const slots = new Int32Array(capacity);
    times.set(this.times);
    seqs.set(this.seqs);
    slots.set(this.slots);
    this.times = times;
    this.seqs = seqs;
    this.slots = slots;
  }
}
