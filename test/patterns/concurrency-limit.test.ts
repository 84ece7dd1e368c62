import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  ConcurrencyLimiter,
  TimeoutError,
  concurrencyLimit,
  type AdaptiveLimitOptions,
  type ConcurrencyLimitOptions,
} from '../../src/index.js';
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

/** A promise the test settles by hand. */
interface Gate<T> {
  promise: Promise<T>;
  open: (value: T) => void;
  fail: (error: unknown) => void;
}

function gate<T = void>(): Gate<T> {
  let open!: (value: T) => void;
  let fail!: (error: unknown) => void;
  const promise = new Promise<T>((resolve, reject) => {
    open = resolve;
    fail = reject;
  });
  return { promise, open, fail };
}

/** An adaptive limiter on `clock` with the given settings over sensible defaults. */
function adaptive(
  clock: VirtualClock,
  settings: Partial<AdaptiveLimitOptions> = {},
): ConcurrencyLimiter {
  return new ConcurrencyLimiter({
    adaptive: { initial: 4, min: 1, max: 8, targetLatency: 100, ...settings },
    clock,
  });
}

/**
 * Runs `count` tasks at once on `limiter`, lets `ms` of clock time pass,
 * then completes them all in the order they started.
 */
async function runBatch(
  limiter: ConcurrencyLimiter,
  clock: VirtualClock,
  count: number,
  ms: number,
): Promise<void> {
  const gates = Array.from({ length: count }, () => gate());
  const runs = gates.map((g) => limiter.run(() => g.promise));
  await clock.advance(ms);
  for (const g of gates) g.open();
  await Promise.all(runs);
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('ConcurrencyLimiter', () => {
  describe('with a fixed limit', () => {
    it('starts a task inside run while a slot is free', () => {
      const limiter = new ConcurrencyLimiter({ limit: 2 });
      const steps: string[] = [];

      void limiter.run(() => steps.push('task'));
      steps.push('after run');

      expect(steps).toEqual(['task', 'after run']);
      expect(limiter.running).toBe(1);
    });

    it('makes tasks beyond the limit wait and admits them in arrival order', async () => {
      const limiter = new ConcurrencyLimiter({ limit: 2 });
      const steps: string[] = [];
      const gates = [gate(), gate(), gate(), gate()];
      const runs = gates.map((g, i) =>
        limiter.run(() => {
          steps.push(`start ${i}`);
          return g.promise;
        }),
      );

      expect(steps).toEqual(['start 0', 'start 1']);
      expect([limiter.running, limiter.waiting]).toEqual([2, 2]);
      gates[1]?.open();
      await flush();
      gates[0]?.open();
      await flush();

      expect(steps).toEqual(['start 0', 'start 1', 'start 2', 'start 3']);
      expect([limiter.running, limiter.waiting]).toEqual([2, 0]);
      gates[2]?.open();
      gates[3]?.open();
      await Promise.all(runs);
      expect(limiter.running).toBe(0);
    });

    it('resolves run with the task value, sync or async', async () => {
      const limiter = concurrencyLimit({ limit: 1 });

      const values = await Promise.all([limiter.run(() => 1), limiter.run(async () => 2)]);

      expect(values).toEqual([1, 2]);
    });

    it('rejects run with the task error, frees the slot and goes on', async () => {
      const limiter = new ConcurrencyLimiter({ limit: 1 });
      const boom = new Error('boom');

      const thrown = limiter.run(() => {
        throw boom;
      });
      const rejected = limiter.run(() => Promise.reject(boom));
      const next = limiter.run(() => 'next');

      await expect(thrown).rejects.toBe(boom);
      await expect(rejected).rejects.toBe(boom);
      await expect(next).resolves.toBe('next');
      expect(limiter.running).toBe(0);
    });

    it('hands the caller signal to the task, or one that never aborts', async () => {
      const limiter = new ConcurrencyLimiter({ limit: 1 });
      const controller = new AbortController();

      const given = await limiter.run((signal) => signal, { signal: controller.signal });
      const fallback = await limiter.run((signal) => signal);

      expect(given).toBe(controller.signal);
      expect(fallback).toBeInstanceOf(AbortSignal);
      expect(fallback.aborted).toBe(false);
    });

    it('keeps its limit and an empty decision log', async () => {
      const limiter = new ConcurrencyLimiter({ limit: 3 });

      await limiter.run(() => undefined);

      expect([limiter.limit, limiter.isAdaptive, limiter.decisions]).toEqual([3, false, []]);
    });
  });

  describe('when a waiter is aborted', () => {
    it('removes it at once, never calls its task and rejects with the reason', async () => {
      const limiter = new ConcurrencyLimiter({ limit: 1 });
      const first = gate();
      const controller = new AbortController();
      const reason = new Error('gone');
      const task = vi.fn();
      void limiter.run(() => first.promise);
      const waiting = limiter.run(task, { signal: controller.signal });

      controller.abort(reason);

      expect(limiter.waiting).toBe(0);
      await expect(waiting).rejects.toBe(reason);
      first.open();
      await flush();
      expect(task).not.toHaveBeenCalled();
      expect(limiter.running).toBe(0);
    });

    it('lets the next waiter take the slot in its place', async () => {
      const limiter = new ConcurrencyLimiter({ limit: 1 });
      const first = gate();
      const controller = new AbortController();
      const steps: string[] = [];
      void limiter.run(() => first.promise);
      const aborted = limiter.run(() => steps.push('aborted'), { signal: controller.signal });
      const kept = limiter.run(() => steps.push('kept'));

      controller.abort();
      first.open();
      await kept;

      await expect(aborted).rejects.toMatchObject({ name: 'AbortError' });
      expect(steps).toEqual(['kept']);
    });

    it('rejects at once for a signal that is already aborted', async () => {
      const limiter = new ConcurrencyLimiter({ limit: 1 });
      const reason = new Error('too late');
      const task = vi.fn();

      const run = limiter.run(task, { signal: AbortSignal.abort(reason) });

      await expect(run).rejects.toBe(reason);
      expect(task).not.toHaveBeenCalled();
      expect([limiter.running, limiter.waiting]).toEqual([0, 0]);
    });

    it('keeps the slot of a running task until it settles', async () => {
      const limiter = new ConcurrencyLimiter({ limit: 1 });
      const controller = new AbortController();
      const work = gate<string>();
      const run = limiter.run(() => work.promise, { signal: controller.signal });

      controller.abort();
      await flush();

      expect(limiter.running).toBe(1);
      work.open('finished anyway');
      await expect(run).resolves.toBe('finished anyway');
      expect(limiter.running).toBe(0);
    });
  });

  describe('tryRun', () => {
    it('runs the task while a slot is free', async () => {
      const limiter = new ConcurrencyLimiter({ limit: 1 });

      const run = limiter.tryRun(() => 'ran');

      await expect(run).resolves.toBe('ran');
    });

    it('returns undefined without calling the task when the limit is reached', () => {
      const limiter = new ConcurrencyLimiter({ limit: 1 });
      const task = vi.fn();
      void limiter.run(() => gate().promise);

      const run = limiter.tryRun(task);

      expect(run).toBeUndefined();
      expect(task).not.toHaveBeenCalled();
    });
  });

  describe('with an adaptive limit', () => {
    it('starts at the initial limit and records nothing yet', () => {
      const limiter = adaptive(new VirtualClock());

      expect([limiter.limit, limiter.isAdaptive, limiter.decisions]).toEqual([4, true, []]);
    });

    it('multiplies the limit by decrease after a sample above target', async () => {
      const clock = new VirtualClock(1000);
      const limiter = adaptive(clock, { initial: 8, decrease: 0.7 });

      await runBatch(limiter, clock, 1, 150);

      expect(limiter.limit).toBe(5);
      expect(limiter.decisions).toEqual([
        { at: 1150, from: 8, to: 5, reason: 'decrease', latency: 150, overload: false },
      ]);
    });

    it('never goes below min', async () => {
      const clock = new VirtualClock();
      const limiter = adaptive(clock, { initial: 3, min: 2 });

      await runBatch(limiter, clock, 1, 500);
      await runBatch(limiter, clock, 1, 500);

      expect(limiter.limit).toBe(2);
      expect(limiter.decisions.map((d) => [d.from, d.to])).toEqual([[3, 2]]);
    });

    it('adds increase after a round of samples within target, as long as the limit', async () => {
      const clock = new VirtualClock();
      const limiter = adaptive(clock, { initial: 2, increase: 2 });

      await runBatch(limiter, clock, 2, 100);

      expect(limiter.limit).toBe(4);
      expect(limiter.decisions).toEqual([
        { at: 100, from: 2, to: 4, reason: 'increase', latency: 100, overload: false },
      ]);
    });

    it('counts a round in window samples when window is set', async () => {
      const clock = new VirtualClock();
      const limiter = adaptive(clock, { initial: 4, window: 2 });

      await runBatch(limiter, clock, 3, 10);

      expect(limiter.limit).toBe(5);
    });

    it('never goes above max', async () => {
      const clock = new VirtualClock();
      const limiter = adaptive(clock, { initial: 2, max: 3 });

      await runBatch(limiter, clock, 2, 10);
      await runBatch(limiter, clock, 3, 10);
      await runBatch(limiter, clock, 3, 10);

      expect(limiter.limit).toBe(3);
      expect(limiter.decisions.map((d) => d.reason)).toEqual(['increase']);
    });

    it('does not count samples of tasks started while less than half the limit was used', async () => {
      const clock = new VirtualClock();
      const limiter = adaptive(clock, { initial: 8 });

      for (let i = 0; i < 20; i++) await runBatch(limiter, clock, 3, 10);

      expect(limiter.limit).toBe(8);
      expect(limiter.decisions).toEqual([]);
    });

    it('ignores samples of tasks started before the last change', async () => {
      const clock = new VirtualClock();
      const limiter = adaptive(clock, { initial: 8 });

      // Eight slow tasks in flight: the first to finish halves the limit,
      // the other seven ran under the old limit and are ignored.
      await runBatch(limiter, clock, 8, 300);

      expect(limiter.limit).toBe(4);
      expect(limiter.decisions).toHaveLength(1);
    });

    it('decreases on a failure with a timeout error, whatever its latency', async () => {
      const clock = new VirtualClock();
      const limiter = adaptive(clock);

      const run = limiter.run(() => Promise.reject(new TimeoutError(50)));

      await expect(run).rejects.toBeInstanceOf(TimeoutError);
      expect(limiter.limit).toBe(2);
      expect(limiter.decisions[0]).toMatchObject({ reason: 'decrease', overload: true });
    });

    it('decreases on the host timeout of AbortSignal.timeout', async () => {
      const clock = new VirtualClock();
      const limiter = adaptive(clock);
      const hostTimeout = new DOMException('signal timed out', 'TimeoutError');

      await limiter.run(() => Promise.reject(hostTimeout)).catch(() => undefined);

      expect(limiter.limit).toBe(2);
    });

    it('leaves the limit alone on other failures, slow or not', async () => {
      const clock = new VirtualClock();
      const limiter = adaptive(clock);
      const work = gate();
      const run = limiter.run(() => work.promise);

      await clock.advance(1000);
      work.fail(new Error('not found'));

      await expect(run).rejects.toThrow('not found');
      expect(limiter.limit).toBe(4);
    });

    it('asks isOverload which failures mean overload', async () => {
      const clock = new VirtualClock();
      const isOverload = vi.fn((error: unknown) => (error as Error).message === '503');
      const limiter = adaptive(clock, { isOverload });

      await limiter.run(() => Promise.reject(new Error('404'))).catch(() => undefined);
      await limiter.run(() => Promise.reject(new Error('503'))).catch(() => undefined);

      expect(isOverload).toHaveBeenCalledTimes(2);
      expect(limiter.limit).toBe(2);
    });

    it('treats an isOverload that throws as no and reports its error asynchronously', async () => {
      const clock = new VirtualClock();
      const bug = new Error('predicate bug');
      const reported: Array<() => void> = [];
      const limiter = adaptive(clock, {
        isOverload: () => {
          throw bug;
        },
      });
      const run = limiter.run(() => Promise.reject(new Error('failed')));
      const original = globalThis.queueMicrotask;
      vi.spyOn(globalThis, 'queueMicrotask').mockImplementation((callback) => {
        if (callback.toString().includes('throw')) reported.push(callback);
        else original(callback);
      });

      await run.catch(() => undefined);
      vi.restoreAllMocks();

      expect(limiter.limit).toBe(4);
      expect(reported).toHaveLength(1);
      expect(() => reported[0]?.()).toThrow(bug);
    });

    it('admits waiters as soon as the limit grows', async () => {
      const clock = new VirtualClock();
      const limiter = adaptive(clock, { initial: 1 });
      const gates = [gate(), gate(), gate()];
      for (const g of gates) void limiter.run(() => g.promise);

      gates[0]?.open();
      await flush();

      // The first sample closes a round of one: the limit becomes 2 and
      // both waiters start together.
      expect(limiter.decisions.map((d) => [d.from, d.to])).toEqual([[1, 2]]);
      expect([limiter.running, limiter.waiting]).toEqual([2, 0]);
    });

    it('admits nobody after a decrease until running falls below the new limit', async () => {
      const clock = new VirtualClock();
      const limiter = adaptive(clock, { initial: 4 });
      const gates = [gate(), gate(), gate(), gate()];
      const started: number[] = [];
      for (const g of gates) void limiter.run(() => g.promise);
      const later = limiter.run(() => started.push(limiter.running));

      await clock.advance(200);
      gates[0]?.open();
      await flush();

      expect([limiter.limit, limiter.running, limiter.waiting]).toEqual([2, 3, 1]);
      gates[1]?.open();
      await flush();
      expect(started).toEqual([]);
      gates[2]?.open();
      await later;
      expect(started).toEqual([2]);
    });

    it('keeps the last 100 decisions', async () => {
      const clock = new VirtualClock();
      const limiter = adaptive(clock, { initial: 1, min: 1, max: 2, window: 1 });

      // Each quick round raises the limit to 2, each slow sample lowers it to 1.
      for (let i = 0; i < 60; i++) {
        await runBatch(limiter, clock, 1, 10);
        await runBatch(limiter, clock, 1, 500);
      }

      const decisions = limiter.decisions;
      expect(decisions).toHaveLength(100);
      expect(decisions.at(-1)).toMatchObject({ from: 2, to: 1, at: clock.now() });
      expect(decisions[0]?.at).toBeGreaterThan(0);
    });
  });

  describe('bad input', () => {
    const base: AdaptiveLimitOptions = { initial: 2, min: 1, max: 4, targetLatency: 50 };
    const cases: Array<[string, unknown, ErrorConstructor, string]> = [
      ['options that are not an object', 5, TypeError, 'options must be an object, got 5'],
      [
        'neither limit nor adaptive',
        {},
        TypeError,
        'options must have exactly one of limit and adaptive, got neither',
      ],
      [
        'both limit and adaptive',
        { limit: 2, adaptive: base },
        TypeError,
        'options must have exactly one of limit and adaptive, got both',
      ],
      ['a zero limit', { limit: 0 }, RangeError, 'limit must be a positive integer, got 0'],
      [
        'a fractional limit',
        { limit: 1.5 },
        RangeError,
        'limit must be a positive integer, got 1.5',
      ],
      ['a string limit', { limit: '2' }, TypeError, 'limit must be a number, got "2"'],
      [
        'min above max',
        { adaptive: { ...base, min: 5, max: 3, initial: 4 } },
        RangeError,
        'adaptive.max must be at least adaptive.min (5), got 3',
      ],
      [
        'initial outside [min, max]',
        { adaptive: { ...base, initial: 9 } },
        RangeError,
        'adaptive.initial must be between adaptive.min (1) and adaptive.max (4), got 9',
      ],
      [
        'a zero min',
        { adaptive: { ...base, min: 0 } },
        RangeError,
        'adaptive.min must be a positive integer, got 0',
      ],
      [
        'a decrease of 1',
        { adaptive: { ...base, decrease: 1 } },
        RangeError,
        'adaptive.decrease must be between 0 and 1 (exclusive), got 1',
      ],
      [
        'a decrease of 0',
        { adaptive: { ...base, decrease: 0 } },
        RangeError,
        'adaptive.decrease must be between 0 and 1 (exclusive), got 0',
      ],
      [
        'a negative target latency',
        { adaptive: { ...base, targetLatency: -1 } },
        RangeError,
        'adaptive.targetLatency must be a positive finite number, got -1',
      ],
      [
        'a fractional increase',
        { adaptive: { ...base, increase: 0.5 } },
        RangeError,
        'adaptive.increase must be a positive integer, got 0.5',
      ],
      [
        'a zero window',
        { adaptive: { ...base, window: 0 } },
        RangeError,
        'adaptive.window must be a positive integer, got 0',
      ],
      [
        'an isOverload that is not a function',
        { adaptive: { ...base, isOverload: true } },
        TypeError,
        'adaptive.isOverload must be a function, got true',
      ],
      [
        'a clock without now',
        { limit: 1, clock: {} },
        TypeError,
        'clock must have a now method, got an object',
      ],
    ];

    it.each(cases)('rejects %s', (_situation, options, type, rule) => {
      expectThrow(
        () => new ConcurrencyLimiter(options as ConcurrencyLimitOptions),
        type,
        `new ConcurrencyLimiter(): ${rule}`,
      );
      expectThrow(
        () => concurrencyLimit(options as ConcurrencyLimitOptions),
        type,
        `concurrencyLimit(): ${rule}`,
      );
    });

    it('throws a TypeError for a task that is not a function', () => {
      const limiter = new ConcurrencyLimiter({ limit: 1 });

      expectThrow(
        () => limiter.run('work' as never),
        TypeError,
        'run(): task must be a function, got "work"',
      );
      expectThrow(
        () => limiter.tryRun(null as never),
        TypeError,
        'tryRun(): task must be a function, got null',
      );
      expect([limiter.running, limiter.waiting]).toEqual([0, 0]);
    });

    it('throws a TypeError for a signal that is not an AbortSignal', () => {
      const limiter = new ConcurrencyLimiter({ limit: 1 });

      expectThrow(
        () => limiter.run(() => 1, { signal: {} as AbortSignal }),
        TypeError,
        'run(): signal must be an AbortSignal, got an object',
      );
    });
  });
});
