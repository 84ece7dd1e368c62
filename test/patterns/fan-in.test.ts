import { describe, expect, it } from 'vitest';
import { chan, fanIn, nilChan, seededRandom, type Channel } from '../../src/index.js';

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

/** A closed channel holding `values`. */
function closedWith<T>(values: T[]): Channel<T> {
  const ch = chan<T>(Math.max(values.length, 1));
  for (const v of values) ch.trySend(v);
  ch.close();
  return ch;
}

describe('fanIn', () => {
  describe('arguments', () => {
    it('throws a TypeError for an input that is not a channel', () => {
      expectThrow(
        () => fanIn(chan<number>(), 7 as never),
        TypeError,
        'fanIn(): input 1 must be a channel, got 7',
      );
    });

    it('throws a TypeError for an array of inputs followed by more than the options', () => {
      expectThrow(
        () => (fanIn as (...args: unknown[]) => unknown)([chan()], {}, chan()),
        TypeError,
        'fanIn(): pass the inputs either as arguments or as one array, got an array and 2 more arguments',
      );
    });

    it('throws for a random source that is not a function and for a bad capacity', () => {
      expectThrow(
        () => fanIn([chan()], { random: 0.5 as never }),
        TypeError,
        'fanIn(): random must be a function, got 0.5',
      );
      expectThrow(
        () => fanIn([chan()], { capacity: 1.5 }),
        RangeError,
        'fanIn(): capacity must be a non-negative integer, got 1.5',
      );
    });
  });

  describe('merging', () => {
    it('delivers every value of every input, each input in its own order', async () => {
      const a = closedWith(['a1', 'a2', 'a3']);
      const b = closedWith(['b1', 'b2']);

      const received: string[] = [];
      for await (const v of fanIn(a, b)) received.push(v);

      expect(received.slice().sort()).toEqual(['a1', 'a2', 'a3', 'b1', 'b2']);
      expect(received.filter((v) => v.startsWith('a'))).toEqual(['a1', 'a2', 'a3']);
      expect(received.filter((v) => v.startsWith('b'))).toEqual(['b1', 'b2']);
    });

    it('closes the output and resolves done once every input is closed and drained', async () => {
      const a = chan<number>();
      const b = chan<number>();
      const out = fanIn([a, b], { capacity: 1 });
      await a.send(1);
      a.close();
      await flush();

      const stillOpen = !out.closed;
      b.close();
      await flush();

      expect(stillOpen).toBe(true);
      expect(out.closed).toBe(true);
      expect(out.tryReceive()).toEqual({ value: 1, ok: true });
      await expect(out.done).resolves.toBeUndefined();
    });

    it('closes the output at once when given no inputs', async () => {
      const out = fanIn<number>();

      const result = await out.receiveOk();

      expect(result).toEqual({ value: undefined, ok: false });
    });

    it('never closes while a nil input stays in the select', async () => {
      const out = fanIn(closedWith([1]), nilChan<number>());

      const first = await out.receive();
      await flush();

      expect(first).toBe(1);
      expect(out.closed).toBe(false);
      out.cancel();
    });
  });

  describe('when an input is closed with an error', () => {
    it('stops reading the others and closes the output with that error', async () => {
      const failure = new Error('upstream failed');
      const failed = chan<number>(1);
      failed.trySend(1);
      failed.close(failure);
      const other = chan<number>();
      const out = fanIn(failed, other);

      const first = await out.receive();
      const second = out.receive();

      expect(first).toBe(1);
      await expect(second).rejects.toBe(failure);
      await expect(out.done).rejects.toBe(failure);
      expect(other.trySend(2)).toBe(false);
    });
  });

  describe('fairness', () => {
    it('lets a quiet input through while a busy one always has a value ready', async () => {
      const busy = chan<string>(4);
      const quiet = chan<string>(4);
      const refill = (): void => {
        while (busy.trySend('busy'));
      };
      refill();
      for (const v of ['q1', 'q2', 'q3']) quiet.trySend(v);
      const out = fanIn([busy, quiet], { random: seededRandom(11) });

      const received: string[] = [];
      for (let i = 0; i < 20; i++) {
        received.push(await out.receive());
        refill();
      }
      out.cancel();

      expect(received.filter((v) => v.startsWith('q'))).toEqual(['q1', 'q2', 'q3']);
    });

    it('picks among ready inputs with the random source it is given', async () => {
      const runWithSeed = async (seed: number): Promise<string[]> => {
        const inputs = ['a', 'b', 'c'].map((name) => closedWith([1, 2, 3].map((i) => name + i)));
        const received: string[] = [];
        for await (const v of fanIn(inputs, { random: seededRandom(seed) })) received.push(v);
        return received;
      };

      const first = await runWithSeed(5);
      const again = await runWithSeed(5);

      expect(again).toEqual(first);
      expect(first.slice(0, 3)).not.toEqual(['a1', 'a2', 'a3']);
    });
  });

  describe('backpressure', () => {
    it('takes the next value from an input only after the previous one was received', async () => {
      const input = chan<number>(5);
      for (let n = 0; n < 5; n++) input.trySend(n);
      const out = fanIn(input);

      await flush();
      const lengthWhileUnread = input.length;
      await out.receive();
      await flush();

      expect(lengthWhileUnread).toBe(4);
      expect(input.length).toBe(3);
      out.cancel();
    });
  });

  describe('when the output is cancelled', () => {
    it('withdraws the pending select from every input and leaves the inputs open', async () => {
      const a = chan<number>();
      const b = chan<number>();
      const out = fanIn(a, b);
      await flush();

      out.cancel();
      await out.done;

      expect(a.trySend(1)).toBe(false);
      expect(b.trySend(2)).toBe(false);
      expect(a.closed || b.closed).toBe(false);
    });

    it('hands a value taken from an input but not yet delivered to onUndelivered', async () => {
      const undelivered: number[] = [];
      const input = chan<number>(2);
      input.trySend(1);
      input.trySend(2);
      const out = fanIn([input], { onUndelivered: (n) => undelivered.push(n) });
      await flush();

      out.cancel();
      await out.done;

      expect(undelivered).toEqual([1]);
      expect(input.tryReceive()).toEqual({ value: 2, ok: true });
    });
  });

  describe('when the signal aborts', () => {
    it('stops reading the inputs, closes the output and keeps its buffered values', async () => {
      const controller = new AbortController();
      const input = chan<number>(3);
      for (const n of [1, 2, 3]) input.trySend(n);
      const undelivered: number[] = [];
      const out = fanIn([input], {
        capacity: 1,
        signal: controller.signal,
        onUndelivered: (n) => undelivered.push(n),
      });
      await flush();

      controller.abort();
      const received: number[] = [];
      for await (const n of out) received.push(n);
      await out.done;

      expect(received).toEqual([1]);
      expect(undelivered).toEqual([2]);
      expect(input.length).toBe(1);
      expect(input.trySend(4)).toBe(true);
    });
  });
});
