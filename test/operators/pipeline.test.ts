import { Subject, lastValueFrom, of, toArray, type Observable } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { BufferOverflowError, chan, go, poolMap, type PipelineStage } from '../../src/index.js';
import { pipeline } from '../../src/rxjs.js';

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

/** A one-task stage applying `fn`, recording the signals it was given. */
function mapStage<A, B>(fn: (value: A) => B, signals: AbortSignal[] = []): PipelineStage<A, B> {
  return (input, signal) => {
    signals.push(signal);
    const output = chan<B>();
    const done = go(async () => {
      for await (const value of input.values({ signal })) await output.send(fn(value), { signal });
      output.close();
    });
    return { output, done };
  };
}

/** A stage that takes values and never sends anything on. */
function sinkStage(signals: AbortSignal[] = []): PipelineStage<number, number> {
  return (input, signal) => {
    signals.push(signal);
    const output = chan<number>();
    const done = go(async () => {
      for await (const _ of input.values({ signal })) await new Promise(() => {});
    });
    return { output, done };
  };
}

/** Subscribes to `results`, logging every notification into `steps`. */
function record<T>(results: Observable<T>, steps: string[]) {
  return results.subscribe({
    next: (value) => steps.push(`next ${String(value)}`),
    error: (error: Error) => steps.push(`error ${error.message}`),
    complete: () => steps.push('complete'),
  });
}

describe('pipeline (operator)', () => {
  describe('arguments', () => {
    it('throws a TypeError without stages', () => {
      expectThrow(() => pipeline(), TypeError, 'pipeline(): at least one stage is required, got 0');
    });

    it('throws a TypeError for a stage that is not a function', () => {
      expectThrow(
        () =>
          pipeline(
            mapStage((n: number) => n),
            3 as never,
            {},
          ),
        TypeError,
        'pipeline(): stage 2 must be a function, got 3',
      );
    });

    it('throws a RangeError for a capacity that is not a positive integer', () => {
      expectThrow(
        () =>
          pipeline(
            mapStage((n: number) => n),
            { capacity: -2 },
          ),
        RangeError,
        'pipeline(): capacity must be a positive integer, got -2',
      );
    });
  });

  describe('running', () => {
    it('emits what the last stage sends, in order, and completes', async () => {
      const results = await lastValueFrom(
        of(1, 2, 3).pipe(
          pipeline(
            mapStage((n: number) => n * 2),
            mapStage((n: number) => `#${n}`),
          ),
          toArray(),
        ),
      );

      expect(results).toEqual(['#2', '#4', '#6']);
    });

    it('runs fresh stages for every subscription', async () => {
      const signals: AbortSignal[] = [];
      const doubled = of(1, 2).pipe(pipeline(mapStage((n: number) => n * 2, signals)));

      const first = await lastValueFrom(doubled.pipe(toArray()));
      const second = await lastValueFrom(doubled.pipe(toArray()));

      expect([first, second]).toEqual([
        [2, 4],
        [2, 4],
      ]);
      expect(signals).toHaveLength(2);
    });

    it('carries a poolMap stage', async () => {
      const results = await lastValueFrom(
        of(1, 2, 3, 4).pipe(
          pipeline(
            (input, signal) =>
              poolMap(input, async (n: number) => n * n, { concurrency: 2, ordered: true, signal }),
            { capacity: 4 },
          ),
          toArray(),
        ),
      );

      expect(results).toEqual([1, 4, 9, 16]);
    });
  });

  describe('buffering', () => {
    it('errors with BufferOverflowError when the entry buffer overflows', () => {
      const steps: string[] = [];
      const dropped: number[] = [];
      const source = new Subject<number>();
      record(
        source.pipe(pipeline(sinkStage(), { capacity: 2, onDrop: (n) => dropped.push(n) })),
        steps,
      );

      // The stage's task takes 1 at once; 2 and 3 fill the buffer.
      [1, 2, 3, 4].forEach((n) => source.next(n));

      expect(steps).toEqual(['error buffer overflow: more than 2 values waiting']);
      expect(source.observed).toBe(false);
      expect(dropped).toEqual([4, 2, 3]);
    });

    it('drops the oldest entry value with drop-oldest and goes on', () => {
      const steps: string[] = [];
      const dropped: number[] = [];
      const source = new Subject<number>();
      record(
        source.pipe(
          pipeline(sinkStage(), {
            capacity: 1,
            overflow: 'drop-oldest',
            onDrop: (n) => dropped.push(n),
          }),
        ),
        steps,
      );

      [1, 2, 3, 4].forEach((n) => source.next(n));

      expect(steps).toEqual([]);
      expect(dropped).toEqual([2, 3]);
    });

    it('reports a BufferOverflowError with the capacity', async () => {
      const source = new Subject<number>();
      const failure = lastValueFrom(source.pipe(pipeline(sinkStage(), { capacity: 1 }))).catch(
        (error: unknown) => error,
      );

      [1, 2, 3].forEach((n) => source.next(n));

      const error = await failure;
      expect(error).toBeInstanceOf(BufferOverflowError);
      expect((error as BufferOverflowError).capacity).toBe(1);
    });
  });

  describe('a stage failure', () => {
    it('errors the output at once and tears down every stage and the source', async () => {
      const steps: string[] = [];
      const signals: AbortSignal[] = [];
      const source = new Subject<number>();
      const failing: PipelineStage<number, number> = (input, signal) => {
        signals.push(signal);
        const output = chan<number>();
        const done = (async () => {
          await input.receive({ signal });
          throw new Error('stage failed');
        })();
        return { output, done };
      };
      record(
        source.pipe(
          pipeline(
            mapStage((n: number) => n, signals),
            failing,
          ),
        ),
        steps,
      );

      source.next(1);
      await flush();

      expect(steps).toEqual(['error stage failed']);
      expect(signals.map((s) => s.aborted)).toEqual([true, true]);
      expect(source.observed).toBe(false);
    });

    it('errors the subscription when a stage throws while it is called', () => {
      const steps: string[] = [];

      record(
        of(1).pipe(
          pipeline(() => {
            throw new Error('cannot build');
          }),
        ),
        steps,
      );

      expect(steps).toEqual(['error cannot build']);
    });
  });

  describe('a source error', () => {
    it('errors the output at once and aborts every stage', async () => {
      const steps: string[] = [];
      const signals: AbortSignal[] = [];
      const source = new Subject<number>();
      record(source.pipe(pipeline(sinkStage(signals))), steps);
      source.next(1);
      await flush();

      source.error(new Error('source failed'));

      expect(steps).toEqual(['error source failed']);
      expect(signals[0]?.aborted).toBe(true);
    });
  });

  describe('unsubscribe', () => {
    it('aborts every stage, unsubscribes the source and drops buffered values', async () => {
      const signals: AbortSignal[] = [];
      const dropped: number[] = [];
      const source = new Subject<number>();
      const subscription = source
        .pipe(pipeline(sinkStage(signals), { capacity: 4, onDrop: (n) => dropped.push(n) }))
        .subscribe();
      [1, 2, 3].forEach((n) => source.next(n));
      await flush();

      subscription.unsubscribe();

      expect(signals[0]?.aborted).toBe(true);
      expect(source.observed).toBe(false);
      expect(dropped).toEqual([2, 3]);
    });
  });
});
