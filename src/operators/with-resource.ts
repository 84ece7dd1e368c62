/**
 * withResource: work on each upstream value with a resource leased from a
 * `ResourcePool`, a bounded number of values at a time.
 */
import type { OperatorFunction } from 'rxjs';
import { describeValue } from '../core/channel.js';
import { poolMap } from '../patterns/pool-map.js';
import { ResourcePool } from '../patterns/resource-pool.js';
import { throughStages, type PipelineBufferOptions } from './pipeline.js';

/**
 * The work {@link withResource} does on one value with a leased resource:
 * returns the result, or a promise of it. `signal` aborts when the
 * operator stops early (an error elsewhere, or unsubscribe).
 */
export type ResourceWork<R, T, U> = (
  resource: R,
  value: T,
  signal: AbortSignal,
) => U | PromiseLike<U>;

/** Options of {@link withResource}. */
export interface WithResourceOptions<T> extends PipelineBufferOptions<T> {
  /** How many values are worked on at once, each with its own lease; a positive integer. */
  concurrency: number;
  /**
   * Whether results are emitted in source order (true) or as they complete
   * (false, the default). Ordered, a value whose result is ready early
   * keeps its place (but not its resource) until the earlier ones are out.
   */
  ordered?: boolean | undefined;
}

/**
 * For each source value, acquires a resource from `pool`, calls
 * `work(resource, value, signal)`, releases the resource once the work has
 * settled, and emits the result: the tutorial's 25 queries sharing pooled
 * connections, as an operator. At most `concurrency` values are worked on
 * at once; the pool's own `max` may hold them to fewer (the rest wait in
 * the pool's line, first come, first served).
 *
 * Buffering: values arriving while `concurrency` values are in work wait in
 * an entry buffer of `capacity` (16 by default) with the `overflow` policy
 * (`'error'` by default: `BufferOverflowError`), as for `workerPool`.
 * Ordering: completion order, or source order with `ordered: true`.
 *
 * Completion: once the source completes and every result is emitted.
 * Error: a source error, a work error, a failed acquire (a factory error,
 * or `PoolClosedError` when the pool is closed) or an overflow errors the
 * output at once; every pending acquire is withdrawn (nothing is left in
 * the pool's line) and every running work's signal aborts. Unsubscribe:
 * the same teardown without an error. Either way, a resource is released
 * only once its work has settled, so it is never lent to someone else
 * while work may still use it; work that honours its signal gives it back
 * sooner. The operator never closes the pool.
 *
 * @example
 * ```ts
 * let made = 0;
 * const pool = new ResourcePool(() => ({ id: ++made, close() {} }), { size: 2, max: 2 });
 * const results = await lastValueFrom(
 *   of('a', 'b', 'c', 'd').pipe(
 *     withResource(pool, async (conn, query) => `${query}@${conn.id}`, {
 *       concurrency: 4,
 *       ordered: true,
 *     }),
 *     toArray(),
 *   ),
 * );
 * console.log(results); // [ 'a@1', 'b@2', 'c@1', 'd@2' ]
 * console.log(made, pool.idle); // 2 2
 * ```
 * @throws TypeError if `pool` is not a `ResourcePool`, `work` is not a
 * function or an option is of the wrong kind; RangeError if `concurrency`
 * or `capacity` is not a positive integer (synchronously).
 * @see workerPool
 */
export function withResource<R extends { close(): unknown }, T, U>(
  pool: ResourcePool<R>,
  work: ResourceWork<R, T, U>,
  options: WithResourceOptions<T>,
): OperatorFunction<T, U> {
  const call = 'withResource()';
  if (!(pool instanceof ResourcePool)) {
    throw new TypeError(`${call}: pool must be a ResourcePool, got ${describeValue(pool)}`);
  }
  if (typeof work !== 'function') {
    throw new TypeError(`${call}: work must be a function, got ${describeValue(work)}`);
  }
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`${call}: options must be an object, got ${describeValue(options)}`);
  }
  const { concurrency, ordered = false } = options;
  if (typeof concurrency !== 'number' || !Number.isInteger(concurrency) || concurrency < 1) {
    throw new RangeError(
      `${call}: concurrency must be a positive integer, got ${describeValue(concurrency)}`,
    );
  }
  if (typeof ordered !== 'boolean') {
    throw new TypeError(`${call}: ordered must be a boolean, got ${describeValue(ordered)}`);
  }

  const leased = async (value: T, signal: AbortSignal): Promise<U> => {
    // The signal aborts at error or unsubscribe, withdrawing a waiting acquire.
    const resource = await pool.acquire({ signal });
    // A failure elsewhere may have stopped the operator while this acquire
    // was being served (a failed work's release hands its resource to the
    // next waiter before the failure arrives): start no work after a stop.
    if (signal.aborted) {
      pool.release(resource);
      throw signal.reason;
    }
    try {
      return await work(resource, value, signal);
    } finally {
      pool.release(resource);
    }
  };
  return throughStages<T, U>(
    call,
    [
      (input, signal) =>
        poolMap(input, leased as (value: unknown, signal: AbortSignal) => Promise<U>, {
          concurrency,
          ordered,
          signal,
        }),
    ],
    options,
  );
}
