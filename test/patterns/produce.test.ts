import { describe, expect, it } from 'vitest';
import { ChannelClosedError, onReceive, produce, select } from '../../src/index.js';

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

describe('produce', () => {
  describe('arguments', () => {
    it('throws a TypeError for a producer that is not a function', () => {
      expectThrow(
        () => produce(7 as never),
        TypeError,
        'produce(): producer must be a function, got 7',
      );
    });

    it('throws a RangeError for a capacity that is not a non-negative integer', () => {
      expectThrow(
        () => produce(async () => {}, { capacity: -1 }),
        RangeError,
        'produce(): capacity must be a non-negative integer, got -1',
      );
    });

    it('throws a TypeError for options, a signal or a hook of the wrong type', () => {
      expectThrow(
        () => produce(async () => {}, 'fast' as never),
        TypeError,
        'produce(): options must be an object, got "fast"',
      );
      expectThrow(
        () => produce(async () => {}, { signal: {} as AbortSignal }),
        TypeError,
        'produce(): signal must be an AbortSignal, got an object',
      );
      expectThrow(
        () => produce(async () => {}, { onUndelivered: 1 as never }),
        TypeError,
        'produce(): onUndelivered must be a function, got 1',
      );
    });
  });

  describe('with an async producer', () => {
    it('delivers the values in send order, then closes and resolves done', async () => {
      const ch = produce<number>(async (send) => {
        for (const n of [1, 2, 3]) await send(n);
      });

      const received: number[] = [];
      for await (const n of ch) received.push(n);

      expect(received).toEqual([1, 2, 3]);
      expect(ch.closed).toBe(true);
      await expect(ch.done).resolves.toBeUndefined();
    });

    it('starts the producer before returning and completes a send only when it is received', async () => {
      const steps: string[] = [];
      const ch = produce<string>(async (send) => {
        steps.push('producer starts');
        await send('a');
        steps.push('send of a completed');
      });
      steps.push('produce returned');

      await flush();
      const beforeReceive = steps.slice();
      const received = await ch.receive();
      await ch.done;

      expect(beforeReceive).toEqual(['producer starts', 'produce returned']);
      expect(received).toBe('a');
      expect(steps).toEqual(['producer starts', 'produce returned', 'send of a completed']);
    });

    it('runs at most capacity values ahead of the consumer', async () => {
      let sent = 0;
      const ch = produce<number>(
        async (send) => {
          for (let n = 0; n < 10; n++) {
            await send(n);
            sent++;
          }
        },
        { capacity: 2 },
      );

      await flush();

      expect(sent).toBe(2);
      expect(ch.length).toBe(2);
      ch.cancel();
    });

    it('returns a real channel, usable as a select case', async () => {
      const ch = produce<string>(async (send) => send('hello'));

      const picked = await select({ greeting: onReceive(ch) });

      expect(picked).toEqual({ key: 'greeting', value: 'hello', ok: true });
    });
  });

  describe('with a generator producer', () => {
    it('sends every value a sync generator yields', async () => {
      const ch = produce(function* () {
        yield 'x';
        yield 'y';
      });

      const received: string[] = [];
      for await (const v of ch) received.push(v);

      expect(received).toEqual(['x', 'y']);
      await expect(ch.done).resolves.toBeUndefined();
    });

    it('sends every value an async generator yields', async () => {
      const ch = produce(async function* () {
        yield 1;
        await null;
        yield 2;
      });

      const received: number[] = [];
      for await (const v of ch) received.push(v);

      expect(received).toEqual([1, 2]);
    });

    it('returns the generator when the channel is cancelled, running its finally', async () => {
      const steps: string[] = [];
      const ch = produce(function* () {
        try {
          for (let n = 0; ; n++) yield n;
        } finally {
          steps.push('generator finally');
        }
      });
      await ch.receive();

      ch.cancel();
      await ch.done;

      expect(steps).toEqual(['generator finally']);
    });
  });

  describe('when the producer fails', () => {
    it('closes the channel with the error, which receivers get after the buffered values', async () => {
      const failure = new Error('sensor offline');
      const ch = produce<number>(
        async (send) => {
          await send(1);
          await send(2);
          throw failure;
        },
        { capacity: 2 },
      );

      const received: number[] = [];
      let caught: unknown;
      try {
        for await (const n of ch) received.push(n);
      } catch (error) {
        caught = error;
      }

      expect(received).toEqual([1, 2]);
      expect(caught).toBe(failure);
      expect(ch.closeError).toBe(failure);
      await expect(ch.receive()).rejects.toBe(failure);
    });

    it('reports the close as ok: false to comma-ok reads and rejects done with the error', async () => {
      const failure = new Error('sensor offline');
      const ch = produce<number>(
        async (send) => {
          await send(1);
          throw failure;
        },
        { capacity: 2 },
      );

      const first = await ch.receiveOk();
      const second = await ch.receiveOk();

      expect(first).toEqual({ value: 1, ok: true });
      expect(second).toEqual({ value: undefined, ok: false });
      await expect(ch.done).rejects.toBe(failure);
    });

    it('reports a synchronous throw of the producer through done', async () => {
      const failure = new Error('bad config');

      const ch = produce(() => {
        throw failure;
      });

      await expect(ch.done).rejects.toBe(failure);
      expect(ch.closed).toBe(true);
    });

    it('aborts the producer signal with the error, so tasks it started stop', async () => {
      const failure = new Error('boom');
      let producerSignal: AbortSignal | undefined;

      const ch = produce(async (_send, signal) => {
        producerSignal = signal;
        throw failure;
      });
      await ch.done.catch(() => {});

      expect(producerSignal?.aborted).toBe(true);
      expect(producerSignal?.reason).toBe(failure);
    });
  });

  describe('when a consumer cancels the channel', () => {
    it('rejects the waiting send, aborts the producer signal and hands the waiting value and the buffer to onUndelivered', async () => {
      const steps: string[] = [];
      let producerSignal: AbortSignal | undefined;
      const ch = produce<number>(
        async (send, signal) => {
          producerSignal = signal;
          signal.addEventListener('abort', () => steps.push('producer signal aborted'));
          for (let n = 1; ; n++) {
            await send(n).catch((error: unknown) => {
              steps.push(`send of ${n} rejected: ${(error as Error).name}`);
              throw error;
            });
          }
        },
        { capacity: 1, onUndelivered: (n) => steps.push(`undelivered ${n}`) },
      );
      await flush();

      ch.cancel();
      await ch.done;

      expect(steps).toEqual([
        'undelivered 2',
        'producer signal aborted',
        'undelivered 1',
        'send of 2 rejected: ChannelClosedError',
      ]);
      expect(producerSignal?.reason).toBeInstanceOf(ChannelClosedError);
    });

    it('resolves done when the producer ends by rejecting with the stop', async () => {
      const ch = produce<number>(async (_send, signal) => {
        await new Promise((_resolve, reject) => {
          signal.addEventListener('abort', () => reject(signal.reason));
        });
      });

      ch.cancel();

      await expect(ch.done).resolves.toBeUndefined();
    });

    it('rejects done when the producer ends with an error of its own after the stop', async () => {
      const cleanupFailure = new Error('cleanup failed');
      const ch = produce<number>(async (send) => {
        try {
          await send(1);
        } finally {
          // eslint-disable-next-line no-unsafe-finally
          throw cleanupFailure;
        }
      });

      ch.cancel();

      await expect(ch.done).rejects.toBe(cleanupFailure);
    });

    it('is safe to call again after the producer finished', async () => {
      const ch = produce(function* () {
        yield 1;
      });
      const received = await ch.receive();
      await ch.done;

      ch.cancel();
      ch.cancel();

      expect(received).toBe(1);
      expect(ch.closed).toBe(true);
    });
  });

  describe('when the signal aborts', () => {
    it('closes the channel, keeps the buffered values and aborts the producer signal with the reason', async () => {
      const controller = new AbortController();
      let producerSignal: AbortSignal | undefined;
      const ch = produce<number>(
        async (send, signal) => {
          producerSignal = signal;
          for (let n = 1; ; n++) await send(n);
        },
        { capacity: 2, signal: controller.signal },
      );
      await flush();

      controller.abort('shutdown');
      const received: number[] = [];
      for await (const n of ch) received.push(n);

      expect(received).toEqual([1, 2]);
      expect(producerSignal?.reason).toBe('shutdown');
      await expect(ch.done).resolves.toBeUndefined();
    });

    it('never calls the producer when the signal is already aborted', async () => {
      const controller = new AbortController();
      controller.abort();
      let calls = 0;

      const ch = produce(
        async () => {
          calls++;
        },
        { signal: controller.signal },
      );

      expect(calls).toBe(0);
      expect(ch.closed).toBe(true);
      await expect(ch.done).resolves.toBeUndefined();
    });
  });
});
