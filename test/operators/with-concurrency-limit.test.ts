import { Observable, Subject, lastValueFrom, of, take, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { BufferOverflowError, ConcurrencyLimiter } from '../../src/index.js';
import { withConcurrencyLimit } from '../../src/rxjs.js';
import { VirtualClock } from '../../src/testing.js';

/** Lets every queued promise job run (a macrotask turn, not a timed sleep). */
function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Asserts that `fn` throws exactly `type` with exactly `message`. */
function expectThrow(fn: () => unknown, type: ErrorConstructor, message: string): void {
  let thrown: unknown;
  try {
    fn();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(type);
  expect((thrown as Error).message).toBe(message);
}

/** Work whose calls the test settles by hand, recording each call. */
function manualWork<T>() {
  const calls: Array<{
    value: T;
    signal: AbortSignal;
    resolve: (value: string) => void;
    reject: (error: unknown) => void;
  }> = [];
  const work = (value: T, signal: AbortSignal): Promise<string> =>
    new Promise<string>((resolve, reject) => calls.push({ value, signal, resolve, reject }));
  return { calls, work };
}

/** Subscribes to `output`, logging every notification in order. */
function record<T>(output: Observable<T>) {
  const log: string[] = [];
  let error: unknown;
  const subscription = output.subscribe({
    next: (value) => log.push(`next ${String(value)}`),
    error: (e: unknown) => {
      error = e;
      log.push('error');
    },
    complete: () => log.push('complete'),
  });
  return { log, subscription, error: () => error };
}

describe('withConcurrencyLimit', () => {
  describe('when values arrive faster than the limit', () => {
    it('calls work in source order with at most limit calls running', async () => {
      const limiter = new ConcurrencyLimiter({ limit: 2 });
      const source = new Subject<number>();
      const { calls, work } = manualWork<number>();
      record(source.pipe(withConcurrencyLimit(limiter, work)));

      for (const n of [1, 2, 3, 4]) source.next(n);

      expect(calls.map((c) => c.value)).toEqual([1, 2]);
      expect([limiter.running, limiter.waiting]).toEqual([2, 1]);
      calls[1]?.resolve('b');
      await flush();
      expect(calls.map((c) => c.value)).toEqual([1, 2, 3]);
      calls[0]?.resolve('a');
      await flush();
      expect(calls.map((c) => c.value)).toEqual([1, 2, 3, 4]);
    });

    it('emits results as they complete and completes after the last one', async () => {
      const limiter = new ConcurrencyLimiter({ limit: 3 });
      const { calls, work } = manualWork<number>();
      const { log } = record(of(1, 2, 3).pipe(withConcurrencyLimit(limiter, work)));

      calls[2]?.resolve('three');
      await flush();
      calls[0]?.resolve('one');
      await flush();
      expect(log).toEqual(['next three', 'next one']);
      calls[1]?.resolve('two');
      await flush();

      expect(log).toEqual(['next three', 'next one', 'next two', 'complete']);
      expect(limiter.running).toBe(0);
    });

    it('shares the limit with other callers of the same limiter', async () => {
      const limiter = new ConcurrencyLimiter({ limit: 2 });
      let release!: () => void;
      const other = limiter.run(() => new Promise<void>((resolve) => (release = resolve)));
      const { calls, work } = manualWork<number>();
      record(of(1, 2, 3).pipe(withConcurrencyLimit(limiter, work)));

      expect(calls.map((c) => c.value)).toEqual([1]);
      release();
      await other;

      expect(calls.map((c) => c.value)).toEqual([1, 2]);
    });

    it('completes at once for an empty source', () => {
      const limiter = new ConcurrencyLimiter({ limit: 1 });

      const { log } = record(of<number>().pipe(withConcurrencyLimit(limiter, async (n) => n)));

      expect(log).toEqual(['complete']);
    });

    it('feeds the latency of the work to an adaptive limiter', async () => {
      const clock = new VirtualClock();
      const limiter = new ConcurrencyLimiter({
        adaptive: { initial: 4, min: 1, max: 8, targetLatency: 100 },
        clock,
      });
      const { calls, work } = manualWork<number>();
      record(of(1).pipe(withConcurrencyLimit(limiter, work)));

      await clock.advance(300);
      calls[0]?.resolve('slow');
      await flush();

      expect(limiter.decisions.map((d) => [d.from, d.to, d.latency])).toEqual([[4, 2, 300]]);
    });
  });

  describe('when the buffer is full', () => {
    it("errors with BufferOverflowError under 'error' and drops the value", async () => {
      const limiter = new ConcurrencyLimiter({ limit: 1 });
      const source = new Subject<number>();
      const dropped: number[] = [];
      const { calls, work } = manualWork<number>();
      const { log, error } = record(
        source.pipe(
          withConcurrencyLimit(limiter, work, { capacity: 2, onDrop: (n) => dropped.push(n) }),
        ),
      );

      // 1 runs, 2 waits in the limiter's line, 3 and 4 fill the buffer.
      for (const n of [1, 2, 3, 4, 5]) source.next(n);

      expect(log).toEqual(['error']);
      expect(error()).toBeInstanceOf(BufferOverflowError);
      expect((error() as BufferOverflowError).capacity).toBe(2);
      expect(dropped).toEqual([5, 2, 3, 4]);
      expect(source.observed).toBe(false);
      expect(calls[0]?.signal.aborted).toBe(true);
      expect(limiter.waiting).toBe(0);
      calls[0]?.resolve('late');
      await flush();
      expect(log).toEqual(['error']);
      expect(limiter.running).toBe(0);
    });

    it("drops the new value under 'drop-newest'", async () => {
      const limiter = new ConcurrencyLimiter({ limit: 1 });
      const dropped: number[] = [];
      const values = await lastValueFrom(
        of(1, 2, 3, 4).pipe(
          withConcurrencyLimit(limiter, async (n: number) => n, {
            capacity: 1,
            overflow: 'drop-newest',
            onDrop: (n) => dropped.push(n),
          }),
          toArray(),
        ),
      );

      expect(values).toEqual([1, 2, 3]);
      expect(dropped).toEqual([4]);
    });

    it("drops the oldest buffered value under 'drop-oldest'", async () => {
      const limiter = new ConcurrencyLimiter({ limit: 1 });
      const dropped: number[] = [];

      const values = await lastValueFrom(
        of(1, 2, 3, 4, 5).pipe(
          withConcurrencyLimit(limiter, async (n: number) => n, {
            capacity: 2,
            overflow: 'drop-oldest',
            onDrop: (n) => dropped.push(n),
          }),
          toArray(),
        ),
      );

      // 1 runs and 2 waits in line; 3 is the oldest in the buffer when 5 arrives.
      expect(values).toEqual([1, 2, 4, 5]);
      expect(dropped).toEqual([3]);
    });
  });

  describe('when work fails', () => {
    it('errors at once, aborts running work and drops buffered values', async () => {
      const limiter = new ConcurrencyLimiter({ limit: 2 });
      const source = new Subject<number>();
      const dropped: number[] = [];
      const { calls, work } = manualWork<number>();
      const { log, error } = record(
        source.pipe(withConcurrencyLimit(limiter, work, { onDrop: (n) => dropped.push(n) })),
      );
      for (const n of [1, 2, 3, 4]) source.next(n);
      const boom = new Error('boom');

      calls[1]?.reject(boom);
      await flush();

      expect(log).toEqual(['error']);
      expect(error()).toBe(boom);
      expect(calls[0]?.signal.aborted).toBe(true);
      expect(calls[0]?.signal.reason).toMatchObject({ name: 'AbortError' });
      expect(source.observed).toBe(false);
      expect(dropped).toEqual([3, 4]);
      expect(limiter.waiting).toBe(0);
    });

    it('errors with a work function that throws synchronously', async () => {
      const limiter = new ConcurrencyLimiter({ limit: 1 });
      const boom = new Error('sync boom');

      const run = lastValueFrom(
        of(1).pipe(
          withConcurrencyLimit(limiter, () => {
            throw boom;
          }),
        ),
      );

      await expect(run).rejects.toBe(boom);
    });
  });

  describe('when the source errors', () => {
    it('errors at once and aborts running work', async () => {
      const limiter = new ConcurrencyLimiter({ limit: 1 });
      const source = new Subject<number>();
      const { calls, work } = manualWork<number>();
      const { log, error } = record(source.pipe(withConcurrencyLimit(limiter, work)));
      source.next(1);
      const boom = new Error('source boom');

      source.error(boom);

      expect(log).toEqual(['error']);
      expect(error()).toBe(boom);
      expect(calls[0]?.signal.aborted).toBe(true);
    });
  });

  describe('on unsubscribe', () => {
    it('aborts running work, leaves the limiter line and drops buffered values', async () => {
      const limiter = new ConcurrencyLimiter({ limit: 1 });
      const source = new Subject<number>();
      const dropped: number[] = [];
      const { calls, work } = manualWork<number>();
      const { log, subscription } = record(
        source.pipe(withConcurrencyLimit(limiter, work, { onDrop: (n) => dropped.push(n) })),
      );
      for (const n of [1, 2, 3]) source.next(n);

      subscription.unsubscribe();

      expect(calls[0]?.signal.aborted).toBe(true);
      expect(limiter.waiting).toBe(0);
      expect(dropped).toEqual([2, 3]);
      expect(source.observed).toBe(false);
      calls[0]?.resolve('late');
      await flush();
      expect(log).toEqual([]);
      expect(calls).toHaveLength(1);
      expect(limiter.running).toBe(0);
    });

    it('aborts the rest when take() unsubscribes from inside next', async () => {
      const limiter = new ConcurrencyLimiter({ limit: 1 });
      const source = new Subject<number>();
      const { calls, work } = manualWork<number>();
      const { log } = record(source.pipe(withConcurrencyLimit(limiter, work), take(1)));
      for (const n of [1, 2, 3]) source.next(n);

      calls[0]?.resolve('one');
      await flush();

      expect(log).toEqual(['next one', 'complete']);
      expect(source.observed).toBe(false);
      expect(calls.map((c) => c.value)).toEqual([1, 2]);
      expect(calls[1]?.signal.aborted).toBe(true);
      calls[1]?.resolve('late');
      await flush();
      expect([limiter.running, limiter.waiting]).toEqual([0, 0]);
    });
  });

  describe('bad input', () => {
    const limiter = new ConcurrencyLimiter({ limit: 1 });

    it('throws a TypeError for a limiter that is not a ConcurrencyLimiter', () => {
      expectThrow(
        () => withConcurrencyLimit({ limit: 1 } as never, (n: number) => n),
        TypeError,
        'withConcurrencyLimit(): limiter must be a ConcurrencyLimiter, got an object',
      );
    });

    it('throws a TypeError for work that is not a function', () => {
      expectThrow(
        () => withConcurrencyLimit(limiter, 5 as never),
        TypeError,
        'withConcurrencyLimit(): work must be a function, got 5',
      );
    });

    it('throws a RangeError for a capacity that is not a positive integer', () => {
      expectThrow(
        () => withConcurrencyLimit(limiter, (n: number) => n, { capacity: 0 }),
        RangeError,
        'withConcurrencyLimit(): capacity must be a positive integer, got 0',
      );
    });

    it('throws a TypeError for an unknown overflow policy', () => {
      expectThrow(
        () => withConcurrencyLimit(limiter, (n: number) => n, { overflow: 'unbounded' as never }),
        TypeError,
        "withConcurrencyLimit(): overflow must be 'error', 'drop-newest' or 'drop-oldest', got \"unbounded\"",
      );
    });
  });
});
