import v8 from 'node:v8';
import vm from 'node:vm';
import {
  Subject,
  concat,
  count,
  from,
  lastValueFrom,
  map,
  mergeMap,
  of,
  range,
  take,
  throwError,
  toArray,
  type Observable,
} from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { BufferOverflowError, chan } from '../../src/index.js';
import { toChannel, workerPool, workerPoolFrom } from '../../src/rxjs.js';

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

/** Work whose calls the test settles by hand, logging each start into `steps`. */
function manualWork(steps: string[]) {
  const calls = new Map<number, { resolve: (r: string) => void; reject: (e: unknown) => void }>();
  const signals = new Map<number, AbortSignal>();
  const work = (value: number, signal: AbortSignal): Promise<string> =>
    new Promise<string>((resolve, reject) => {
      steps.push(`work ${value}`);
      calls.set(value, { resolve, reject });
      signals.set(value, signal);
    });
  return {
    work,
    signals,
    finish: (value: number): void => calls.get(value)?.resolve(`r${value}`),
    fail: (value: number, error: unknown): void => calls.get(value)?.reject(error),
  };
}

/** Subscribes to `results`, logging every notification into `steps`. */
function record(results: Observable<string>, steps: string[]) {
  return results.subscribe({
    next: (value) => steps.push(`next ${value}`),
    error: (error: Error) => steps.push(`error ${error.message}`),
    complete: () => steps.push('complete'),
  });
}

/** Work that never settles unless its signal aborts. */
function stuck(_value: number, signal: AbortSignal): Promise<string> {
  return new Promise((_resolve, reject) => {
    signal.addEventListener('abort', () => reject(signal.reason));
  });
}

describe('workerPool', () => {
  describe('arguments', () => {
    const work = (n: number) => n;

    it('throws a TypeError for work that is not a function', () => {
      expectThrow(
        () => workerPool(null as never, { concurrency: 1 }),
        TypeError,
        'workerPool(): work must be a function, got null',
      );
    });

    it('throws a TypeError for missing options', () => {
      expectThrow(
        () => workerPool(work, undefined as never),
        TypeError,
        'workerPool(): options must be an object, got undefined',
      );
    });

    it('throws a RangeError for a concurrency that is not a positive integer', () => {
      expectThrow(
        () => workerPool(work, { concurrency: 0 }),
        RangeError,
        'workerPool(): concurrency must be a positive integer, got 0',
      );
    });

    it('throws a RangeError for a capacity that is not a positive integer', () => {
      expectThrow(
        () => workerPool(work, { concurrency: 1, capacity: 0 }),
        RangeError,
        'workerPool(): capacity must be a positive integer, got 0',
      );
    });

    it('throws a TypeError for an unknown overflow policy', () => {
      expectThrow(
        () => workerPool(work, { concurrency: 1, overflow: 'unbounded' as never }),
        TypeError,
        "workerPool(): overflow must be 'error', 'drop-newest' or 'drop-oldest', got \"unbounded\"",
      );
    });

    it('throws a TypeError for ordered that is not a boolean', () => {
      expectThrow(
        () => workerPool(work, { concurrency: 1, ordered: 1 as never }),
        TypeError,
        'workerPool(): ordered must be a boolean, got 1',
      );
    });

    it('throws a TypeError for onDrop that is not a function', () => {
      expectThrow(
        () => workerPool(work, { concurrency: 1, onDrop: 'log' as never }),
        TypeError,
        'workerPool(): onDrop must be a function, got "log"',
      );
    });
  });

  describe('ordering', () => {
    it('emits results as they complete by default', async () => {
      const steps: string[] = [];
      const { work, finish } = manualWork(steps);
      const source = new Subject<number>();
      record(source.pipe(workerPool(work, { concurrency: 2 })), steps);
      source.next(1);
      source.next(2);
      source.complete();
      await flush();

      finish(2);
      await flush();
      finish(1);
      await flush();

      expect(steps).toEqual(['work 1', 'work 2', 'next r2', 'next r1', 'complete']);
    });

    it('emits results in source order with ordered: true', async () => {
      const steps: string[] = [];
      const { work, finish } = manualWork(steps);
      const source = new Subject<number>();
      record(source.pipe(workerPool(work, { concurrency: 3, ordered: true })), steps);
      [1, 2, 3].forEach((n) => source.next(n));
      source.complete();
      await flush();

      finish(3);
      finish(2);
      await flush();
      steps.push('2 and 3 finished');
      finish(1);
      await flush();

      expect(steps).toEqual([
        'work 1',
        'work 2',
        'work 3',
        '2 and 3 finished',
        'next r1',
        'next r2',
        'next r3',
        'complete',
      ]);
    });
  });

  describe('buffering', () => {
    it('holds capacity + concurrency values before the overflow policy applies', async () => {
      const steps: string[] = [];
      const source = new Subject<number>();
      record(source.pipe(workerPool(stuck, { concurrency: 2, capacity: 3 })), steps);

      for (let n = 1; n <= 5; n++) source.next(n);
      steps.push('five held');
      source.next(6);

      expect(steps).toEqual(['five held', 'error buffer overflow: more than 3 values waiting']);
    });

    it('errors with BufferOverflowError, unsubscribes the source and drops what it held', async () => {
      const dropped: number[] = [];
      const source = new Subject<number>();
      let failure: unknown;
      source
        .pipe(workerPool(stuck, { concurrency: 1, capacity: 2, onDrop: (n) => dropped.push(n) }))
        .subscribe({ error: (error: unknown) => (failure = error) });

      [1, 2, 3, 4].forEach((n) => source.next(n));

      expect(failure).toBeInstanceOf(BufferOverflowError);
      expect((failure as BufferOverflowError).capacity).toBe(2);
      expect(source.observed).toBe(false);
      expect(dropped).toEqual([4, 2, 3]);
    });

    it('stops a synchronous source at the overflow', () => {
      let pulled = 0;
      function* numbers(): Generator<number> {
        for (let n = 0; n < 1_000_000; n++) {
          pulled++;
          yield n;
        }
      }
      let failure: unknown;

      from(numbers())
        .pipe(workerPool(stuck, { concurrency: 2, capacity: 3 }))
        .subscribe({ error: (error: unknown) => (failure = error) });

      expect(failure).toBeInstanceOf(BufferOverflowError);
      expect(pulled).toBe(6);
    });

    it('keeps the newest values with drop-oldest', async () => {
      const dropped: number[] = [];

      const results = await lastValueFrom(
        of(1, 2, 3, 4, 5, 6).pipe(
          workerPool((n: number) => n, {
            concurrency: 1,
            capacity: 2,
            overflow: 'drop-oldest',
            onDrop: (n) => dropped.push(n),
          }),
          toArray(),
        ),
      );

      expect(results).toEqual([1, 5, 6]);
      expect(dropped).toEqual([2, 3, 4]);
    });

    it('keeps the oldest values with drop-newest', async () => {
      const dropped: number[] = [];

      const results = await lastValueFrom(
        of(1, 2, 3, 4, 5, 6).pipe(
          workerPool((n: number) => n, {
            concurrency: 1,
            capacity: 2,
            overflow: 'drop-newest',
            onDrop: (n) => dropped.push(n),
          }),
          toArray(),
        ),
      );

      expect(results).toEqual([1, 2, 3]);
      expect(dropped).toEqual([4, 5, 6]);
    });

    it('errors on overflow in virtual time, at the frame of the overflowing value', () => {
      const scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));

      scheduler.run(({ hot, expectObservable, expectSubscriptions }) => {
        const source = hot<number>('-a-b-c-d-e', { a: 1, b: 2, c: 3, d: 4, e: 5 });
        const results = source.pipe(workerPool(stuck, { concurrency: 1, capacity: 2 }));

        expectObservable(results).toBe('-------#', undefined, new BufferOverflowError(2));
        expectSubscriptions(source.subscriptions).toBe('^------!');
      });
    });
  });

  describe('a work error', () => {
    it('errors the output at once, aborts every worker and unsubscribes the source', async () => {
      const steps: string[] = [];
      const dropped: number[] = [];
      const { work, fail, signals } = manualWork(steps);
      const source = new Subject<number>();
      record(
        source.pipe(workerPool(work, { concurrency: 2, onDrop: (n) => dropped.push(n) })),
        steps,
      );
      [1, 2, 3].forEach((n) => source.next(n));
      await flush();

      fail(2, new Error('boom'));
      await flush();

      expect(steps).toEqual(['work 1', 'work 2', 'error boom']);
      expect(signals.get(1)?.aborted).toBe(true);
      expect((signals.get(1)?.reason as Error).message).toBe('boom');
      expect(source.observed).toBe(false);
      expect(dropped).toEqual([3]);
    });
  });

  describe('a source error', () => {
    it('errors the output without waiting for running work, and aborts it', async () => {
      const steps: string[] = [];
      const { work, signals } = manualWork(steps);
      const source = new Subject<number>();
      record(source.pipe(workerPool(work, { concurrency: 2 })), steps);
      source.next(1);
      await flush();

      source.error(new Error('source failed'));

      expect(steps).toEqual(['work 1', 'error source failed']);
      expect(signals.get(1)?.aborted).toBe(true);
    });
  });

  describe('completion', () => {
    it('completes only after every accepted value has been worked on and emitted', async () => {
      const steps: string[] = [];
      const { work, finish } = manualWork(steps);
      const source = new Subject<number>();
      record(source.pipe(workerPool(work, { concurrency: 1, capacity: 2 })), steps);
      [1, 2].forEach((n) => source.next(n));

      source.complete();
      steps.push('source completed');
      await flush();
      finish(1);
      await flush();
      finish(2);
      await flush();

      expect(steps).toEqual([
        'source completed',
        'work 1',
        'next r1',
        'work 2',
        'next r2',
        'complete',
      ]);
    });

    it('completes at once for an empty source', async () => {
      const results = await lastValueFrom(
        from<number[]>([]).pipe(
          workerPool((n: number) => n, { concurrency: 2 }),
          toArray(),
        ),
      );

      expect(results).toEqual([]);
    });
  });

  describe('unsubscribe', () => {
    it('aborts every worker, unsubscribes the source and drops the buffered values', async () => {
      const steps: string[] = [];
      const dropped: number[] = [];
      const { work, finish, signals } = manualWork(steps);
      const source = new Subject<number>();
      const subscription = record(
        source.pipe(workerPool(work, { concurrency: 2, onDrop: (n) => dropped.push(n) })),
        steps,
      );
      [1, 2, 3, 4].forEach((n) => source.next(n));
      await flush();

      subscription.unsubscribe();
      finish(1);
      finish(2);
      await flush();

      expect(steps).toEqual(['work 1', 'work 2']);
      expect(signals.get(1)?.aborted).toBe(true);
      expect(signals.get(2)?.aborted).toBe(true);
      expect(source.observed).toBe(false);
      expect(dropped).toEqual([3, 4]);
    });

    it('stops every worker when take() has what it needs', async () => {
      const steps: string[] = [];
      const { work, finish, signals } = manualWork(steps);
      const source = new Subject<number>();
      record(source.pipe(workerPool(work, { concurrency: 3 }), take(1)), steps);
      [1, 2, 3].forEach((n) => source.next(n));
      await flush();

      finish(2);
      await flush();

      expect(steps).toEqual(['work 1', 'work 2', 'work 3', 'next r2', 'complete']);
      expect(signals.get(1)?.aborted).toBe(true);
      expect(signals.get(3)?.aborted).toBe(true);
    });
  });
});

describe('workerPoolFrom', () => {
  describe('arguments', () => {
    it('throws a TypeError for something that is not a channel', () => {
      expectThrow(
        () => workerPoolFrom(of(1) as never, (n: number) => n, { concurrency: 1 }),
        TypeError,
        'workerPoolFrom(): channel must be a channel, got an object',
      );
    });

    it('throws a RangeError for a concurrency that is not a positive integer', () => {
      expectThrow(
        () => workerPoolFrom(chan<number>(), (n: number) => n, { concurrency: 2.5 }),
        RangeError,
        'workerPoolFrom(): concurrency must be a positive integer, got 2.5',
      );
    });
  });

  describe('backpressure', () => {
    it('holds the producer in await send while every worker is busy', async () => {
      const steps: string[] = [];
      const { work, finish } = manualWork(steps);
      const jobs = chan<number>();
      record(workerPoolFrom(jobs, work, { concurrency: 2 }), steps);
      const producer = (async () => {
        for (const n of [1, 2, 3, 4]) {
          await jobs.send(n);
          steps.push(`sent ${n}`);
        }
        jobs.close();
      })();
      await flush();
      steps.push('both workers busy');

      finish(1);
      await flush();
      steps.push('worker 1 free again');
      finish(2);
      finish(3);
      await flush();
      finish(4);
      await producer;
      await flush();

      expect(steps).toEqual([
        'work 1',
        'sent 1',
        'work 2',
        'sent 2',
        'both workers busy',
        'next r1',
        'work 3',
        'sent 3',
        'worker 1 free again',
        'next r2',
        'work 4',
        'next r3',
        'sent 4',
        'next r4',
        'complete',
      ]);
    });

    it('takes nothing from the channel before it is subscribed', () => {
      const jobs = chan<number>(2);
      jobs.trySend(1);

      workerPoolFrom(jobs, (n: number) => n, { concurrency: 2 });

      expect(jobs.length).toBe(1);
    });
  });

  describe('unsubscribe', () => {
    it('withdraws the waiting receives and leaves the channel open', async () => {
      const jobs = chan<number>();
      const subscription = workerPoolFrom(jobs, (n: number) => n, { concurrency: 3 }).subscribe();

      subscription.unsubscribe();

      expect(jobs.trySend(1)).toBe(false);
      expect(jobs.closed).toBe(false);
    });
  });

  describe('a work error', () => {
    it('errors the output and leaves the values not taken in the channel', async () => {
      const steps: string[] = [];
      const { work, fail, signals } = manualWork(steps);
      const jobs = chan<number>(4);
      [1, 2, 3, 4].forEach((n) => jobs.trySend(n));
      record(workerPoolFrom(jobs, work, { concurrency: 2 }), steps);
      await flush();

      fail(1, new Error('boom'));
      await flush();

      expect(steps).toEqual(['work 1', 'work 2', 'error boom']);
      expect(signals.get(2)?.aborted).toBe(true);
      expect(jobs.length).toBe(2);
    });
  });

  describe('completion', () => {
    it('completes once the channel is closed and every result emitted', async () => {
      const jobs = chan<number>(3);
      [1, 2, 3].forEach((n) => jobs.trySend(n));
      jobs.close();

      const results = await lastValueFrom(
        workerPoolFrom(jobs, async (n: number) => n * 2, { concurrency: 2, ordered: true }).pipe(
          toArray(),
        ),
      );

      expect(results).toEqual([2, 4, 6]);
    });

    it('errors with the failure of a toChannel source after its values', async () => {
      const jobs = toChannel(
        concat(
          of(1, 2),
          throwError(() => new Error('source failed')),
        ),
      );
      const steps: string[] = [];

      record(
        workerPoolFrom(jobs, (n: number) => `r${n}`, { concurrency: 1 }),
        steps,
      );
      await flush();

      expect(steps).toEqual(['next r1', 'next r2', 'error source failed']);
    });
  });
});

describe('workerPool memory', () => {
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as () => void;
  const MB = 1024 * 1024;
  const N = 1_000_000;
  /** Heap in use after a full collection: what is retained, not garbage. */
  const retained = (): number => {
    gc();
    return process.memoryUsage().heapUsed;
  };
  const work = async (item: { id: number }): Promise<number> => item.id;

  it('keeps the heap bounded for a million values from a synchronous source with drop-oldest', async () => {
    const base = retained();
    let emitted = 0;

    const completed = new Promise<void>((resolve) => {
      range(0, N)
        .pipe(
          map((id) => ({ id })),
          workerPool(work, { concurrency: 4, capacity: 16, overflow: 'drop-oldest' }),
        )
        .subscribe({ next: () => emitted++, complete: resolve });
    });
    const afterSourceRan = retained() - base;
    await completed;

    console.log(
      `workerPool drop-oldest, ${N} values: heap growth ${(afterSourceRan / MB).toFixed(2)} MB, ` +
        `${emitted} results`,
    );
    expect(afterSourceRan).toBeLessThan(20 * MB);
    expect(emitted).toBe(4 + 16);
  });

  it('keeps the heap bounded for a million values sent into a channel-fed pool', async () => {
    const base = retained();
    let peak = 0;
    const jobs = chan<{ id: number }>(16);
    const results = lastValueFrom(workerPoolFrom(jobs, work, { concurrency: 4 }).pipe(count()));

    for (let id = 0; id < N; id++) {
      const job = { id };
      // Waits only when the channel is full: the workers' pace is the brake.
      if (!jobs.trySend(job)) await jobs.send(job);
      if (id % 250_000 === 0) peak = Math.max(peak, retained() - base);
    }
    jobs.close();
    const total = await results;

    console.log(
      `workerPoolFrom, ${N} values: peak heap growth ${(peak / MB).toFixed(2)} MB, ${total} results`,
    );
    expect(peak).toBeLessThan(20 * MB);
    expect(total).toBe(N);
  });

  it('shows mergeMap queueing every waiting value (logged, not asserted)', () => {
    const base = retained();

    const subscription = range(0, N)
      .pipe(
        map((id) => ({ id })),
        mergeMap(work, 4),
      )
      .subscribe();
    const queued = retained() - base;
    subscription.unsubscribe();

    console.log(
      `mergeMap(work, 4), ${N} values: heap growth ${(queued / MB).toFixed(2)} MB once the source ran`,
    );
    expect(queued).toBeGreaterThan(0);
  });
});
