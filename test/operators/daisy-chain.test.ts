import { Subject, lastValueFrom, range, take, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { BufferOverflowError, type Stage } from '../../src/index.js';
import { daisyChain } from '../../src/rxjs.js';

/** Lets every queued promise job run (a macrotask turn, not a timed sleep). */
function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

const dropMultiplesOf =
  (prime: number): Stage<number> =>
  (n) =>
    n % prime !== 0;

describe('daisyChain (operator)', () => {
  describe('arguments', () => {
    it('throws when the operator is made with bad stages or options', () => {
      expect(() => daisyChain([1 as never])).toThrow(
        new TypeError('daisyChain(): stage 0 must be a function, got 1'),
      );
      expect(() => daisyChain([], { capacity: 0 })).toThrow(RangeError);
      expect(() => daisyChain([], { overflow: 'grow' as never })).toThrow(TypeError);
    });
  });

  describe('filtering', () => {
    it('emits the primes below 100 from a sieve grown with extend', async () => {
      const primes = await lastValueFrom(
        range(2, 98).pipe(
          daisyChain<number>([], { extend: dropMultiplesOf, capacity: 128 }),
          toArray(),
        ),
      );

      expect(primes).toEqual([
        2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89,
        97,
      ]);
    });

    it('keeps upstream order through asynchronous stages', async () => {
      const kept = await lastValueFrom(
        range(1, 10).pipe(daisyChain<number>([async (n) => n % 2 === 1, (n) => n > 3]), toArray()),
      );

      expect(kept).toEqual([5, 7, 9]);
    });
  });

  describe('errors', () => {
    it('errors at once when a stage throws, and stops every stage', async () => {
      const failure = new Error('bad value');
      const upstream = new Subject<number>();
      const signals = new Set<AbortSignal>();
      const events: string[] = [];
      upstream
        .pipe(
          daisyChain<number>([
            (_n, signal) => {
              signals.add(signal);
              return true;
            },
            (n) => {
              if (n === 2) throw failure;
              return true;
            },
          ]),
        )
        .subscribe({
          next: (n) => events.push(`next ${n}`),
          error: (error: unknown) => events.push(`error ${(error as Error).message}`),
        });

      upstream.next(1);
      await flush();
      upstream.next(2);
      await flush();

      expect(events).toEqual(['next 1', 'error bad value']);
      expect([...signals].every((signal) => signal.aborted)).toBe(true);
      expect(upstream.observed).toBe(false);
    });

    it('errors at once with an upstream error, ahead of buffered values', async () => {
      const upstream = new Subject<number>();
      const events: string[] = [];
      const gate = new Subject<void>();
      upstream
        .pipe(daisyChain<number>([() => lastValueFrom(gate.pipe(take(1))).then(() => true)]))
        .subscribe({
          next: (n) => events.push(`next ${n}`),
          error: (error: unknown) => events.push(`error ${error}`),
        });

      upstream.next(1);
      upstream.next(2);
      upstream.error('upstream broke');
      await flush();

      expect(events).toEqual(['error upstream broke']);
    });

    it('errors with BufferOverflowError when the upstream outruns the buffer', async () => {
      const upstream = new Subject<number>();
      let caught: unknown;
      upstream.pipe(daisyChain<number>([async () => true], { capacity: 2 })).subscribe({
        error: (error: unknown) => (caught = error),
      });

      for (let n = 0; n < 10; n++) upstream.next(n);
      await flush();

      expect(caught).toBeInstanceOf(BufferOverflowError);
      expect(upstream.observed).toBe(false);
    });
  });

  describe('on unsubscribe', () => {
    it('stops every stage and unsubscribes the upstream', async () => {
      const upstream = new Subject<number>();
      const signals = new Set<AbortSignal>();
      const watch: Stage<number> = (_n, signal) => {
        signals.add(signal);
        return true;
      };
      const received: number[] = [];
      const subscription = upstream
        .pipe(daisyChain<number>([watch, watch]))
        .subscribe((n) => received.push(n));
      upstream.next(1);
      await flush();

      subscription.unsubscribe();

      expect(received).toEqual([1]);
      expect([...signals].map((signal) => signal.aborted)).toEqual([true]);
      expect(upstream.observed).toBe(false);
    });
  });
});
