import { Observable, Subject, concat, config, of, range, tap, throwError } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { afterEach, describe, expect, it } from 'vitest';
import {
  BufferOverflowError,
  ChannelClosedError,
  chan,
  onReceive,
  select,
  type ReceiveChannel,
} from '../../src/index.js';
import { toChannel, type OverflowPolicy } from '../../src/rxjs.js';

function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function marbles(): TestScheduler {
  return new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
}

/** Takes every value the channel holds now, then reports how it stands. */
function drainNow<T>(ch: ReceiveChannel<T>): { values: T[]; end: string } {
  const values: T[] = [];
  for (;;) {
    const result = ch.tryReceive();
    if (result === undefined) return { values, end: 'open' };
    if (!result.ok) {
      const error = ch.closeError;
      return { values, end: error === undefined ? 'closed' : `failed: ${String(error)}` };
    }
    values.push(result.value);
  }
}

/** An async generator that logs each step, to show when it is advanced. */
async function* stepLogged(log: string[], count: number): AsyncGenerator<number> {
  try {
    for (let i = 1; i <= count; i++) {
      log.push(`yield ${i}`);
      yield i;
    }
    log.push('source done');
  } finally {
    log.push('source finally');
  }
}

describe('toChannel', () => {
  afterEach(() => {
    config.onUnhandledError = null;
  });

  describe('arguments', () => {
    it.each([
      [0, 'toChannel(): capacity must be a positive integer for a push source, got 0'],
      [1.5, 'toChannel(): capacity must be a positive integer for a push source, got 1.5'],
      [
        Infinity,
        'toChannel(): capacity must be a positive integer for a push source, got Infinity',
      ],
    ])('rejects push capacity %s with a RangeError', (capacity, message) => {
      expect(() => toChannel(of(1), { capacity })).toThrow(new RangeError(message));
    });

    it('rejects a negative pull capacity with a RangeError', () => {
      expect(() => toChannel([1], { capacity: -1 })).toThrow(
        new RangeError(
          'toChannel(): capacity must be a non-negative integer for a pull source, got -1',
        ),
      );
    });

    it("rejects a capacity given with overflow 'unbounded'", () => {
      expect(() => toChannel(of(1), { capacity: 4, overflow: 'unbounded' })).toThrow(
        new RangeError(
          "toChannel(): overflow 'unbounded' sets its own capacity, so none may be given, got 4",
        ),
      );
    });

    it('rejects an unknown overflow policy with a TypeError', () => {
      expect(() => toChannel(of(1), { overflow: 'block' as OverflowPolicy })).toThrow(
        new TypeError(
          "toChannel(): overflow must be 'error', 'drop-newest', 'drop-oldest' or 'unbounded', got \"block\"",
        ),
      );
    });

    it('rejects an input that is neither an Observable nor an iterable', () => {
      expect(() => toChannel(42 as unknown as Iterable<number>)).toThrow(
        new TypeError(
          'toChannel(): input must be an Observable, a promise or an (async) iterable, got 42',
        ),
      );
    });

    it('rejects a signal that is not an AbortSignal', () => {
      expect(() => toChannel(of(1), { signal: {} as AbortSignal })).toThrow(
        new TypeError('toChannel(): signal must be an AbortSignal, got an object'),
      );
    });

    it('rejects options that are not an object', () => {
      expect(() => toChannel(of(1), 3 as never)).toThrow(
        new TypeError('toChannel(): options must be an object, got 3'),
      );
    });

    it('subscribes to nothing when an argument is bad', () => {
      const log: string[] = [];
      const source = new Observable<number>(() => void log.push('subscribed'));

      expect(() => toChannel(source, { capacity: -1 })).toThrow(RangeError);

      expect(log).toEqual([]);
    });
  });

  describe('push source', () => {
    it('subscribes at once and buffers values until they are received', async () => {
      const source = new Subject<number>();
      const ch = toChannel(source, { capacity: 4 });

      source.next(1);
      source.next(2);

      expect(ch.length).toBe(2);
      expect(await ch.receive()).toBe(1);
      expect(await ch.receive()).toBe(2);
    });

    it('hands a value straight to a waiting receiver', async () => {
      const source = new Subject<string>();
      const ch = toChannel(source, { capacity: 1 });
      const received = ch.receive();

      source.next('now');

      expect(await received).toBe('now');
      expect(ch.length).toBe(0);
    });

    it('closes after the buffered values when the source completes', () => {
      marbles().run(({ cold, flush: run }) => {
        const ch = toChannel(cold('a-b-c|'));

        run();

        expect(drainNow(ch)).toEqual({ values: ['a', 'b', 'c'], end: 'closed' });
      });
    });

    it('fails after the buffered values when the source errors', () => {
      marbles().run(({ cold, flush: run }) => {
        const ch = toChannel(cold('a-b-#', undefined, 'gone'));

        run();

        expect(drainNow(ch)).toEqual({ values: ['a', 'b'], end: 'failed: gone' });
      });
    });

    it('rejects receive with the source error once the buffer is drained', async () => {
      const error = new Error('source down');
      const ch = toChannel(
        concat(
          of(1),
          throwError(() => error),
        ),
      );

      const first = await ch.receive();

      expect(first).toBe(1);
      await expect(ch.receive()).rejects.toBe(error);
      await expect(ch.receive()).rejects.toBe(error);
    });

    it('rejects a receive that was already waiting when the source errors', async () => {
      const source = new Subject<number>();
      const ch = toChannel(source);
      const waiting = ch.receive();

      source.error(new Error('late failure'));

      await expect(waiting).rejects.toThrow('late failure');
    });

    it('ends a for await loop with the source error after the buffered values', async () => {
      const ch = toChannel(
        concat(
          of('a', 'b'),
          throwError(() => new Error('broken')),
        ),
      );
      const log: string[] = [];

      try {
        for await (const v of ch) log.push(v);
      } catch (error) {
        log.push(`threw ${(error as Error).message}`);
      }

      expect(log).toEqual(['a', 'b', 'threw broken']);
    });

    it('reports ok: false to a select case, with the error in closeError', async () => {
      const ch = toChannel(throwError(() => new Error('nope')));

      const result = await select({ got: onReceive(ch) });

      expect(result).toEqual({ key: 'got', value: undefined, ok: false });
      expect((ch.closeError as Error).message).toBe('nope');
    });

    it('reads a promise as a source of one value', async () => {
      const ch = toChannel(Promise.resolve('once'));

      expect(await ch.receive()).toBe('once');
      expect(await ch.receiveOk()).toEqual({ value: undefined, ok: false });
    });
  });

  describe('push overflow', () => {
    it("'error' keeps the buffered values, then fails with BufferOverflowError and unsubscribes", () => {
      marbles().run(({ cold, expectSubscriptions, flush: run }) => {
        const source = cold('abcde|');
        const ch = toChannel(source, { capacity: 2 });

        run();

        expect(ch.tryReceive()).toEqual({ value: 'a', ok: true });
        expect(ch.tryReceive()).toEqual({ value: 'b', ok: true });
        expect(ch.tryReceive()).toEqual({ value: undefined, ok: false });
        expect(ch.closeError).toEqual(new BufferOverflowError(2));
        expectSubscriptions(source.subscriptions).toBe('^-!');
      });
    });

    it("'drop-newest' keeps the oldest values and stays subscribed", () => {
      marbles().run(({ cold, flush: run }) => {
        const ch = toChannel(cold('abcde|'), { capacity: 2, overflow: 'drop-newest' });

        run();

        expect(drainNow(ch)).toEqual({ values: ['a', 'b'], end: 'closed' });
      });
    });

    it("'drop-oldest' keeps the newest values", () => {
      marbles().run(({ cold, flush: run }) => {
        const ch = toChannel(cold('abcde|'), { capacity: 2, overflow: 'drop-oldest' });

        run();

        expect(drainNow(ch)).toEqual({ values: ['d', 'e'], end: 'closed' });
      });
    });

    it("'unbounded' keeps every value", () => {
      const ch = toChannel(range(0, 1000), { overflow: 'unbounded' });

      const { values, end } = drainNow(ch);

      expect(values).toHaveLength(1000);
      expect(values[999]).toBe(999);
      expect(end).toBe('closed');
    });

    it('defaults to a buffer of 16 with the error policy', () => {
      const ch = toChannel(range(0, 17));

      const { values, end } = drainNow(ch);

      expect(values).toHaveLength(16);
      expect(end).toBe('failed: BufferOverflowError: buffer overflow: more than 16 values waiting');
    });

    it('stops a synchronous source that would never end, during subscribe', () => {
      let emitted = 0;
      const endless = range(0, Number.MAX_SAFE_INTEGER).pipe(tap(() => emitted++));

      const ch = toChannel(endless, { capacity: 3 });

      expect(emitted).toBe(4);
      expect(ch.length).toBe(3);
    });
  });

  describe('push cancel and abort', () => {
    it('unsubscribes the source when the consumer cancels', () => {
      const log: string[] = [];
      const source = new Observable<number>((subscriber) => {
        subscriber.next(1);
        return () => log.push('teardown');
      });
      const ch = toChannel(source);

      ch.cancel();

      expect(log).toEqual(['teardown']);
      expect(ch.length).toBe(0);
      expect(ch.closeError).toBeUndefined();
    });

    it('unsubscribes the source and rejects receives with the reason on abort', async () => {
      const log: string[] = [];
      const source = new Observable<number>((subscriber) => {
        subscriber.next(1);
        return () => log.push('teardown');
      });
      const controller = new AbortController();
      const ch = toChannel(source, { signal: controller.signal });
      const reason = new Error('stop');

      controller.abort(reason);

      expect(log).toEqual(['teardown']);
      expect(ch.length).toBe(0);
      await expect(ch.receive()).rejects.toBe(reason);
    });

    it('never subscribes when the signal has already aborted', async () => {
      const log: string[] = [];
      const source = new Observable<number>(() => void log.push('subscribed'));

      const ch = toChannel(source, { signal: AbortSignal.abort('early') });

      expect(log).toEqual([]);
      await expect(ch.receive()).rejects.toBe('early');
    });

    it('changes nothing when the signal aborts after the source completed', async () => {
      const controller = new AbortController();
      const ch = toChannel(of(1, 2), { signal: controller.signal });

      controller.abort();

      expect(await ch.receive()).toBe(1);
      expect(await ch.receive()).toBe(2);
      await expect(ch.receive()).rejects.toBeInstanceOf(ChannelClosedError);
    });
  });

  describe('pull source', () => {
    it('advances an async generator only as values are taken', async () => {
      const log: string[] = [];
      const ch = toChannel(stepLogged(log, 3));
      await flush();
      await flush();
      log.push('consumer starts');

      log.push(`took ${ch.tryReceive()?.value}`);
      await flush();
      log.push(`took ${ch.tryReceive()?.value}`);
      await flush();

      expect(log).toEqual(['yield 1', 'consumer starts', 'took 1', 'yield 2', 'took 2', 'yield 3']);
    });

    it('runs at most capacity values ahead', async () => {
      const log: string[] = [];
      const ch = toChannel(stepLogged(log, 10), { capacity: 2 });

      await flush();

      // Two values buffered and one more read, waiting in send.
      expect(log).toEqual(['yield 1', 'yield 2', 'yield 3']);
      expect(ch.length).toBe(2);
    });

    it('closes after the last value when the source is done', async () => {
      const log: string[] = [];
      const ch = toChannel(stepLogged(log, 2));
      const values: number[] = [];

      for await (const v of ch) values.push(v);

      expect(values).toEqual([1, 2]);
      expect(log.slice(-2)).toEqual(['source done', 'source finally']);
    });

    it('fails after the values read when the source throws', async () => {
      async function* failing(): AsyncGenerator<number> {
        yield 1;
        throw new Error('read failed');
      }
      const ch = toChannel(failing(), { capacity: 4 });
      const values: number[] = [];

      const loop = (async () => {
        for await (const v of ch) values.push(v);
      })();

      await expect(loop).rejects.toThrow('read failed');
      expect(values).toEqual([1]);
    });

    it('calls return() on the iterator when the consumer cancels', async () => {
      const log: string[] = [];
      const ch = toChannel(stepLogged(log, 5));
      expect(await ch.receive()).toBe(1);
      await flush();

      ch.cancel();
      await flush();

      expect(log).toEqual(['yield 1', 'yield 2', 'source finally']);
    });

    it('calls return() on the iterator when the signal aborts', async () => {
      const log: string[] = [];
      const controller = new AbortController();
      const ch = toChannel(stepLogged(log, 5), { signal: controller.signal });
      await flush();

      controller.abort(new Error('enough'));
      await flush();

      expect(log).toEqual(['yield 1', 'source finally']);
      await expect(ch.receive()).rejects.toThrow('enough');
    });

    it('reads a plain iterable the same way', async () => {
      const ch = toChannel(new Set(['x', 'y']));
      const values: string[] = [];

      for await (const v of ch) values.push(v);

      expect(values).toEqual(['x', 'y']);
    });

    it('reads one of our channels by receiving, leaving the rest after a cancel', async () => {
      const source = chan<number>(8);
      for (let i = 0; i < 6; i++) source.trySend(i);
      const ch = toChannel(source);

      const taken = [await ch.receive(), await ch.receive()];
      await flush();
      ch.cancel();

      expect(taken).toEqual([0, 1]);
      // The value read for the cancelled send (2) is discarded with it.
      expect(source.length).toBe(3);
      expect(source.closed).toBe(false);
    });

    it('passes on the failure of a failed channel it reads', async () => {
      const failed = toChannel(throwError(() => new Error('upstream')));

      const ch = toChannel(failed);

      await expect(ch.receive()).rejects.toThrow('upstream');
    });

    it('reports an error thrown by return() as unhandled', async () => {
      const reported: unknown[] = [];
      config.onUnhandledError = (error) => reported.push(error);
      const iterable: Iterable<number> = {
        [Symbol.iterator]: () => ({
          next: () => ({ value: 1, done: false }),
          return: () => {
            throw new Error('cleanup failed');
          },
        }),
      };
      const ch = toChannel(iterable);
      await flush();

      ch.cancel();
      await flush();

      expect(reported).toEqual([new Error('cleanup failed')]);
    });
  });
});
