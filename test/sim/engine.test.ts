import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { stream } from "../../apps/random.ts";
import { EventQueue } from "../../sim/event-queue.ts";

describe("event queue", () => {
  it("pops in (time, scheduling order) for any pushes", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 50 }), { maxLength: 300 }), (times) => {
        const q = new EventQueue();
        const popped: Array<[number, number]> = [];
        times.forEach((t, i) => {
          q.push(t, () => {
            popped.push([t, i]);
          });
        });
        while (q.length > 0) q.pop()();
        const expected = times
          .map((t, i) => [t, i] as [number, number])
          .sort((a, b) => a[0] - b[0] || a[1] - b[1]);
        expect(popped).toEqual(expected);
      }),
      { numRuns: 200 },
    );
  });

  it("interleaves pushes and pops correctly", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 1000 })), { maxLength: 500 }),
        (ops) => {
          const q = new EventQueue();
          const reference: Array<[number, number]> = [];
          let seq = 0;
          for (const [isPush, t] of ops) {
            if (isPush || q.length === 0) {
              const id = seq++;
              q.push(t, () => id);
              reference.push([t, id]);
              reference.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
            } else {
              const got = (q.pop() as () => number)();
              expect(got).toBe(reference.shift()![1]);
            }
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it("hands each event the argument it was scheduled with, across reused slots", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 100 })), { maxLength: 300 }),
        (ops) => {
          const q = new EventQueue();
          const seen: number[] = [];
          const record = (id: { id: number }) => seen.push(id.id);
          const expected: Array<[number, number]> = [];
          const popped: number[] = [];
          let next = 0;
          for (const [isPush, t] of ops) {
            if (isPush || q.length === 0) {
              const id = next++;
              // Every other event is a plain closure, which must get no argument.
              if (id % 2 === 0) q.push(t, record, { id });
              else q.push(t, () => seen.push(-id));
              expected.push([t, id]);
              expected.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
            } else {
              const handler = q.pop();
              const id = expected.shift()![1];
              popped.push(id % 2 === 0 ? id : -id);
              if (id % 2 === 1) expect(q.lastArg).toBeUndefined();
              handler(q.lastArg);
            }
          }
          expect(seen).toEqual(popped);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("shuffles ties deterministically with seeded tie keys, never across times", () => {
    const order = (seed: number) => {
      const r = stream(seed, "engine", "ties");
      const q = new EventQueue();
      const out: number[] = [];
      for (let i = 0; i < 20; i++) q.pushKeyed(i < 10 ? 5 : 9, r.next(), () => out.push(i), undefined);
      while (q.length > 0) q.pop()();
      return out;
    };
    expect(order(1)).toEqual(order(1));
    expect(order(1)).not.toEqual(order(2));
    expect(
      order(1)
        .slice(0, 10)
        .every((i) => i < 10),
    ).toBe(true);
    expect(order(1).slice(0, 10)).not.toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });
});

describe("random streams", () => {
  it("are independent of each other: adding a stream does not shift another", () => {
    const a = stream(7, "worker/3", "app");
    const first = [a.next(), a.next(), a.next()];
    stream(7, "worker/4", "app").next();
    const again = stream(7, "worker/3", "app");
    expect([again.next(), again.next(), again.next()]).toEqual(first);
    expect(stream(8, "worker/3", "app").next()).not.toBe(first[0]);
  });
});
