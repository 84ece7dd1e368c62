import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { ChannelClosedError, WorkerPool, chan, type Channel } from '../../src/index.js';

/** Lets every queued promise job run (a macrotask turn, not a timed sleep). */
function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Asserts that `fn` throws exactly `type` with exactly `message`. */
function expectThrow(
  fn: () => unknown,
  type: abstract new (...args: never[]) => Error,
  message: string,
): void {
  let thrown: unknown;
  try {
    fn();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(type);
  expect((thrown as Error).message).toBe(message);
}

/** Records when a promise settles, for step logs. */
function track(promise: Promise<unknown>, steps: string[], name: string): Promise<void> {
  return promise.then(
    () => void steps.push(`${name} resolved`),
    (error: unknown) => void steps.push(`${name} rejected ${(error as Error).message}`),
  );
}

/** A task that logs its start, waits for its gate, then logs its end. */
function gatedTask(name: string, gate: Channel<void>, steps: string[]) {
  return async (): Promise<void> => {
    steps.push(`${name} starts`);
    await gate.receive();
    steps.push(`${name} ends`);
  };
}

describe('WorkerPool', () => {
  describe('constructor', () => {
    it.each([
      [0, 'WorkerPool(): workers must be a positive integer, got 0'],
      [-2, 'WorkerPool(): workers must be a positive integer, got -2'],
      [1.5, 'WorkerPool(): workers must be a positive integer, got 1.5'],
      [NaN, 'WorkerPool(): workers must be a positive integer, got NaN'],
      ['2', 'WorkerPool(): workers must be a positive integer, got "2"'],
    ])('throws a RangeError for %s workers', (workers, message) => {
      expectThrow(() => new WorkerPool(workers as number), RangeError, message);
    });

    it('throws a TypeError for options that are not an object', () => {
      expectThrow(
        () => new WorkerPool(1, 3 as never),
        TypeError,
        'WorkerPool(): options must be an object, got 3',
      );
    });

    it('throws a TypeError for an onError that is not a function', () => {
      expectThrow(
        () => new WorkerPool(1, { onError: 'log' as never }),
        TypeError,
        'WorkerPool(): onError must be a function, got "log"',
      );
    });

    it('throws a TypeError for a signal that is not an AbortSignal', () => {
      expectThrow(
        () => new WorkerPool(1, { signal: {} as AbortSignal }),
        TypeError,
        'WorkerPool(): signal must be an AbortSignal, got an object',
      );
    });

    it('exposes its worker count and starts open', async () => {
      const pool = new WorkerPool(3);

      expect(pool.workers).toBe(3);
      expect(pool.closed).toBe(false);
      await pool.shutdown();
    });
  });

  describe('run', () => {
    it('throws a TypeError for a task that is not a function', async () => {
      const pool = new WorkerPool(1);

      expectThrow(
        () => pool.run('task' as never),
        TypeError,
        'WorkerPool.run(): task must be a function, got "task"',
      );
      await pool.shutdown();
    });

    it('resolves once a worker has taken the task, before the task ends', async () => {
      const pool = new WorkerPool(1);
      const gate = chan<void>();
      const steps: string[] = [];

      await pool.run(gatedTask('A', gate, steps));
      steps.push('run resolved');
      await flush();
      await gate.send();
      await pool.shutdown();

      expect(steps).toEqual(['A starts', 'run resolved', 'A ends']);
    });

    it('waits while every worker is busy and resolves when one is free', async () => {
      const pool = new WorkerPool(2);
      const gates = [chan<void>(), chan<void>()];
      const steps: string[] = [];
      await pool.run(gatedTask('A', gates[0] as Channel<void>, steps));
      await pool.run(gatedTask('B', gates[1] as Channel<void>, steps));

      const third = track(
        pool.run(() => {}),
        steps,
        'run C',
      );
      await flush();
      steps.push('B released');
      await (gates[1] as Channel<void>).send();
      await third;
      await (gates[0] as Channel<void>).send();
      await pool.shutdown();

      expect(steps).toEqual([
        'A starts',
        'B starts',
        'B released',
        'B ends',
        'run C resolved',
        'A ends',
      ]);
    });

    it('hands waiting tasks to workers in call order', async () => {
      const pool = new WorkerPool(1);
      const gate = chan<void>();
      const steps: string[] = [];
      await pool.run(gatedTask('first', gate, steps));

      const waiting = ['second', 'third', 'fourth'].map((name) =>
        pool.run(async () => void steps.push(`${name} runs`)),
      );
      await gate.send();
      await Promise.all(waiting);
      await pool.shutdown();

      expect(steps).toEqual([
        'first starts',
        'first ends',
        'second runs',
        'third runs',
        'fourth runs',
      ]);
    });

    it('is withdrawn when its signal aborts, and the task never runs', async () => {
      const pool = new WorkerPool(1);
      const gate = chan<void>();
      const steps: string[] = [];
      await pool.run(gatedTask('A', gate, steps));
      const controller = new AbortController();

      const waiting = track(
        pool.run(async () => void steps.push('B runs'), { signal: controller.signal }),
        steps,
        'run B',
      );
      controller.abort(new Error('gave up'));
      await waiting;
      await gate.send();
      await pool.shutdown();

      expect(steps).toEqual(['A starts', 'run B rejected gave up', 'A ends']);
    });

    it('calls the task with the pool signal', async () => {
      const pool = new WorkerPool(1);
      let seen: unknown;

      await pool.runAndWait((signal) => {
        seen = signal;
      });
      await pool.shutdown();

      expect(seen).toBeInstanceOf(AbortSignal);
      expect((seen as AbortSignal).aborted).toBe(false);
    });

    it('rejects with ChannelClosedError after shutdown', async () => {
      const pool = new WorkerPool(1);
      await pool.shutdown();

      const run = pool.run(() => {});

      await expect(run).rejects.toThrow(ChannelClosedError);
      await expect(run).rejects.toThrow('WorkerPool.run(): pool is shut down');
    });
  });

  describe('runAndWait', () => {
    it('resolves with the result of the task', async () => {
      const pool = new WorkerPool(2);

      const result = await pool.runAndWait(async () => 'bob'.length);
      await pool.shutdown();

      expect(result).toBe(3);
    });

    it('rejects with the failure of the task, which shutdown does not report again', async () => {
      const pool = new WorkerPool(1);

      const result = pool.runAndWait(() => {
        throw new Error('boom');
      });

      await expect(result).rejects.toThrow('boom');
      await expect(pool.shutdown()).resolves.toBeUndefined();
    });

    it('throws a TypeError for a task that is not a function', async () => {
      const pool = new WorkerPool(1);

      expectThrow(
        () => pool.runAndWait(null as never),
        TypeError,
        'WorkerPool.runAndWait(): task must be a function, got null',
      );
      await pool.shutdown();
    });

    it('rejects with ChannelClosedError when the pool is shut down', async () => {
      const pool = new WorkerPool(1);
      await pool.shutdown();

      await expect(pool.runAndWait(() => 1)).rejects.toThrow(ChannelClosedError);
    });
  });

  describe('shutdown', () => {
    it('waits for every worker to finish its current task', async () => {
      const pool = new WorkerPool(2);
      const gates = [chan<void>(), chan<void>()];
      const steps: string[] = [];
      await pool.run(gatedTask('A', gates[0] as Channel<void>, steps));
      await pool.run(gatedTask('B', gates[1] as Channel<void>, steps));

      const stopped = track(pool.shutdown(), steps, 'shutdown');
      await flush();
      steps.push('releasing');
      await (gates[0] as Channel<void>).send();
      await (gates[1] as Channel<void>).send();
      await stopped;

      expect(steps).toEqual([
        'A starts',
        'B starts',
        'releasing',
        'A ends',
        'B ends',
        'shutdown resolved',
      ]);
      expect(pool.closed).toBe(true);
    });

    it('runs a task whose run resolved just before the shutdown', async () => {
      const pool = new WorkerPool(1);
      const steps: string[] = [];

      await pool.run(() => void steps.push('task runs'));
      const stopped = pool.shutdown();
      await stopped;

      expect(steps).toEqual(['task runs']);
    });

    it('rejects runs still waiting for a worker with ChannelClosedError', async () => {
      const pool = new WorkerPool(1);
      const gate = chan<void>();
      const steps: string[] = [];
      await pool.run(gatedTask('A', gate, steps));
      const waiting = pool.run(() => void steps.push('B runs'));

      const stopped = pool.shutdown();
      await expect(waiting).rejects.toThrow(ChannelClosedError);
      await gate.send();
      await stopped;

      expect(steps).toEqual(['A starts', 'A ends']);
    });

    it('returns the same promise when called again', async () => {
      const pool = new WorkerPool(1);

      const first = pool.shutdown();
      const second = pool.shutdown();
      await first;

      expect(second).toBe(first);
    });

    it('rejects with an AggregateError of every task failure, in order', async () => {
      const pool = new WorkerPool(2);

      await pool.run(() => {
        throw new Error('first');
      });
      await pool.run(async () => {
        await null;
        throw new Error('second');
      });
      await flush();
      await pool.run(() => {});
      const report = await pool.shutdown().then(
        () => undefined,
        (error: unknown) => error,
      );

      expect(report).toBeInstanceOf(AggregateError);
      expect((report as AggregateError).message).toBe('WorkerPool.shutdown(): 2 tasks failed');
      expect((report as AggregateError).errors.map((e: Error) => e.message)).toEqual([
        'first',
        'second',
      ]);
    });

    it('resolves when every failure went to onError', async () => {
      const failures: unknown[] = [];
      const pool = new WorkerPool(1, { onError: (error) => failures.push(error) });

      await pool.run(() => {
        throw new Error('first');
      });
      await pool.run(() => Promise.reject(new Error('second')));
      await pool.shutdown();

      expect(failures.map((e) => (e as Error).message)).toEqual(['first', 'second']);
    });
  });

  describe('with a signal', () => {
    it('closes the pool and aborts the signal of running tasks when it aborts', async () => {
      const controller = new AbortController();
      const pool = new WorkerPool(1, { signal: controller.signal });
      const steps: string[] = [];
      const reason = new Error('interrupted');
      await pool.run(
        (signal) =>
          new Promise<void>((_resolve, reject) => {
            steps.push('task starts');
            signal.addEventListener('abort', () => {
              steps.push('task sees the abort');
              reject(signal.reason);
            });
          }),
      );
      await flush();
      const waiting = track(
        pool.run(() => {}),
        steps,
        'waiting run',
      );

      controller.abort(reason);
      await waiting;
      await pool.shutdown();

      expect(steps).toEqual([
        'task starts',
        'task sees the abort',
        'waiting run rejected WorkerPool.run(): pool shut down while the run waited',
      ]);
      expect(pool.closed).toBe(true);
    });

    it('reports a task failure other than the abort reason', async () => {
      const controller = new AbortController();
      const pool = new WorkerPool(1, { signal: controller.signal });
      await pool.run(async (signal) => {
        await new Promise((resolve) => signal.addEventListener('abort', resolve));
        throw new Error('cleanup failed');
      });
      await flush();

      controller.abort();

      await expect(pool.shutdown()).rejects.toThrow('WorkerPool.shutdown(): 1 task failed');
    });

    it('starts closed when the signal has already aborted', async () => {
      const pool = new WorkerPool(2, { signal: AbortSignal.abort() });

      expect(pool.closed).toBe(true);
      await expect(pool.run(() => {})).rejects.toThrow(ChannelClosedError);
      await pool.shutdown();
    });

    it('removes its abort listener at shutdown', async () => {
      const controller = new AbortController();
      const pool = new WorkerPool(1, { signal: controller.signal });

      await pool.shutdown();

      expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    });
  });
});
