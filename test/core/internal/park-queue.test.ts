import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ParkQueue } from '../../../src/core/internal/park-queue.js';
import { Waiter } from '../../../src/core/internal/waiter.js';

/** A waiter that only records its name; the queue never calls its methods. */
class Named extends Waiter {
  constructor(readonly name: string) {
    super();
  }
  sent(): void {}
  received(): void {}
  closedReceive(): void {}
  closedSend(): void {}
}

/** Takes every live entry and names it: waiters by name, bare entries by their extra slot. */
function drain(queue: ParkQueue): string[] {
  const out: string[] = [];
  for (let entry = queue.take(); entry !== null; entry = queue.take()) {
    out.push(typeof entry === 'function' ? `bare:${String(queue.extra)}` : (entry as Named).name);
  }
  return out;
}

/** Entries held, tombstones included (a private field, read for the bound). */
function entries(queue: ParkQueue): number {
  return (queue as unknown as { count: number }).count;
}

describe('ParkQueue', () => {
  it('keeps bare entries and waiters in one FIFO order', () => {
    const queue = new ParkQueue();
    const resolve = (): void => {};

    queue.pushBare(resolve, 1);
    queue.push(new Named('a'));
    queue.pushBare(resolve, 2);

    expect(queue.size).toBe(3);
    expect(drain(queue)).toEqual(['bare:1', 'a', 'bare:2']);
    expect(queue.size).toBe(0);
  });

  it('removes a waiter from the middle, once', () => {
    const queue = new ParkQueue();
    const waiters = ['a', 'b', 'c'].map((name) => new Named(name));
    waiters.forEach((w) => queue.push(w));

    expect(queue.remove(waiters[1]!)).toBe(true);
    expect(queue.remove(waiters[1]!)).toBe(false);

    expect(queue.size).toBe(2);
    expect(drain(queue)).toEqual(['a', 'c']);
    expect(waiters.map((w) => w.queue)).toEqual([null, null, null]);
  });

  it('compacts tombstones left between live entries, keeping the order', () => {
    const queue = new ParkQueue();
    const first = new Named('first');
    const passing = Array.from({ length: 1000 }, (_, i) => new Named(`passing ${i}`));
    const last = new Named('last');
    queue.push(first);
    passing.forEach((w) => queue.push(w));
    queue.push(last);

    passing.forEach((w) => queue.remove(w));

    expect(entries(queue)).toBeLessThanOrEqual(2 * queue.size + 17);
    expect(drain(queue)).toEqual(['first', 'last']);
  });

  it('matches an array model under random pushes, takes and removals', () => {
    type Op =
      { kind: 'push' } | { kind: 'bare' } | { kind: 'take' } | { kind: 'remove'; at: number };
    const op = fc.oneof(
      fc.constant<Op>({ kind: 'push' }),
      fc.constant<Op>({ kind: 'bare' }),
      fc.constant<Op>({ kind: 'take' }),
      fc.nat(50).map<Op>((at) => ({ kind: 'remove', at })),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
        const queue = new ParkQueue();
        const model: string[] = [];
        const queued: Named[] = [];
        let next = 0;
        for (const o of ops) {
          if (o.kind === 'push') {
            const w = new Named(`w${next++}`);
            queue.push(w);
            queued.push(w);
            model.push(w.name);
          } else if (o.kind === 'bare') {
            const name = `b${next++}`;
            queue.pushBare(() => {}, name);
            model.push(`bare:${name}`);
          } else if (o.kind === 'take') {
            const entry = queue.take();
            const got =
              entry === null
                ? undefined
                : typeof entry === 'function'
                  ? `bare:${String(queue.extra)}`
                  : (entry as Named).name;
            expect(got).toBe(model.shift());
          } else {
            const live = queued.filter((w) => w.queue === queue);
            const w = live[o.at % Math.max(1, live.length)];
            if (w !== undefined) {
              expect(queue.remove(w)).toBe(true);
              model.splice(model.indexOf(w.name), 1);
            }
          }
          expect(queue.size).toBe(model.length);
          expect(entries(queue)).toBeLessThanOrEqual(2 * queue.size + 17);
        }
        expect(drain(queue)).toEqual(model);
      }),
    );
  });
});
