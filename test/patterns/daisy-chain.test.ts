import { describe, expect, it } from 'vitest';
import { chan, daisyChain, produce, type Channel, type Stage } from '../../src/index.js';

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

/** The sieve's stage maker: a filter that drops the multiples of `prime`. */
const dropMultiplesOf =
  (prime: number): Stage<number> =>
  (n) =>
    n % prime !== 0;

async function collect<T>(ch: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const v of ch) out.push(v);
  return out;
}

describe('daisyChain', () => {
  describe('arguments', () => {
    it('throws a TypeError for an input that is not a channel', () => {
      expectThrow(
        () => daisyChain([1, 2] as never),
        TypeError,
        'daisyChain(): input must be a channel, got an array',
      );
    });

    it('throws a TypeError for stages that are not an array of functions', () => {
      expectThrow(
        () => daisyChain(chan(), 'even' as never),
        TypeError,
        'daisyChain(): stages must be an array, got "even"',
      );
      expectThrow(
        () => daisyChain(chan(), [() => true, 3 as never]),
        TypeError,
        'daisyChain(): stage 1 must be a function, got 3',
      );
    });

    it('throws a TypeError for an extend that is not a function', () => {
      expectThrow(
        () => daisyChain(chan(), [], { extend: true as never }),
        TypeError,
        'daisyChain(): extend must be a function, got true',
      );
    });
  });

  describe('with fixed stages', () => {
    it('passes on, in input order, the values every stage keeps', async () => {
      const input = closedWith([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);

      const out = daisyChain(input, [(n) => n % 2 === 0, (n) => n % 3 === 0]);

      expect(await collect(out)).toEqual([6, 12]);
      await expect(out.done).resolves.toBeUndefined();
    });

    it('awaits asynchronous stages', async () => {
      const input = closedWith(['a', 'bb', 'ccc']);

      const out = daisyChain(input, [async (s) => s.length > 1]);

      expect(await collect(out)).toEqual(['bb', 'ccc']);
    });

    it('passes every value through when there is no stage', async () => {
      const out = daisyChain(closedWith([1, 2]));

      expect(await collect(out)).toEqual([1, 2]);
    });

    it('holds one value per stage, plus one at the end, while the output is not read', async () => {
      const input = chan<number>(10);
      for (let n = 0; n < 10; n++) input.trySend(n);
      const passAll = (): boolean => true;

      const out = daisyChain(input, [passAll, passAll, passAll]);
      await flush();

      expect(input.length).toBe(6);
      expect(await out.receive()).toBe(0);
      out.cancel();
    });
  });

  describe('with extend', () => {
    it('grows a stage for each value that reaches the end: the prime sieve', async () => {
      const numbers = produce(function* () {
        for (let n = 2; ; n++) yield n;
      });
      const primes = daisyChain(numbers, [], { extend: dropMultiplesOf });

      const first: number[] = [];
      for (let i = 0; i < 10; i++) first.push(await primes.receive());
      primes.cancel();
      numbers.cancel();

      expect(first).toEqual([2, 3, 5, 7, 11, 13, 17, 19, 23, 29]);
      await expect(primes.done).resolves.toBeUndefined();
    });

    it('adds no stage when extend returns undefined', async () => {
      const seen: number[] = [];

      const out = daisyChain(closedWith([1, 1, 2]), [], {
        extend: (n) => {
          seen.push(n);
          return n === 1 ? (m) => m !== 1 : undefined;
        },
      });

      expect(await collect(out)).toEqual([1, 2]);
      expect(seen).toEqual([1, 2]);
    });

    it('fails the chain when extend returns something other than a function', async () => {
      const out = daisyChain(closedWith([1]), [], { extend: () => 'stage' as never });

      await expect(out.done).rejects.toThrow(
        'daisyChain(): extend must return a function or undefined, got "stage"',
      );
    });
  });

  describe('when the input closes', () => {
    it('closes the output after the last value and resolves done', async () => {
      const input = chan<number>();
      const out = daisyChain(input, [() => true, () => true]);
      const reading = collect(out);

      await input.send(1);
      input.close();

      expect(await reading).toEqual([1]);
      await expect(out.done).resolves.toBeUndefined();
      expect(out.closeError).toBeUndefined();
    });
  });

  describe('when a stage fails', () => {
    it('stops every stage, stops reading the input and closes the output with the error', async () => {
      const failure = new Error('bad record');
      const signals: AbortSignal[] = [];
      const input = chan<number>();
      const out = daisyChain(input, [
        (_n, signal) => {
          signals.push(signal);
          return true;
        },
        (n) => {
          if (n === 2) throw failure;
          return true;
        },
      ]);
      const reading = collect(out).catch((error: unknown) => error);

      await input.send(1);
      await input.send(2);
      const caught = await reading;

      expect(caught).toBe(failure);
      await expect(out.done).rejects.toBe(failure);
      expect(signals.every((signal) => signal.aborted)).toBe(true);
      expect(input.trySend(3)).toBe(false);
      expect(input.closed).toBe(false);
    });
  });

  describe('when the input is closed with an error', () => {
    it('fails the chain with that error', async () => {
      const failure = new Error('source failed');
      const input = chan<number>(1);
      input.trySend(1);
      input.close(failure);

      const out = daisyChain(input, [() => true]);

      expect(await out.receive()).toBe(1);
      await expect(out.receive()).rejects.toBe(failure);
      await expect(out.done).rejects.toBe(failure);
    });
  });

  describe('when the output is cancelled', () => {
    it('stops every stage task, withdraws the receive on the input and leaves it open', async () => {
      const signals = new Set<AbortSignal>();
      const input = chan<number>();
      const watch: Stage<number> = (_n, signal) => {
        signals.add(signal);
        return true;
      };
      const out = daisyChain(input, [watch, watch, watch]);
      await input.send(1);
      await input.send(2);

      out.cancel();
      await out.done;

      expect([...signals].map((signal) => signal.aborted)).toEqual([true]);
      expect(input.trySend(3)).toBe(false);
      expect(input.closed).toBe(false);
    });

    it('hands the value waiting for the output to onUndelivered', async () => {
      const undelivered: number[] = [];
      const out = daisyChain(closedWith([1, 2]), [], { onUndelivered: (n) => undelivered.push(n) });
      await flush();

      out.cancel();
      await out.done;

      expect(undelivered).toEqual([1]);
    });
  });

  describe('when the signal aborts', () => {
    it('stops every stage and closes the output', async () => {
      const controller = new AbortController();
      const numbers = produce(function* () {
        for (let n = 2; ; n++) yield n;
      });
      const primes = daisyChain(numbers, [], {
        extend: dropMultiplesOf,
        signal: controller.signal,
      });
      await primes.receive();
      await primes.receive();

      controller.abort('enough');
      await primes.done;

      expect(primes.closed).toBe(true);
      expect(numbers.closed).toBe(false);
      numbers.cancel();
    });
  });
});
