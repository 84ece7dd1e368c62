import { Subject, lastValueFrom, of, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { BufferOverflowError, PoolClosedError, ResourcePool } from '../../src/index.js';
import { withResource } from '../../src/rxjs.js';

/** Lets every queued promise job run (a macrotask turn, not a timed sleep). */
function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** A promise with its settle functions. */
function deferred<T>(): { promise: Promise<T>; resolve(v: T): void; reject(e: unknown): void } {
  let resolve: (v: T) => void = () => {};
  let reject: (e: unknown) => void = () => {};
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

interface Conn {
  id: number;
  close(): void;
}

/** A pool of connections numbered from 1; `closed` lists closed ids. */
function connPool(size: number, max?: number) {
  let made = 0;
  const closed: number[] = [];
  const pool = new ResourcePool<Conn>(
    () => {
      const id = ++made;
      return { id, close: () => void closed.push(id) };
    },
    { size, max },
  );
  return { pool, closed, made: () => made };
}

describe('withResource', () => {
  describe('arguments', () => {
    const { pool } = connPool(1);
    const work = (conn: Conn, n: number) => conn.id + n;

    it('throws a TypeError when pool is not a ResourcePool', () => {
      expect(() => withResource({} as never, work, { concurrency: 1 })).toThrow(
        'withResource(): pool must be a ResourcePool, got an object',
      );
    });

    it('throws a TypeError when work is not a function', () => {
      expect(() => withResource(pool, null as never, { concurrency: 1 })).toThrow(
        'withResource(): work must be a function, got null',
      );
    });

    it('throws for bad options when the operator is made', () => {
      expect(() => withResource(pool, work, undefined as never)).toThrow(TypeError);
      expect(() => withResource(pool, work, { concurrency: 0 })).toThrow(
        'withResource(): concurrency must be a positive integer, got 0',
      );
      expect(() => withResource(pool, work, { concurrency: 1, ordered: 'yes' as never })).toThrow(
        TypeError,
      );
      expect(() => withResource(pool, work, { concurrency: 1, capacity: 0 })).toThrow(
        'withResource(): capacity must be a positive integer, got 0',
      );
    });
  });

  describe('work', () => {
    it('runs each value with a leased resource and releases it afterwards', async () => {
      const { pool, made } = connPool(2, 2);

      const results = await lastValueFrom(
        of(1, 2, 3, 4, 5).pipe(
          withResource(pool, async (conn, n) => `${n}@${conn.id}`, {
            concurrency: 5,
            ordered: true,
          }),
          toArray(),
        ),
      );

      expect(results).toEqual(['1@1', '2@2', '3@1', '4@2', '5@1']);
      expect([made(), pool.idle, pool.live]).toEqual([2, 2, 2]);
    });

    it('never lends one resource to two values at once, nor exceeds the pool max', async () => {
      const { pool } = connPool(1, 3);
      const inUse = new Set<number>();
      const steps: string[] = [];
      let mostLive = 0;

      await lastValueFrom(
        of(...Array.from({ length: 12 }, (_, i) => i)).pipe(
          withResource(
            pool,
            async (conn) => {
              if (inUse.has(conn.id)) steps.push(`conn ${conn.id} shared`);
              inUse.add(conn.id);
              mostLive = Math.max(mostLive, pool.live);
              await flush();
              inUse.delete(conn.id);
            },
            { concurrency: 5 },
          ),
          toArray(),
        ),
      );

      expect(steps).toEqual([]);
      expect(mostLive).toBe(3);
      expect([pool.live, pool.idle]).toEqual([1, 1]);
    });

    it('emits results as they complete when not ordered', async () => {
      const { pool } = connPool(2, 2);
      const gates = [deferred<void>(), deferred<void>()];
      const emitted: string[] = [];
      const done = lastValueFrom(
        of(0, 1).pipe(
          withResource(
            pool,
            async (conn, n) => {
              await gates[n]!.promise;
              return `${n}@${conn.id}`;
            },
            { concurrency: 2 },
          ),
          toArray(),
        ),
      ).then((all) => emitted.push(...all));

      gates[1]!.resolve();
      await flush();
      gates[0]!.resolve();
      await done;

      expect(emitted).toEqual(['1@2', '0@1']);
    });
  });

  describe('errors', () => {
    it('fails fast, withdraws waiting acquires and releases the failed lease', async () => {
      const { pool } = connPool(1, 1);
      const failure = new Error('query failed');
      const started: number[] = [];

      const outcome = lastValueFrom(
        of(1, 2, 3).pipe(
          withResource(
            pool,
            (_conn, n) => {
              started.push(n);
              throw failure;
            },
            { concurrency: 3 },
          ),
        ),
      );

      await expect(outcome).rejects.toBe(failure);
      await flush();
      expect(started).toEqual([1]);
      expect([pool.waiting, pool.idle, pool.live]).toEqual([0, 1, 1]);
    });

    it('errors with PoolClosedError when the pool is closed', async () => {
      const { pool } = connPool(1);
      await pool.close();

      const outcome = lastValueFrom(of(1).pipe(withResource(pool, () => 0, { concurrency: 1 })));

      await expect(outcome).rejects.toThrow(PoolClosedError);
    });

    it('errors with BufferOverflowError when values outrun the entry buffer', async () => {
      const { pool } = connPool(1, 1);
      const source = new Subject<number>();
      const gate = deferred<void>();
      const outcome = lastValueFrom(
        source.pipe(withResource(pool, () => gate.promise, { concurrency: 1, capacity: 1 })),
      );
      source.next(1);
      await flush();

      source.next(2);
      source.next(3);

      await expect(outcome).rejects.toThrow(BufferOverflowError);
      expect([pool.live, pool.idle]).toEqual([1, 0]);
      gate.resolve();
      await flush();
      expect([pool.live, pool.idle]).toEqual([1, 1]);
    });
  });

  describe('unsubscribe', () => {
    it('withdraws waiting acquires, aborts running work and releases its lease once it settles', async () => {
      const { pool } = connPool(1, 1);
      const source = new Subject<number>();
      const steps: string[] = [];
      const gate = deferred<void>();
      const subscription = source
        .pipe(
          withResource(
            pool,
            async (conn, n, signal) => {
              signal.addEventListener('abort', () => steps.push(`work ${n} aborted`));
              await gate.promise;
              steps.push(`work ${n} settled`);
            },
            { concurrency: 2 },
          ),
        )
        .subscribe();
      source.next(1);
      source.next(2);
      await flush();
      steps.push(`waiting ${pool.waiting}, idle ${pool.idle}`);

      subscription.unsubscribe();
      steps.push(`waiting ${pool.waiting}, idle ${pool.idle}`);
      gate.resolve();
      await flush();
      steps.push(`waiting ${pool.waiting}, idle ${pool.idle}`);

      expect(steps).toEqual([
        'waiting 1, idle 0',
        'work 1 aborted',
        'waiting 0, idle 0',
        'work 1 settled',
        'waiting 0, idle 1',
      ]);
      expect(source.observed).toBe(false);
    });
  });
});
