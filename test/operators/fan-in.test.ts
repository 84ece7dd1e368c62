import { lastValueFrom, take, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { chan, seededRandom, type Channel } from '../../src/index.js';
import { fanIn } from '../../src/rxjs.js';

/** Lets every queued promise job run (a macrotask turn, not a timed sleep). */
function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** A channel holding `values`, closed if `close` is set. */
function holding<T>(values: T[], close: boolean): Channel<T> {
  const ch = chan<T>(Math.max(values.length, 1));
  for (const v of values) ch.trySend(v);
  if (close) ch.close();
  return ch;
}

describe('fanIn (Observable)', () => {
  describe('arguments', () => {
    it('throws a TypeError for an input that is not a channel, before any subscription', () => {
      expect(() => fanIn(chan<number>(), [1] as never)).toThrow(
        new TypeError('fanIn(): input 1 must be a channel, got an array'),
      );
    });
  });

  describe('merging', () => {
    it('emits every value of every channel, each channel in order, then completes', async () => {
      const a = holding(['a1', 'a2'], true);
      const b = holding(['b1', 'b2', 'b3'], true);

      const all = await lastValueFrom(fanIn(a, b).pipe(toArray()));

      expect(all.slice().sort()).toEqual(['a1', 'a2', 'b1', 'b2', 'b3']);
      expect(all.filter((v) => v.startsWith('b'))).toEqual(['b1', 'b2', 'b3']);
    });

    it('emits values sent later, as they arrive', async () => {
      const a = chan<number>();
      const events: string[] = [];
      fanIn([a], { random: seededRandom(1) }).subscribe({
        next: (n) => events.push(`next ${n}`),
        complete: () => events.push('complete'),
      });

      await a.send(1);
      await a.send(2);
      a.close();
      await flush();

      expect(events).toEqual(['next 1', 'next 2', 'complete']);
    });

    it('errors when a channel is closed with an error', async () => {
      const failure = new Error('producer failed');
      const failed = chan<number>();
      failed.close(failure);

      const outcome = lastValueFrom(fanIn(failed, chan<number>()));

      await expect(outcome).rejects.toBe(failure);
    });
  });

  describe('on unsubscribe', () => {
    it('leaves the values it did not emit in the channels', async () => {
      const a = holding([1, 2, 3], false);
      const b = holding([4, 5, 6], false);

      const two = await lastValueFrom(fanIn(a, b).pipe(take(2), toArray()));

      expect(two).toHaveLength(2);
      expect(a.length + b.length).toBe(4);
    });

    it('withdraws its pending receive from every channel', async () => {
      const a = chan<number>();
      const b = chan<number>();
      const subscription = fanIn(a, b).subscribe();
      await flush();

      subscription.unsubscribe();
      await flush();

      expect(a.trySend(1)).toBe(false);
      expect(b.trySend(2)).toBe(false);
      expect(a.closed || b.closed).toBe(false);
    });

    it('accounts for every value: emitted, handed to onUndelivered or left in the channel', async () => {
      const undelivered: number[] = [];
      const a = holding([1, 2], false);
      const steps: string[] = [];
      // Unsubscribing from outside next, between the fan-in task taking a
      // value and handing it over, leaves that one value in flight.
      const subscription = fanIn([a], { onUndelivered: (n) => undelivered.push(n) }).subscribe(
        (n) => steps.push(`next ${n}`),
      );
      queueMicrotask(() => subscription.unsubscribe());

      await flush();

      expect(steps.length + undelivered.length + a.length).toBe(2);
    });
  });
});
