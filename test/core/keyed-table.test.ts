import { fc, test } from "@fast-check/vitest";
import { describe, expect, it } from "vitest";
import { KeyedTable, slotOf } from "../../core/keyed-table.ts";

interface Item {
  key: number;
  tag: number;
}

// Keys from a small pool collide often (and share home slots), plus keys above 2^31 and 2^32.
const keyArb = fc.oneof(
  fc.integer({ min: 0, max: 24 }),
  fc.integer({ min: 0, max: 2 ** 32 - 1 }),
  fc.integer({ min: 2 ** 32, max: 2 ** 48 }),
);
const opArb = fc.tuple(fc.constantFrom("add", "delete", "get"), keyArb);

describe("KeyedTable", () => {
  test.prop([fc.array(opArb, { maxLength: 600 })], { numRuns: 500 })(
    "agrees with a Map under any sequence of adds, deletes and lookups",
    (ops) => {
      const table = new KeyedTable<Item>();
      const model = new Map<number, Item>();
      ops.forEach(([op, key], tag) => {
        if (op === "add") {
          if (model.has(key)) return;
          const item = { key, tag };
          table.add(item);
          model.set(key, item);
        } else if (op === "delete") {
          expect(table.delete(key)).toBe(model.delete(key));
        }
        expect(table.get(key)).toBe(model.get(key));
        expect(table.size).toBe(model.size);
      });
      // Every survivor is still found: a deletion that shifted a run wrongly would hide one.
      for (const [key, item] of model) expect(table.get(key)).toBe(item);
    },
  );

  it("grows past many items and finds each after heavy churn", () => {
    const table = new KeyedTable<Item>();
    for (let key = 0; key < 5000; key++) table.add({ key, tag: key });
    for (let key = 0; key < 5000; key += 2) expect(table.delete(key)).toBe(true);
    for (let key = 0; key < 5000; key++) expect(table.get(key)?.tag).toBe(key % 2 === 1 ? key : undefined);
    expect(table.size).toBe(2500);
  });

  it("keeps a run that wraps past the last slot findable when its head is deleted", () => {
    // In a table of 16 slots (shift 28): one key at home 15, then two at home 0, which land in slots 0 and 1.
    const homed = (slot: number) =>
      Array.from({ length: 400 }, (_, k) => k).filter((k) => slotOf(k, 28) === slot);
    const [last] = homed(15);
    const [first, second] = homed(0);
    const table = new KeyedTable<Item>();
    for (const key of [last, first, second]) table.add({ key, tag: key });
    expect(table.delete(last)).toBe(true);
    expect(table.get(first)?.tag).toBe(first);
    expect(table.get(second)?.tag).toBe(second);
  });

  it("refuses a key that is already present", () => {
    const table = new KeyedTable<Item>();
    table.add({ key: 7, tag: 0 });
    expect(() => table.add({ key: 7, tag: 1 })).toThrow(/already present/);
  });
});
