import { Observable, Subject, concat, of, range, throwError } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { BufferOverflowError } from '../../src/index.js';
import { toAsyncIterable, type OverflowPolicy } from '../../src/rxjs.js';

function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** An Observable that logs its subscription and teardown, completing if asked. */
function logged<T>(log: string[], values: T[], complete = false): Observable<T> {
  return new Observable<T>((subscriber) => {
    log.push('subscribe');
    for (const v of values) subscriber.next(v);
    if (complete) subscriber.complete();
    return () => log.push('teardown');
  });
}

describe('toAsyncIterable', () => {
  describe('arguments', () => {
    it('rejects bad options synchronously, naming itself', () => {
      expect(() => toAsyncIterable(of(1), { overflow: 'latest' as OverflowPolicy })).toThrow(
        new TypeError(
          "toAsyncIterable(): overflow must be 'error', 'drop-newest', 'drop-oldest' or 'unbounded', got \"latest\"",
        ),
      );
      expect(() => toAsyncIterable(of(1), { capacity: 0 })).toThrow(
        new RangeError(
          'toAsyncIterable(): capacity must be a positive integer for a push source, got 0',
        ),
      );
    });
  });

  describe('subscription', () => {
    it('subscribes only when a loop starts, and anew for each loop', async () => {
      const log: string[] = [];
      const values = toAsyncIterable(logged(log, [1, 2], true));
      log.push('created');

      for await (const v of values) log.push(`got ${v}`);
      for await (const v of values) log.push(`again ${v}`);

      expect(log).toEqual([
        'created',
        'subscribe',
        'teardown',
        'got 1',
        'got 2',
        'subscribe',
        'teardown',
        'again 1',
        'again 2',
      ]);
    });
  });

  describe('break', () => {
    it('unsubscribes the source', async () => {
      const log: string[] = [];

      for await (const v of toAsyncIterable(logged(log, [1, 2, 3]))) {
        log.push(`got ${v}`);
        break;
      }

      expect(log).toEqual(['subscribe', 'got 1', 'teardown']);
    });

    it('unsubscribes a source that is still emitting', async () => {
      const source = new Subject<number>();
      const log: string[] = [];

      const loop = (async () => {
        for await (const v of toAsyncIterable(source)) {
          log.push(`got ${v}`);
          if (v === 2) break;
        }
        log.push('loop over');
      })();
      source.next(1);
      source.next(2);
      await loop;

      expect(log).toEqual(['got 1', 'got 2', 'loop over']);
      expect(source.observed).toBe(false);
    });

    it('unsubscribes when the loop body throws', async () => {
      const log: string[] = [];

      const loop = (async () => {
        for await (const _ of toAsyncIterable(logged(log, [1]))) throw new Error('body failed');
      })();

      await expect(loop).rejects.toThrow('body failed');
      expect(log).toEqual(['subscribe', 'teardown']);
    });
  });

  describe('errors', () => {
    it('throws the source error after the buffered values', async () => {
      const log: string[] = [];

      try {
        for await (const v of toAsyncIterable(
          concat(
            of(1, 2),
            throwError(() => 'broken'),
          ),
        )) {
          log.push(`got ${v}`);
        }
      } catch (error) {
        log.push(`threw ${String(error)}`);
      }

      expect(log).toEqual(['got 1', 'got 2', 'threw broken']);
    });

    it('throws BufferOverflowError after the values that fit', async () => {
      const seen: number[] = [];

      const loop = (async () => {
        for await (const v of toAsyncIterable(range(0, 10), { capacity: 3 })) seen.push(v);
      })();

      await expect(loop).rejects.toEqual(new BufferOverflowError(3));
      expect(seen).toEqual([0, 1, 2]);
    });
  });

  describe('overflow policies', () => {
    it("keeps the newest values with 'drop-oldest' while the loop body is slow", async () => {
      const source = new Subject<number>();
      const seen: number[] = [];

      const loop = (async () => {
        for await (const v of toAsyncIterable(source, { capacity: 2, overflow: 'drop-oldest' })) {
          seen.push(v);
          await flush();
        }
      })();
      source.next(1);
      for (let i = 2; i <= 6; i++) source.next(i);
      source.complete();
      await loop;

      expect(seen).toEqual([1, 5, 6]);
    });
  });

  describe('abort', () => {
    it('unsubscribes the source and makes the loop throw the reason', async () => {
      const controller = new AbortController();
      const log: string[] = [];
      const source = new Subject<number>();

      const loop = (async () => {
        for await (const v of toAsyncIterable(source, { signal: controller.signal })) {
          log.push(`got ${v}`);
        }
      })();
      await flush();
      controller.abort(new Error('user left'));

      await expect(loop).rejects.toThrow('user left');
      expect(log).toEqual([]);
      expect(source.observed).toBe(false);
    });
  });
});
