import { Subject, lastValueFrom, of, take, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { BufferOverflowError, chan, type Channel } from '../../src/index.js';
import { dispatch } from '../../src/rxjs.js';

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

/**
 * A handler whose values each wait for their own gate (opened by
 * `open(value)`), logging start, end and abort; it returns `value!`.
 */
function gatedHandler(steps: string[]) {
  const gates = new Map<string, Channel<void>>();
  const gateOf = (value: string): Channel<void> => {
    let gate = gates.get(value);
    if (gate === undefined) {
      gate = chan<void>(1);
      gates.set(value, gate);
    }
    return gate;
  };
  const state = { running: 0, maxRunning: 0 };
  const handler = async (value: string, signal: AbortSignal): Promise<string> => {
    state.running++;
    state.maxRunning = Math.max(state.maxRunning, state.running);
    steps.push(`${value} starts`);
    // The signal is shared by every job, so the listener goes when the job ends.
    const aborted = (): void =>
      void steps.push(`${value} aborted: ${(signal.reason as Error).message}`);
    signal.addEventListener('abort', aborted);
    try {
      await gateOf(value).receive();
      steps.push(`${value} ends`);
      return `${value}!`;
    } finally {
      signal.removeEventListener('abort', aborted);
      state.running--;
    }
  };
  const open = (value: string): void => void gateOf(value).trySend();
  return { handler, open, state };
}

describe('dispatch', () => {
  describe('arguments', () => {
    it('throws a TypeError for a handler that is not a function', () => {
      expectThrow(
        () => dispatch('h' as never, { maxWorkers: 1, maxQueue: 1 }),
        TypeError,
        'dispatch(): handler must be a function, got "h"',
      );
    });

    it('throws a TypeError for options that are not an object', () => {
      expectThrow(
        () => dispatch(() => 1, undefined as never),
        TypeError,
        'dispatch(): options must be an object, got undefined',
      );
    });

    it('throws a RangeError for sizes that are not positive integers', () => {
      expectThrow(
        () => dispatch(() => 1, { maxWorkers: 0, maxQueue: 1 }),
        RangeError,
        'dispatch(): maxWorkers must be a positive integer, got 0',
      );
      expectThrow(
        () => dispatch(() => 1, { maxWorkers: 1, maxQueue: Infinity }),
        RangeError,
        'dispatch(): maxQueue must be a positive integer, got Infinity',
      );
    });

    it('throws a TypeError for a key that is not a function', () => {
      expectThrow(
        () => dispatch(() => 1, { maxWorkers: 1, maxQueue: 1, key: 'id' as never }),
        TypeError,
        'dispatch(): key must be a function, got "id"',
      );
    });
  });

  describe('without a key', () => {
    it('emits results as handlers finish, not in source order', async () => {
      const steps: string[] = [];
      const { handler, open } = gatedHandler(steps);
      const source = new Subject<string>();
      const results: string[] = [];
      source.pipe(dispatch(handler, { maxWorkers: 2, maxQueue: 2 })).subscribe({
        next: (result) => void results.push(result),
        complete: () => void steps.push('complete'),
      });

      source.next('a');
      source.next('b');
      source.complete();
      await flush();
      open('b');
      await flush();
      open('a');
      await flush();

      expect(results).toEqual(['b!', 'a!']);
      expect(steps).toEqual(['a starts', 'b starts', 'b ends', 'a ends', 'complete']);
    });

    it('never runs more than maxWorkers handlers at once', async () => {
      const steps: string[] = [];
      const { handler, open, state } = gatedHandler(steps);
      const values = ['a', 'b', 'c', 'd', 'e', 'f'];
      const results = lastValueFrom(
        of(...values).pipe(dispatch(handler, { maxWorkers: 2, maxQueue: 6 }), toArray()),
      );

      for (const value of values) {
        await flush();
        open(value);
      }

      expect((await results).sort()).toEqual(['a!', 'b!', 'c!', 'd!', 'e!', 'f!']);
      expect(state.maxRunning).toBe(2);
    });

    it('errors with BufferOverflowError when more than maxQueue values wait', async () => {
      const steps: string[] = [];
      const { handler } = gatedHandler(steps);
      const source = new Subject<string>();
      let failure: unknown;
      source.pipe(dispatch(handler, { maxWorkers: 1, maxQueue: 1 })).subscribe({
        error: (error: unknown) => void (failure = error),
      });
      source.next('a');
      await flush();
      source.next('b');

      source.next('c');
      await flush();

      expect(failure).toBeInstanceOf(BufferOverflowError);
      expect(steps).toEqual(['a starts', 'a aborted: buffer overflow: more than 1 values waiting']);
      expect(source.observed).toBe(false);
    });
  });

  describe('with a key', () => {
    it('handles values of one key one at a time, in source order', async () => {
      const steps: string[] = [];
      const { handler, open, state } = gatedHandler(steps);
      const results = lastValueFrom(
        of('a1', 'a2', 'a3').pipe(
          dispatch(handler, { maxWorkers: 3, maxQueue: 3, key: (v) => v[0] as string }),
          toArray(),
        ),
      );

      await flush();
      open('a3');
      open('a2');
      await flush();
      open('a1');

      expect(await results).toEqual(['a1!', 'a2!', 'a3!']);
      expect(steps).toEqual([
        'a1 starts',
        'a1 ends',
        'a2 starts',
        'a2 ends',
        'a3 starts',
        'a3 ends',
      ]);
      expect(state.maxRunning).toBe(1);
    });

    it('runs values of different keys concurrently', async () => {
      const steps: string[] = [];
      const { handler, open } = gatedHandler(steps);
      const results = lastValueFrom(
        of('a1', 'a2', 'b1', 'b2').pipe(
          dispatch(handler, { maxWorkers: 2, maxQueue: 4, key: (v) => v[0] as string }),
          toArray(),
        ),
      );

      await flush();
      steps.push('both keys started');
      open('b1');
      await flush();
      open('b2');
      await flush();
      open('a1');
      await flush();
      open('a2');

      expect(await results).toEqual(['b1!', 'b2!', 'a1!', 'a2!']);
      expect(steps).toEqual([
        'a1 starts',
        'b1 starts',
        'both keys started',
        'b1 ends',
        'b2 starts',
        'b2 ends',
        'a1 ends',
        'a2 starts',
        'a2 ends',
      ]);
    });

    it('counts values waiting behind a busy key toward maxQueue', async () => {
      const steps: string[] = [];
      const { handler } = gatedHandler(steps);
      const source = new Subject<string>();
      let failure: unknown;
      source
        .pipe(dispatch(handler, { maxWorkers: 2, maxQueue: 2, key: (v) => v[0] as string }))
        .subscribe({ error: (error: unknown) => void (failure = error) });
      source.next('a1');
      await flush();

      source.next('a2');
      source.next('a3');
      const afterTwo = failure;
      source.next('a4');

      expect(afterTwo).toBeUndefined();
      expect(failure).toBeInstanceOf(BufferOverflowError);
    });

    it('errors when the key function throws', async () => {
      const failure = lastValueFrom(
        of('a', 'b').pipe(
          dispatch(async (v: string) => v, {
            maxWorkers: 1,
            maxQueue: 2,
            key: (v) => {
              if (v === 'b') throw new Error('no key for b');
              return v;
            },
          }),
        ),
      );

      await expect(failure).rejects.toThrow('no key for b');
    });
  });

  describe('errors', () => {
    it('fails fast on a handler failure and aborts every running handler', async () => {
      const steps: string[] = [];
      const { handler } = gatedHandler(steps);
      const source = new Subject<string>();
      let failure: unknown;
      source
        .pipe(
          dispatch(
            (value: string, signal: AbortSignal) =>
              value === 'bad' ? Promise.reject(new Error('bad value')) : handler(value, signal),
            { maxWorkers: 3, maxQueue: 3 },
          ),
        )
        .subscribe({ error: (error: unknown) => void (failure = error) });
      source.next('a');
      source.next('b');
      await flush();

      source.next('bad');
      await flush();

      expect((failure as Error).message).toBe('bad value');
      expect(steps).toEqual([
        'a starts',
        'b starts',
        'a aborted: bad value',
        'b aborted: bad value',
      ]);
    });

    it('fails fast on a source error and aborts every running handler', async () => {
      const steps: string[] = [];
      const { handler } = gatedHandler(steps);
      const source = new Subject<string>();
      let failure: unknown;
      source.pipe(dispatch(handler, { maxWorkers: 1, maxQueue: 1 })).subscribe({
        error: (error: unknown) => void (failure = error),
      });
      source.next('a');
      await flush();

      source.error(new Error('source broke'));

      expect((failure as Error).message).toBe('source broke');
      expect(steps).toEqual(['a starts', 'a aborted: source broke']);
    });
  });

  describe('completion and unsubscribe', () => {
    it('completes at once for an empty source', async () => {
      const results = await lastValueFrom(
        of<string>().pipe(
          dispatch(async (v: string) => v, { maxWorkers: 1, maxQueue: 1 }),
          toArray(),
        ),
      );

      expect(results).toEqual([]);
    });

    it('aborts running handlers and drops waiting values on unsubscribe', async () => {
      const steps: string[] = [];
      const { handler, open } = gatedHandler(steps);
      const source = new Subject<string>();
      const results: string[] = [];
      const subscription = source
        .pipe(dispatch(handler, { maxWorkers: 1, maxQueue: 2 }))
        .subscribe((result) => void results.push(result));
      source.next('a');
      source.next('b');
      await flush();

      subscription.unsubscribe();
      open('a');
      await flush();

      expect(steps).toEqual(['a starts', 'a aborted: This operation was aborted', 'a ends']);
      expect(results).toEqual([]);
      expect(source.observed).toBe(false);
    });

    it('stops the workers when a downstream take unsubscribes from inside next', async () => {
      const steps: string[] = [];
      const { handler, open } = gatedHandler(steps);
      const results = lastValueFrom(
        of('a', 'b').pipe(dispatch(handler, { maxWorkers: 2, maxQueue: 2 }), take(1), toArray()),
      );

      await flush();
      open('a');

      expect(await results).toEqual(['a!']);
      expect(steps).toEqual([
        'a starts',
        'b starts',
        'a ends',
        'b aborted: This operation was aborted',
      ]);
    });
  });
});
