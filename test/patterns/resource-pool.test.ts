import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import {
  PoolClosedError,
  ResourcePool,
  type ResourceCheck,
  type ResourcePoolOptions,
} from '../../src/index.js';

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

/** A promise with its settle functions, to control a factory or a check. */
function deferred<T>(): { promise: Promise<T>; resolve(v: T): void; reject(e: unknown): void } {
  let resolve: (v: T) => void = () => {};
  let reject: (e: unknown) => void = () => {};
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Records when a promise settles, for step logs. */
function track<T>(promise: Promise<T>, steps: string[], name: string, show: (v: T) => string) {
  return promise.then(
    (value) => void steps.push(`${name} got ${show(value)}`),
    (error: unknown) => void steps.push(`${name} rejected ${(error as Error).name}`),
  );
}

/** A fake connection that logs its close. */
class Conn {
  closes = 0;

  constructor(
    readonly id: number,
    private readonly steps: string[],
  ) {}

  close(): void {
    this.closes++;
    this.steps.push(`close ${this.id}`);
  }
}

/** A pool of Conns numbered from 1, logging creations and closes to `steps`. */
function connPool(steps: string[], options: ResourcePoolOptions<Conn>) {
  const made: Conn[] = [];
  const pool = new ResourcePool((signal) => {
    const conn = new Conn(made.length + 1, steps);
    made.push(conn);
    steps.push(`create ${conn.id}`);
    expect(signal).toBeInstanceOf(AbortSignal);
    return conn;
  }, options);
  return { pool, made };
}

const id = (conn: Conn) => String(conn.id);

describe('ResourcePool', () => {
  describe('construction', () => {
    const factory = () => ({ close() {} });

    it('throws a TypeError when the factory is not a function', () => {
      expectThrow(
        () => new ResourcePool(42 as never, { size: 1 }),
        TypeError,
        'ResourcePool(): factory must be a function, got 42',
      );
    });

    it('throws a TypeError when the options are not an object', () => {
      expectThrow(
        () => new ResourcePool(factory, undefined as never),
        TypeError,
        'ResourcePool(): options must be an object, got undefined',
      );
    });

    it.each([
      [0, 'ResourcePool(): size must be a positive integer, got 0'],
      [-1, 'ResourcePool(): size must be a positive integer, got -1'],
      [1.5, 'ResourcePool(): size must be a positive integer, got 1.5'],
      ['2', 'ResourcePool(): size must be a positive integer, got "2"'],
      [undefined, 'ResourcePool(): size must be a positive integer, got undefined'],
    ])('throws a RangeError for the size %s', (size, message) => {
      expectThrow(() => new ResourcePool(factory, { size: size as number }), RangeError, message);
    });

    it.each([
      [1, 'ResourcePool(): max must be Infinity or an integer of at least size (2), got 1'],
      [2.5, 'ResourcePool(): max must be Infinity or an integer of at least size (2), got 2.5'],
      [NaN, 'ResourcePool(): max must be Infinity or an integer of at least size (2), got NaN'],
      ['3', 'ResourcePool(): max must be Infinity or an integer of at least size (2), got "3"'],
    ])('throws a RangeError for the max %s below or beside the size 2', (max, message) => {
      expectThrow(
        () => new ResourcePool(factory, { size: 2, max: max as number }),
        RangeError,
        message,
      );
    });

    it('accepts a max equal to the size, and Infinity', () => {
      const bounded = new ResourcePool(factory, { size: 2, max: 2 });
      const unbounded = new ResourcePool(factory, { size: 2, max: Infinity });

      expect([bounded.size, bounded.max, unbounded.max]).toEqual([2, 2, Infinity]);
    });

    it('throws a TypeError when validate or onCloseError is not a function', () => {
      expectThrow(
        () => new ResourcePool(factory, { size: 1, validate: true as never }),
        TypeError,
        'ResourcePool(): validate must be a function, got true',
      );
      expectThrow(
        () => new ResourcePool(factory, { size: 1, onCloseError: {} as never }),
        TypeError,
        'ResourcePool(): onCloseError must be a function, got an object',
      );
    });

    it('starts empty and open, without calling the factory', () => {
      const steps: string[] = [];

      const { pool } = connPool(steps, { size: 2 });

      expect([pool.idle, pool.live, pool.waiting, pool.closed]).toEqual([0, 0, 0, false]);
      expect(steps).toEqual([]);
    });
  });

  describe('acquire', () => {
    it('creates a resource when none is idle and reuses released ones, oldest first', async () => {
      const steps: string[] = [];
      const { pool } = connPool(steps, { size: 2 });
      const a = await pool.acquire();
      const b = await pool.acquire();
      pool.release(a);
      pool.release(b);

      const again = [await pool.acquire(), await pool.acquire()];

      expect(again.map(id)).toEqual(['1', '2']);
      expect(steps).toEqual(['create 1', 'create 2']);
      expect([pool.idle, pool.live]).toEqual([0, 2]);
    });

    it('creates as many as asked without max, and closes the extras on release', async () => {
      const steps: string[] = [];
      const { pool } = connPool(steps, { size: 1 });
      const held = await Promise.all([pool.acquire(), pool.acquire(), pool.acquire()]);
      steps.push(`live ${pool.live}`);

      for (const conn of held) pool.release(conn);

      expect(steps).toEqual(['create 1', 'create 2', 'create 3', 'live 3', 'close 2', 'close 3']);
      expect([pool.idle, pool.live]).toEqual([1, 1]);
    });

    it('throws a TypeError synchronously for bad options', () => {
      const { pool } = connPool([], { size: 1 });

      expectThrow(
        () => pool.acquire(5 as never),
        TypeError,
        'ResourcePool.acquire(): options must be an object, got 5',
      );
      expectThrow(
        () => pool.acquire({ signal: 'stop' as never }),
        TypeError,
        'ResourcePool.acquire(): signal must be an AbortSignal, got "stop"',
      );
    });

    it('rejects with the reason of an already aborted signal and creates nothing', async () => {
      const steps: string[] = [];
      const { pool } = connPool(steps, { size: 1 });
      const reason = new Error('gave up');

      const outcome = pool.acquire({ signal: AbortSignal.abort(reason) });

      await expect(outcome).rejects.toBe(reason);
      expect(steps).toEqual([]);
      expect(pool.live).toBe(0);
    });

    it('leaves no listener on the caller signal once it resolves', async () => {
      const { pool } = connPool([], { size: 1 });
      const controller = new AbortController();

      await pool.acquire({ signal: controller.signal });

      expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    });
  });

  describe('acquire with max reached', () => {
    it('waits, and serves waiters first come, first served', async () => {
      const steps: string[] = [];
      const { pool } = connPool(steps, { size: 2, max: 2 });
      const a = await pool.acquire();
      const b = await pool.acquire();
      const first = track(pool.acquire(), steps, 'first', id);
      const second = track(pool.acquire(), steps, 'second', id);
      steps.push(`waiting ${pool.waiting}`);

      pool.release(b);
      await first;
      pool.release(a);
      await second;

      expect(steps).toEqual(['create 1', 'create 2', 'waiting 2', 'first got 2', 'second got 1']);
      expect([pool.idle, pool.live, pool.waiting]).toEqual([0, 2, 0]);
    });

    it('hands a released resource straight to the oldest waiter', async () => {
      const { pool } = connPool([], { size: 1, max: 1 });
      const a = await pool.acquire();
      const waiter = pool.acquire();

      pool.release(a);

      expect([pool.idle, pool.waiting, pool.live]).toEqual([0, 0, 1]);
      expect(await waiter).toBe(a);
    });

    it('gives the slot of a destroyed resource to the oldest waiter, who creates', async () => {
      const steps: string[] = [];
      const { pool } = connPool(steps, { size: 1, max: 1 });
      const a = await pool.acquire();
      const waiter = track(pool.acquire(), steps, 'waiter', id);

      pool.destroy(a);
      await waiter;

      expect(steps).toEqual(['create 1', 'close 1', 'create 2', 'waiter got 2']);
      expect(pool.live).toBe(1);
    });

    it('drops an aborted waiter from the line at once, leaving its turn to the next', async () => {
      const steps: string[] = [];
      const { pool } = connPool(steps, { size: 1, max: 1 });
      const a = await pool.acquire();
      const controller = new AbortController();
      const cancelled = track(pool.acquire({ signal: controller.signal }), steps, 'cancelled', id);
      const next = track(pool.acquire(), steps, 'next', id);

      controller.abort(new Error('gave up'));
      steps.push(`waiting ${pool.waiting}`);
      await cancelled;
      pool.release(a);
      await next;

      expect(steps).toEqual(['create 1', 'waiting 1', 'cancelled rejected Error', 'next got 1']);
      expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    });

    it('keeps a resource idle when its only waiter aborted', async () => {
      const { pool } = connPool([], { size: 1, max: 1 });
      const a = await pool.acquire();
      const controller = new AbortController();
      const cancelled = pool.acquire({ signal: controller.signal });
      controller.abort();
      await expect(cancelled).rejects.toThrow();

      pool.release(a);

      expect([pool.idle, pool.waiting, pool.live]).toEqual([1, 0, 1]);
    });
  });

  describe('acquire when the factory fails', () => {
    it('rejects with what the factory threw and frees the slot', async () => {
      const failure = new Error('refused');
      const pool = new ResourcePool<{ close(): void }>(
        () => {
          throw failure;
        },
        { size: 1, max: 1 },
      );

      await expect(pool.acquire()).rejects.toBe(failure);

      expect(pool.live).toBe(0);
    });

    it('lets the next waiter create after a rejected creation', async () => {
      const steps: string[] = [];
      const attempts = [deferred<Conn>(), deferred<Conn>()];
      let calls = 0;
      const pool = new ResourcePool(() => attempts[calls++]!.promise, { size: 1, max: 1 });
      const first = track(pool.acquire(), steps, 'first', id);
      const second = track(pool.acquire(), steps, 'second', id);
      steps.push(`calls ${calls}, waiting ${pool.waiting}`);

      attempts[0]!.reject(new Error('refused'));
      await first;
      await flush();
      steps.push(`calls ${calls}, waiting ${pool.waiting}, live ${pool.live}`);
      attempts[1]!.resolve(new Conn(7, steps));
      await second;

      expect(steps).toEqual([
        'calls 1, waiting 1',
        'first rejected Error',
        'calls 2, waiting 0, live 1',
        'second got 7',
      ]);
    });

    it.each([
      [{ name: 'no close' }, 'an object'],
      [null, 'null'],
      [undefined, 'undefined'],
      [{ close: 'yes' }, 'an object'],
    ])(
      'rejects with a TypeError when the factory makes %o, and frees the slot',
      async (made, shown) => {
        const pool = new ResourcePool(() => made as never as { close(): void }, {
          size: 1,
          max: 1,
        });

        const outcome = pool.acquire();

        await expect(outcome).rejects.toThrow(TypeError);
        await expect(outcome).rejects.toThrow(
          `ResourcePool.acquire(): factory must make an object with a close() method, got ${shown}`,
        );
        expect(pool.live).toBe(0);
      },
    );

    it('rejects with a TypeError when the factory makes a resource the pool already has', async () => {
      const shared = new Conn(1, []);
      const pool = new ResourcePool(() => shared, { size: 1 });
      await pool.acquire();

      const outcome = pool.acquire();

      await expect(outcome).rejects.toThrow(
        'ResourcePool.acquire(): factory must make a new resource, got one the pool already has',
      );
      expect([pool.live, shared.closes]).toEqual([1, 0]);
    });
  });

  describe('acquire with a health check', () => {
    it('reuses an idle resource that passes the check', async () => {
      const steps: string[] = [];
      const { pool } = connPool(steps, {
        size: 1,
        validate: (conn) => {
          steps.push(`check ${conn.id}`);
          return true;
        },
      });
      pool.release(await pool.acquire());

      const again = await pool.acquire();

      expect(again.id).toBe(1);
      expect(steps).toEqual(['create 1', 'check 1']);
    });

    it('closes a resource that fails and tries the next idle one', async () => {
      const steps: string[] = [];
      const { pool } = connPool(steps, {
        size: 2,
        max: 2,
        validate: async (conn) => conn.id !== 1,
      });
      const [a, b] = [await pool.acquire(), await pool.acquire()];
      pool.release(a);
      pool.release(b);

      const again = await pool.acquire();

      expect(again.id).toBe(2);
      expect(steps).toEqual(['create 1', 'create 2', 'close 1']);
      expect([pool.idle, pool.live]).toEqual([0, 1]);
    });

    it('makes a new resource in the slot when the last idle one fails', async () => {
      const steps: string[] = [];
      const { pool } = connPool(steps, { size: 1, max: 1, validate: () => false });
      pool.release(await pool.acquire());

      const again = await pool.acquire();

      expect(again.id).toBe(2);
      expect(steps).toEqual(['create 1', 'close 1', 'create 2']);
      expect(pool.live).toBe(1);
    });

    it.each<[string, ResourceCheck<Conn>]>([
      [
        'throws',
        () => {
          throw new Error('broken check');
        },
      ],
      ['rejects', () => Promise.reject(new Error('broken check'))],
      ['resolves a non-boolean', () => Promise.resolve('yes' as never)],
    ])('counts a check that %s as failed', async (_how, validate) => {
      const steps: string[] = [];
      const { pool } = connPool(steps, { size: 1, validate });
      pool.release(await pool.acquire());

      const again = await pool.acquire();

      expect(again.id).toBe(2);
      expect(steps).toEqual(['create 1', 'close 1', 'create 2']);
    });

    it('checks a resource handed to a waiter too', async () => {
      const steps: string[] = [];
      const { pool } = connPool(steps, { size: 1, max: 1, validate: () => false });
      const a = await pool.acquire();
      const waiter = track(pool.acquire(), steps, 'waiter', id);

      pool.release(a);
      await waiter;

      expect(steps).toEqual(['create 1', 'close 1', 'create 2', 'waiter got 2']);
    });

    it('rejects at once on an abort during the check, and idles a resource that passes', async () => {
      const verdict = deferred<boolean>();
      const steps: string[] = [];
      const { pool } = connPool(steps, { size: 1, validate: () => verdict.promise });
      pool.release(await pool.acquire());
      const controller = new AbortController();
      const outcome = track(pool.acquire({ signal: controller.signal }), steps, 'acquire', id);
      await flush();

      controller.abort(new Error('gave up'));
      await outcome;
      steps.push(`idle ${pool.idle}, live ${pool.live}`);
      verdict.resolve(true);
      await flush();

      expect(steps).toEqual(['create 1', 'acquire rejected Error', 'idle 0, live 1']);
      expect([pool.idle, pool.live]).toEqual([1, 1]);
    });

    it('closes a resource that fails its check after the acquire was aborted', async () => {
      const verdict = deferred<boolean>();
      const steps: string[] = [];
      const { pool } = connPool(steps, { size: 1, validate: () => verdict.promise });
      pool.release(await pool.acquire());
      const controller = new AbortController();
      const outcome = pool.acquire({ signal: controller.signal });
      await flush();

      controller.abort();
      await expect(outcome).rejects.toThrow();
      verdict.resolve(false);
      await flush();

      expect(steps).toEqual(['create 1', 'close 1']);
      expect([pool.idle, pool.live]).toEqual([0, 0]);
    });
  });

  describe('acquire aborted during creation', () => {
    it('rejects at once, aborts the factory signal, and idles a resource made later', async () => {
      const made = deferred<Conn>();
      const signals: AbortSignal[] = [];
      const pool = new ResourcePool(
        (signal) => {
          signals.push(signal);
          return made.promise;
        },
        { size: 1 },
      );
      const controller = new AbortController();
      const reason = new Error('gave up');
      const outcome = pool.acquire({ signal: controller.signal });

      controller.abort(reason);

      await expect(outcome).rejects.toBe(reason);
      expect(signals[0]?.aborted).toBe(true);
      expect(pool.live).toBe(1);
      made.resolve(new Conn(1, []));
      await flush();
      expect([pool.idle, pool.live]).toEqual([1, 1]);
    });

    it('hands a resource made after the abort to a waiter', async () => {
      const made = deferred<Conn>();
      const pool = new ResourcePool(() => made.promise, { size: 1, max: 1 });
      const controller = new AbortController();
      const abandoned = pool.acquire({ signal: controller.signal });
      const waiter = pool.acquire();
      controller.abort();
      await expect(abandoned).rejects.toThrow();

      made.resolve(new Conn(1, []));

      expect((await waiter).id).toBe(1);
      expect([pool.idle, pool.live, pool.waiting]).toEqual([0, 1, 0]);
    });

    it('frees the slot when the creation fails after the abort', async () => {
      const made = deferred<Conn>();
      const pool = new ResourcePool(() => made.promise, { size: 1, max: 1 });
      const controller = new AbortController();
      const abandoned = pool.acquire({ signal: controller.signal });
      controller.abort();
      await expect(abandoned).rejects.toThrow();

      made.reject(new Error('refused'));
      await flush();

      expect(pool.live).toBe(0);
    });
  });

  describe('release', () => {
    it('throws a TypeError for a resource that did not come from the pool', () => {
      const { pool } = connPool([], { size: 1 });

      expectThrow(
        () => pool.release(new Conn(9, [])),
        TypeError,
        'ResourcePool.release(): resource must come from this pool, got an object',
      );
    });

    it('throws a TypeError on a second release, and changes nothing', async () => {
      const { pool } = connPool([], { size: 2 });
      const a = await pool.acquire();
      pool.release(a);

      expectThrow(
        () => pool.release(a),
        TypeError,
        'ResourcePool.release(): resource must be lent out, got one already given back',
      );
      expect([pool.idle, pool.live]).toEqual([1, 1]);
    });

    it('closes the resource when the idle set is full', async () => {
      const steps: string[] = [];
      const { pool } = connPool(steps, { size: 1 });
      const [a, b] = [await pool.acquire(), await pool.acquire()];

      pool.release(a);
      pool.release(b);

      expect(steps).toEqual(['create 1', 'create 2', 'close 2']);
      expect([pool.idle, pool.live]).toEqual([1, 1]);
    });
  });

  describe('destroy', () => {
    it('closes a lent resource and frees its slot', async () => {
      const steps: string[] = [];
      const { pool } = connPool(steps, { size: 1 });
      const a = await pool.acquire();

      pool.destroy(a);

      expect(steps).toEqual(['create 1', 'close 1']);
      expect([pool.idle, pool.live]).toEqual([0, 0]);
    });

    it('throws a TypeError for a resource that is not lent out', async () => {
      const { pool } = connPool([], { size: 1 });
      const a = await pool.acquire();
      pool.destroy(a);

      expectThrow(
        () => pool.destroy(a),
        TypeError,
        'ResourcePool.destroy(): resource must be lent out, got one already given back',
      );
    });
  });

  describe('close', () => {
    it('closes idle resources and resolves once their async closes settle', async () => {
      const steps: string[] = [];
      const closing = deferred<void>();
      const pool = new ResourcePool(
        () => ({
          close: () => {
            steps.push('close started');
            return closing.promise.then(() => void steps.push('close finished'));
          },
        }),
        { size: 1 },
      );
      pool.release(await pool.acquire());

      const closed = pool.close().then(() => void steps.push('pool closed'));
      steps.push(`idle ${pool.idle}, live ${pool.live}, closed ${pool.closed}`);
      closing.resolve();
      await closed;

      expect(steps).toEqual([
        'close started',
        'idle 0, live 0, closed true',
        'close finished',
        'pool closed',
      ]);
    });

    it('rejects waiting and later acquires with PoolClosedError', async () => {
      const { pool } = connPool([], { size: 1, max: 1 });
      await pool.acquire();
      const waiter = pool.acquire();

      await pool.close();

      await expect(waiter).rejects.toThrow(PoolClosedError);
      expect(pool.waiting).toBe(0);
      await expect(pool.acquire()).rejects.toThrow('resource pool is closed');
    });

    it('closes resources released after the close', async () => {
      const steps: string[] = [];
      const { pool } = connPool(steps, { size: 2 });
      const a = await pool.acquire();
      await pool.close();

      pool.release(a);

      expect(steps).toEqual(['create 1', 'close 1']);
      expect([pool.idle, pool.live]).toEqual([0, 0]);
    });

    it('rejects an acquire still in the factory at once, and closes what it makes later', async () => {
      const made = deferred<Conn>();
      const steps: string[] = [];
      let factorySignal: AbortSignal | undefined;
      const pool = new ResourcePool(
        (signal) => {
          factorySignal = signal;
          return made.promise;
        },
        { size: 1 },
      );
      const outcome = pool.acquire();

      await pool.close();

      await expect(outcome).rejects.toThrow(PoolClosedError);
      expect(factorySignal?.reason).toBeInstanceOf(PoolClosedError);
      made.resolve(new Conn(1, steps));
      await flush();
      expect(steps).toEqual(['close 1']);
      expect(pool.live).toBe(0);
    });

    it('rejects an acquire still in the health check, and closes its resource', async () => {
      const verdict = deferred<boolean>();
      const steps: string[] = [];
      const { pool } = connPool(steps, { size: 1, validate: () => verdict.promise });
      pool.release(await pool.acquire());
      const outcome = pool.acquire();
      await flush();

      await pool.close();
      await expect(outcome).rejects.toThrow(PoolClosedError);
      verdict.resolve(true);
      await flush();

      expect(steps).toEqual(['create 1', 'close 1']);
      expect(pool.live).toBe(0);
    });

    it('returns the same promise when called again, and closes nothing twice', async () => {
      const steps: string[] = [];
      const { pool } = connPool(steps, { size: 1 });
      pool.release(await pool.acquire());

      const first = pool.close();
      const second = pool.close();
      await first;

      expect(second).toBe(first);
      expect(steps).toEqual(['create 1', 'close 1']);
    });

    it('passes close errors, thrown or rejected, to onCloseError', async () => {
      const reported: string[] = [];
      let next = 0;
      const pool = new ResourcePool(
        () => {
          const n = ++next;
          return {
            n,
            close: () => {
              if (n === 1) throw new Error('sync failure');
              return Promise.reject(new Error('async failure'));
            },
          };
        },
        {
          size: 2,
          onCloseError: (error, resource) =>
            reported.push(`${resource.n}: ${(error as Error).message}`),
        },
      );
      const [a, b] = [await pool.acquire(), await pool.acquire()];
      pool.release(a);
      pool.release(b);

      await pool.close();

      expect(reported).toEqual(['1: sync failure', '2: async failure']);
    });

    it('ignores close errors without onCloseError', async () => {
      const pool = new ResourcePool(() => ({ close: () => Promise.reject(new Error('no')) }), {
        size: 1,
      });
      pool.release(await pool.acquire());

      await pool.close();

      expect(pool.live).toBe(0);
    });

    it('is what asyncDispose does', async () => {
      const { pool } = connPool([], { size: 1 });

      await pool[Symbol.asyncDispose]();

      expect(pool.closed).toBe(true);
    });
  });

  describe('lease', () => {
    it('releases the resource once, however often it is disposed', async () => {
      const { pool } = connPool([], { size: 1 });
      const lease = await pool.lease();
      const released = [lease.released];

      lease[Symbol.dispose]();
      lease[Symbol.dispose]();
      lease.release();
      released.push(lease.released);

      expect(released).toEqual([false, true]);
      expect([pool.idle, pool.live]).toEqual([1, 1]);
    });

    it('releases on asyncDispose', async () => {
      const { pool } = connPool([], { size: 1 });
      const lease = await pool.lease();

      await lease[Symbol.asyncDispose]();

      expect(pool.idle).toBe(1);
    });

    it('releases at the end of a using block', async () => {
      const { pool } = connPool([], { size: 1 });

      {
        using lease = await pool.lease();
        expect([lease.resource.id, pool.idle]).toEqual([1, 0]);
      }

      expect(pool.idle).toBe(1);
    });

    it('releases at the end of an await using block, even when the block throws', async () => {
      const { pool } = connPool([], { size: 1 });

      const run = async () => {
        await using lease = await pool.lease();
        throw new Error(`failed with ${lease.resource.id}`);
      };

      await expect(run()).rejects.toThrow('failed with 1');
      expect(pool.idle).toBe(1);
    });

    it('closes the resource on destroy, after which release does nothing', async () => {
      const steps: string[] = [];
      const { pool } = connPool(steps, { size: 1 });
      const lease = await pool.lease();

      lease.destroy();
      lease.release();

      expect(steps).toEqual(['create 1', 'close 1']);
      expect([pool.idle, pool.live]).toEqual([0, 0]);
    });

    it('rejects as acquire does', async () => {
      const { pool } = connPool([], { size: 1 });
      await pool.close();

      await expect(pool.lease()).rejects.toThrow(PoolClosedError);
    });
  });
});
