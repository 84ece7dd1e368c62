import { describe, expect, it } from 'vitest';
import { ChannelClosedError, chan, poolMap, type ReceiveChannel } from '../../src/index.js';

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

/** Work whose calls the test settles by hand, logging each start. */
function manualWork<T>(steps: string[] = []) {
  const calls = new Map<T, { resolve: (r: string) => void; reject: (e: unknown) => void }>();
  const signals = new Map<T, AbortSignal>();
  const work = (value: T, signal: AbortSignal): Promise<string> =>
    new Promise<string>((resolve, reject) => {
      steps.push(`work ${String(value)}`);
      calls.set(value, { resolve, reject });
      signals.set(value, signal);
    });
  const finish = (value: T): void => calls.get(value)?.resolve(`r${String(value)}`);
  const fail = (value: T, error: unknown): void => calls.get(value)?.reject(error);
  return { work, finish, fail, signals, steps };
}

/** Reads `output` to its close, logging every result. */
async function drain(output: ReceiveChannel<string>, steps: string[]): Promise<void> {
  for await (const result of output) steps.push(`got ${result}`);
  steps.push('output closed');
}

describe('poolMap', () => {
  describe('arguments', () => {
    const input = chan<number>();
    const work = (n: number) => n;

    it('throws a TypeError for an input that is not a channel', () => {
      expectThrow(
        () => poolMap([1] as never, work, { concurrency: 1 }),
        TypeError,
        'poolMap(): input must be a channel, got an array',
      );
    });

    it('throws a TypeError for work that is not a function', () => {
      expectThrow(
        () => poolMap(input, 'work' as never, { concurrency: 1 }),
        TypeError,
        'poolMap(): work must be a function, got "work"',
      );
    });

    it('throws a TypeError for missing options', () => {
      expectThrow(
        () => poolMap(input, work, undefined as never),
        TypeError,
        'poolMap(): options must be an object, got undefined',
      );
    });

    it('throws a RangeError for a concurrency that is not a positive integer', () => {
      expectThrow(
        () => poolMap(input, work, { concurrency: 0 }),
        RangeError,
        'poolMap(): concurrency must be a positive integer, got 0',
      );
      expectThrow(
        () => poolMap(input, work, { concurrency: 1.5 }),
        RangeError,
        'poolMap(): concurrency must be a positive integer, got 1.5',
      );
    });

    it('throws a RangeError for a negative capacity', () => {
      expectThrow(
        () => poolMap(input, work, { concurrency: 1, capacity: -1 }),
        RangeError,
        'poolMap(): capacity must be a non-negative integer, got -1',
      );
    });

    it('throws a TypeError for a signal that is not an AbortSignal', () => {
      expectThrow(
        () => poolMap(input, work, { concurrency: 1, signal: {} as AbortSignal }),
        TypeError,
        'poolMap(): signal must be an AbortSignal, got an object',
      );
    });

    it('takes nothing from the input when an argument is bad', () => {
      const ch = chan<number>(1);
      ch.trySend(1);

      expect(() => poolMap(ch, work, { concurrency: -1 })).toThrow(RangeError);

      expect(ch.length).toBe(1);
    });
  });

  describe('ordering', () => {
    it('sends results as they complete by default', async () => {
      const input = chan<number>(2);
      input.trySend(1);
      input.trySend(2);
      input.close();
      const { work, finish } = manualWork<number>();
      const steps: string[] = [];
      const { output, done } = poolMap(input, work, { concurrency: 2 });
      const reading = drain(output, steps);
      await flush();

      finish(2);
      await flush();
      finish(1);
      await reading;
      await done;

      expect(steps).toEqual(['got r2', 'got r1', 'output closed']);
    });

    it('sends results in input order with ordered: true', async () => {
      const input = chan<number>(3);
      [1, 2, 3].forEach((n) => input.trySend(n));
      input.close();
      const { work, finish } = manualWork<number>();
      const steps: string[] = [];
      const { output, done } = poolMap(input, work, { concurrency: 3, ordered: true });
      const reading = drain(output, steps);
      await flush();

      finish(3);
      finish(2);
      await flush();
      steps.push('2 and 3 finished');
      finish(1);
      await reading;
      await done;

      expect(steps).toEqual(['2 and 3 finished', 'got r1', 'got r2', 'got r3', 'output closed']);
    });

    it('keeps a worker whose result waits for its turn from taking a new value', async () => {
      const input = chan<number>(3);
      [1, 2, 3].forEach((n) => input.trySend(n));
      const { work, finish } = manualWork<number>();
      const { output } = poolMap(input, work, { concurrency: 2, ordered: true, capacity: 4 });
      await flush();

      finish(2);
      await flush();

      expect(input.length).toBe(1);
      expect(output.length).toBe(0);
      input.cancel();
    });
  });

  describe('backpressure', () => {
    it('holds the producer in await send while every worker is busy', async () => {
      const input = chan<number>();
      const { work, finish, steps } = manualWork<number>();
      const { output } = poolMap(input, work, { concurrency: 2 });
      const producer = (async () => {
        for (const n of [1, 2, 3]) {
          await input.send(n);
          steps.push(`sent ${n}`);
        }
      })();
      await flush();
      steps.push('workers busy');

      finish(1);
      await flush();
      steps.push('work 1 finished, its result unread');
      steps.push(`read ${await output.receive()}`);
      await producer;

      expect(steps).toEqual([
        'work 1',
        'sent 1',
        'work 2',
        'sent 2',
        'workers busy',
        'work 1 finished, its result unread',
        'work 3',
        'read r1',
        'sent 3',
      ]);
    });

    it('waits for the reader of an unbuffered output before taking more', async () => {
      const input = chan<number>(4);
      [1, 2, 3].forEach((n) => input.trySend(n));
      const { output } = poolMap(input, (n: number) => n * 10, { concurrency: 1 });
      await flush();

      expect(input.length).toBe(2);
      expect(await output.receive()).toBe(10);
      await flush();
      expect(input.length).toBe(1);
    });
  });

  describe('completion', () => {
    it('closes the output and resolves done after the input closes and every result is read', async () => {
      const input = chan<number>();
      const steps: string[] = [];
      const { output, done } = poolMap(input, async (n: number) => `r${n}`, { concurrency: 3 });
      const reading = drain(output, steps);

      for (const n of [1, 2, 3, 4]) await input.send(n);
      input.close();
      await done;
      steps.push('done');
      await reading;

      expect(steps.sort()).toEqual([
        'done',
        'got r1',
        'got r2',
        'got r3',
        'got r4',
        'output closed',
      ]);
    });

    it('accepts synchronous work', async () => {
      const input = chan<number>(3);
      [1, 2, 3].forEach((n) => input.trySend(n));
      input.close();

      const { output, done } = poolMap(input, (n: number) => n + 1, {
        concurrency: 2,
        ordered: true,
      });
      const results: number[] = [];
      for await (const r of output) results.push(r);
      await done;

      expect(results).toEqual([2, 3, 4]);
    });

    it('leaves the input open', async () => {
      const input = chan<number>(1);
      input.close();

      const { done } = poolMap(input, (n: number) => n, { concurrency: 1 });
      await done;

      expect(input.closed).toBe(true);
      expect(() => input.close()).toThrow(ChannelClosedError);
    });
  });

  describe('a work error', () => {
    it('aborts every other worker, closes the output and rejects done at once', async () => {
      const input = chan<number>(5);
      [1, 2, 3, 4, 5].forEach((n) => input.trySend(n));
      const { work, fail, signals } = manualWork<number>();
      const { output, done } = poolMap(input, work, { concurrency: 3 });
      await flush();
      const boom = new Error('boom');

      fail(2, boom);
      const failure = await done.catch((error: unknown) => error);

      expect(failure).toBe(boom);
      expect(signals.get(1)?.aborted).toBe(true);
      expect(signals.get(1)?.reason).toBe(boom);
      expect(signals.get(3)?.aborted).toBe(true);
      expect(output.closed).toBe(true);
      expect(await output.receiveOk()).toEqual({ value: undefined, ok: false });
    });

    it('leaves the values not taken in the input', async () => {
      const input = chan<number>(5);
      [1, 2, 3, 4, 5].forEach((n) => input.trySend(n));
      const { work, fail } = manualWork<number>();
      const { done } = poolMap(input, work, { concurrency: 2 });
      await flush();

      fail(1, new Error('boom'));
      await done.catch(() => undefined);
      await flush();

      expect(input.length).toBe(3);
      expect(input.tryReceive()).toEqual({ value: 3, ok: true });
    });

    it('treats a synchronous throw as a failure', async () => {
      const input = chan<number>(1);
      input.trySend(1);

      const { done } = poolMap(
        input,
        () => {
          throw new Error('sync');
        },
        { concurrency: 1 },
      );

      await expect(done).rejects.toThrow('sync');
    });

    it('drops results of work that finishes after the failure', async () => {
      const input = chan<number>(2);
      [1, 2].forEach((n) => input.trySend(n));
      const { work, finish, fail } = manualWork<number>();
      const { output, done } = poolMap(input, work, { concurrency: 2, capacity: 2 });
      await flush();

      fail(1, new Error('boom'));
      await done.catch(() => undefined);
      finish(2);
      await flush();

      expect(output.length).toBe(0);
      expect(output.closed).toBe(true);
    });
  });

  describe('abort', () => {
    it('rejects done with the reason and withdraws the waiting receives', async () => {
      const input = chan<number>();
      const controller = new AbortController();
      const { output, done } = poolMap(input, (n: number) => n, {
        concurrency: 2,
        signal: controller.signal,
      });

      controller.abort('stop');
      const failure = await done.catch((error: unknown) => error);

      expect(failure).toBe('stop');
      expect(output.closed).toBe(true);
      expect(input.trySend(1)).toBe(false);
    });

    it('aborts the signal of running work', async () => {
      const input = chan<number>(1);
      input.trySend(1);
      const controller = new AbortController();
      const { work, signals } = manualWork<number>();
      const { done } = poolMap(input, work, { concurrency: 1, signal: controller.signal });
      await flush();

      controller.abort('stop');
      await done.catch(() => undefined);

      expect(signals.get(1)?.aborted).toBe(true);
      expect(signals.get(1)?.reason).toBe('stop');
    });

    it('starts no worker when the signal has already aborted', async () => {
      const input = chan<number>(1);
      input.trySend(1);
      const steps: string[] = [];

      const { output, done } = poolMap(input, (n: number) => steps.push(`work ${n}`), {
        concurrency: 1,
        signal: AbortSignal.abort('early'),
      });

      await expect(done).rejects.toBe('early');
      expect(steps).toEqual([]);
      expect(input.length).toBe(1);
      expect(output.closed).toBe(true);
    });
  });

  describe('a cancelled output', () => {
    it('stops the workers at their next send and resolves done', async () => {
      const input = chan<number>(3);
      [1, 2, 3].forEach((n) => input.trySend(n));
      const { work, finish, signals } = manualWork<number>();
      const { output, done } = poolMap(input, work, { concurrency: 2 });
      await flush();

      output.cancel();
      finish(1);
      await flush();
      const abortedBeforeReturn = signals.get(2)?.aborted;
      finish(2);
      await done;

      expect(abortedBeforeReturn).toBe(true);
      expect(input.length).toBe(1);
    });
  });
});
