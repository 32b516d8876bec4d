// A hash table of objects that carry their own numeric key: open addressing, linear probing, and deletion
// by shifting the rest of a run back (no tombstones, so a table with steady churn never needs rebuilding).
//
// Why not a Map: a client looks up a row's entry for every read, increment and reply, and at thousands of
// simulated machines each lookup finds the client's data cold in the CPU cache. A Map's lookup reads its
// bucket, then the entry's key and value in another part of its table, then the object; here a probe reads
// one slot and the object it points to, whose key it compares. That object is read next anyway.

/** An object stored under its own key. */
export interface Keyed {
  readonly key: number;
}

const MIN_CAPACITY = 16;

export class KeyedTable<T extends Keyed> {
  private slots: Array<T | undefined> = new Array(MIN_CAPACITY).fill(undefined);
  private mask = MIN_CAPACITY - 1;
  /** 32 − log2(capacity): a key's home slot is the top bits of its hash. */
  private shift = 32 - Math.log2(MIN_CAPACITY);
  private count = 0;

  get size(): number {
    return this.count;
  }

  get(key: number): T | undefined {
    const { slots, mask } = this;
    for (let i = slotOf(key, this.shift); ; i = (i + 1) & mask) {
      const item = slots[i];
      if (item === undefined || item.key === key) return item;
    }
  }

  /** Adds an item whose key is not in the table yet. */
  add(item: T): void {
    if (2 * (this.count + 1) > this.slots.length) this.grow();
    const { slots, mask } = this;
    let i = slotOf(item.key, this.shift);
    while (slots[i] !== undefined) {
      if (slots[i]!.key === item.key) throw new Error(`KeyedTable: key ${item.key} is already present`);
      i = (i + 1) & mask;
    }
    slots[i] = item;
    this.count++;
  }

  /** Removes the item with this key; false if there was none. */
  delete(key: number): boolean {
    const { slots, mask } = this;
    let i = slotOf(key, this.shift);
    for (; ; i = (i + 1) & mask) {
      const item = slots[i];
      if (item === undefined) return false;
      if (item.key === key) break;
    }
    // Shift back each later item of the run that may sit at the freed slot: one whose home slot is not
    // cyclically in (hole, its slot].
    let hole = i;
    for (let j = (i + 1) & mask; ; j = (j + 1) & mask) {
      const item = slots[j];
      if (item === undefined) break;
      const home = slotOf(item.key, this.shift);
      const stays = hole <= j ? hole < home && home <= j : hole < home || home <= j;
      if (stays) continue;
      slots[hole] = item;
      hole = j;
    }
    slots[hole] = undefined;
    this.count--;
    return true;
  }

  private grow(): void {
    const old = this.slots;
    this.slots = new Array(old.length * 2).fill(undefined);
    this.mask = this.slots.length - 1;
    this.shift--;
    this.count = 0;
    for (const item of old) if (item !== undefined) this.add(item);
  }
}

/** The home slot of a key: Fibonacci hashing of its low 32 bits mixed with its high ones. */
export function slotOf(key: number, shift: number): number {
  const high = (key / 4294967296) | 0;
  return Math.imul((key | 0) ^ Math.imul(high, 0x85ebca6b), 0x9e3779b1) >>> shift;
}
