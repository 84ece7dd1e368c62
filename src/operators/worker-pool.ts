/**
 * workerPool: a bounded, lossless alternative to `mergeMap(work, n)`, for
 * Observables (`workerPool`) and, fused, for our channels (`workerPoolFrom`).
 */
import { Observable, type OperatorFunction } from 'rxjs';
import { asChannelImpl, describeValue, type ReceiveChannel } from '../core/channel.js';
import { pipeline as runPipeline } from '../patterns/pipeline.js';
import { poolMap, type PoolWork } from '../patterns/pool-map.js';
import { relayPipeline, throughStages, type PipelineBufferOptions } from './pipeline.js';

/** Options of {@link workerPoolFrom}. */
export interface WorkerPoolFromOptions {
  /** How many workers run, each on one value at a time; a positive integer. */
  concurrency: number;
  /**
   * Whether results are emitted in input order (true) or as they complete
   * (false, the default). Ordered, a worker whose result is ready before
   * its predecessors' waits with it, taking no new value.
   */
  ordered?: boolean | undefined;
}

/** Options of {@link workerPool}: the workers, and the bounded buffer in front of them. */
export interface WorkerPoolOptions<T> extends WorkerPoolFromOptions, PipelineBufferOptions<T> {}

/** Checks the arguments shared by both forms; throws before anything is subscribed. */
function checkPool(call: string, work: unknown, options: unknown): WorkerPoolFromOptions {
  if (typeof work !== 'function') {
    throw new TypeError(`${call}: work must be a function, got ${describeValue(work)}`);
  }
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`${call}: options must be an object, got ${describeValue(options)}`);
  }
  const { concurrency, ordered } = options as WorkerPoolFromOptions;
  if (typeof concurrency !== 'number' || !Number.isInteger(concurrency) || concurrency < 1) {
    throw new RangeError(
      `${call}: concurrency must be a positive integer, got ${describeValue(concurrency)}`,
    );
  }
  if (ordered !== undefined && typeof ordered !== 'boolean') {
    throw new TypeError(`${call}: ordered must be a boolean, got ${describeValue(ordered)}`);
  }
  return { concurrency, ordered: ordered === true };
}

/**
 * Applies `work(value, signal)` to every source value with at most
 * `concurrency` calls running at once, and emits the results: the bounded,
 * lossless alternative to `mergeMap(work, concurrency)`, whose queue of
 * waiting source values is unbounded. `work` returns the result or a
 * promise of it (wrap an Observable in `firstValueFrom`); `signal` aborts
 * when the pool stops early, so a `fetch` or timer in `work` can stop too.
 *
 * Buffering: a value arriving while every worker is busy waits in a buffer
 * of `capacity` (16 by default); when that is full too, `overflow` decides:
 * `'error'` (the default) errors the output with `BufferOverflowError`,
 * `'drop-oldest'` and `'drop-newest'` drop a value (handed to `onDrop`)
 * and go on. So at most `capacity + concurrency` values are held at once,
 * counting buffered values, values being worked on and results waiting to
 * be emitted. An Observable cannot be slowed down; for one of our channels,
 * use {@link workerPoolFrom}, where the producer's `await send` is the
 * brake and nothing is ever dropped (`from(ch).pipe(workerPool(...))`
 * would drain the channel into the buffer instead).
 *
 * Ordering: with `ordered: false` (the default) results are emitted as
 * they complete; with `ordered: true` in source order: a worker whose
 * result is ready early keeps it, taking no new value, until every earlier
 * result is emitted, so ordering needs no extra buffer but a slow value
 * holds up the workers behind it.
 *
 * Error: the first work error (a throw or a rejection), a source error or
 * an overflow under `'error'` errors the output at once: every worker's
 * signal aborts with the error, the source is unsubscribed, buffered values
 * go to `onDrop`, and results of work still running are dropped.
 * Completion: after the source completes, the workers finish the buffered
 * values, and the output completes once every result is emitted.
 * Unsubscribe: the source is unsubscribed, every worker's signal aborts,
 * and buffered values go to `onDrop`; no worker takes another value.
 *
 * @example
 * ```ts
 * const squares = await lastValueFrom(
 *   of(1, 2, 3, 4).pipe(
 *     workerPool(async (n) => n * n, { concurrency: 2, capacity: 4, ordered: true }),
 *     toArray(),
 *   ),
 * );
 * console.log(squares); // [ 1, 4, 9, 16 ]
 * ```
 * @throws TypeError if `work` is not a function or an option is of the
 * wrong kind; RangeError if `concurrency` or `capacity` is not a positive
 * integer.
 * @see workerPoolFrom
 * @see pipeline
 */
export function workerPool<T, R>(
  work: PoolWork<T, R>,
  options: WorkerPoolOptions<T>,
): OperatorFunction<T, R> {
  const { concurrency, ordered } = checkPool('workerPool()', work, options);
  return throughStages<T, R>(
    'workerPool()',
    [
      (input, signal) =>
        poolMap(input, work as PoolWork<unknown, R>, { concurrency, ordered, signal }),
    ],
    options,
  );
}

/**
 * Returns an Observable of `work(value, signal)` applied to every value
 * received from `channel` by `concurrency` workers that read the channel
 * directly: `workerPool` fused with its source. A worker receives a value
 * only when it is free, so the channel's producer waits in `await send`
 * while every worker is busy: lossless backpressure with no buffer of the
 * operator's own. At most `concurrency` values are out of the channel.
 *
 * Ordering as {@link workerPool}: completion order, or source order with
 * `ordered: true`. Completion: once the channel is closed and drained and
 * every result emitted (a channel made by `toChannel` whose source failed
 * errors with that failure instead). Error: the first work error errors the
 * output at once and aborts every worker's signal; values not yet received
 * stay in the channel. Unsubscribe: pending receives are withdrawn and
 * every worker's signal aborts; nothing more is taken from the channel,
 * which stays open. Each subscription runs its own workers, and several
 * compete for the channel's values.
 *
 * @example
 * ```ts
 * const jobs = chan<number>();
 * const results = lastValueFrom(
 *   workerPoolFrom(jobs, async (n) => n * 10, { concurrency: 2, ordered: true }).pipe(toArray()),
 * );
 * for (const n of [1, 2, 3]) await jobs.send(n);
 * jobs.close();
 * console.log(await results); // [ 10, 20, 30 ]
 * ```
 * @throws TypeError if `channel` is not a channel made by this library,
 * `work` is not a function or an option is of the wrong kind; RangeError if
 * `concurrency` is not a positive integer.
 * @see workerPool
 */
export function workerPoolFrom<T, R>(
  channel: ReceiveChannel<T>,
  work: PoolWork<T, R>,
  options: WorkerPoolFromOptions,
): Observable<R> {
  if (asChannelImpl(channel) === undefined) {
    throw new TypeError(
      `workerPoolFrom(): channel must be a channel, got ${describeValue(channel)}`,
    );
  }
  const { concurrency, ordered } = checkPool('workerPoolFrom()', work, options);
  return new Observable<R>((subscriber) => {
    const run = runPipeline(channel, (input, signal) => {
      const pool = poolMap(input, work, { concurrency, ordered, signal });
      // A channel made by toChannel closes when its source fails; the
      // failure is recorded beside it, and surfaces once the pool is done.
      const done = pool.done.then(() => {
        const failure = channel.closeError;
        if (failure !== undefined) throw failure;
      });
      return { output: pool.output, done };
    });
    return relayPipeline(subscriber, run);
  });
}
