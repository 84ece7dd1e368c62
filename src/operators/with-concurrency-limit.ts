/**
 * withConcurrencyLimit: each source value run through a ConcurrencyLimiter,
 * with a bounded buffer in front, since a push source cannot be slowed down.
 *
 * Invariants (hold between any two calls into the operator):
 * 1. At most one value of a subscription waits in the limiter's line
 *    (`isParked`); values behind it wait in `queue`, at most `capacity`.
 * 2. `queue` is non-empty only while a value is parked, so a value never
 *    waits in the buffer while the limiter could take it.
 * 3. Values enter the limiter, and their work is called, in source order.
 * 4. Once stopped (error, overflow, unsubscribe), the subscription emits
 *    nothing more, its signal is aborted and its buffer is empty.
 */
import { Observable, type OperatorFunction, type Subscriber } from 'rxjs';
import { callHook, describeValue } from '../core/channel.js';
import { BufferOverflowError } from '../core/errors.js';
import { ConcurrencyLimiter } from '../patterns/concurrency-limit.js';
import { resolveBuffer, type PipelineBufferOptions } from './pipeline.js';

/**
 * Options of {@link withConcurrencyLimit}: the buffer in front of the
 * limiter (`capacity`, 16 by default; `overflow`, `'error'` by default;
 * `onDrop`), as for `pipeline` and `workerPool`.
 */
export type WithConcurrencyLimitOptions<T> = PipelineBufferOptions<T>;

/** A first-in first-out queue of values with O(1) removal at the front. */
class ValueQueue<T> {
  /** The values; the live ones start at `head`. */
  private items: T[] = [];
  /** Index of the oldest live value. */
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(value: T): void {
    this.items.push(value);
  }

  /** Removes and returns the oldest value. Precondition: `length > 0`. */
  shift(): T {
    const value = this.items[this.head] as T;
    this.head++;
    // Drop the consumed prefix once it is the larger part.
    if (this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return value;
  }

  /** Removes and returns every value, oldest first. */
  clear(): T[] {
    const values = this.items.slice(this.head);
    this.items = [];
    this.head = 0;
    return values;
  }
}

/**
 * Runs `work(value, signal)` for every source value through `limiter`, so
 * at most `limiter.limit` calls run at once (counting every other caller
 * sharing the limiter), and emits the results as they complete. With an
 * adaptive limiter, the work's latency moves the limit: the operator is how
 * an Observable of requests finds the concurrency its backend can carry.
 *
 * Ordering: values enter the limiter, and `work` is called, in source
 * order; results are emitted in completion order.
 *
 * Buffering: an Observable cannot be slowed down. One value at a time
 * waits in the limiter's line (so a shared limiter serves its callers in
 * arrival order); values arriving behind it wait in a buffer of `capacity`
 * (16 by default), and when that is full, `overflow` decides: `'error'`
 * (the default) errors the output with `BufferOverflowError`,
 * `'drop-newest'` drops the new value and `'drop-oldest'` the oldest
 * buffered one; dropped values go to `onDrop`.
 *
 * Error: the first work error, a source error or an overflow under
 * `'error'` errors the output at once: the signal every running `work` got
 * aborts, the value waiting in the limiter's line leaves it, the source is
 * unsubscribed, and that value and the buffered ones go to `onDrop`; results of work still
 * running are dropped. Completion: after the source completes and every
 * buffered value's result is emitted. Unsubscribe: the same teardown,
 * without an error.
 *
 * @example
 * ```ts
 * const limiter = new ConcurrencyLimiter({ limit: 2 });
 * let peak = 0;
 * const results = await lastValueFrom(
 *   of(1, 2, 3, 4, 5).pipe(
 *     withConcurrencyLimit(limiter, async (n: number) => {
 *       peak = Math.max(peak, limiter.running);
 *       await sleep(0);
 *       return n * 10;
 *     }),
 *     toArray(),
 *   ),
 * );
 * console.log(results.sort((a, b) => a - b), peak); // [ 10, 20, 30, 40, 50 ] 2
 * ```
 * @throws TypeError (when the operator is made) if `limiter` is not a
 * ConcurrencyLimiter, `work` not a function, or `overflow`, `onDrop` or
 * the options of the wrong kind; RangeError if `capacity` is not a
 * positive integer.
 * @see workerPool
 */
export function withConcurrencyLimit<T, R>(
  limiter: ConcurrencyLimiter,
  work: (value: T, signal: AbortSignal) => R | PromiseLike<R>,
  options?: WithConcurrencyLimitOptions<T>,
): OperatorFunction<T, R> {
  const call = 'withConcurrencyLimit()';
  if (!(limiter instanceof ConcurrencyLimiter)) {
    throw new TypeError(
      `${call}: limiter must be a ConcurrencyLimiter, got ${describeValue(limiter)}`,
    );
  }
  if (typeof work !== 'function') {
    throw new TypeError(`${call}: work must be a function, got ${describeValue(work)}`);
  }
  const { capacity, overflow, onDrop } = resolveBuffer(call, options);
  const drop = (value: T): void => {
    if (onDrop !== undefined) callHook(onDrop, value);
  };

  return (source) =>
    new Observable<R>((subscriber) => {
      /** Aborted once, by the first stop; every run of this subscription gets it. */
      const controller = new AbortController();
      /** Values waiting behind the parked one (invariant 1). */
      const queue = new ValueQueue<T>();
      /** Whether a value waits in the limiter's line. */
      let isParked = false;
      /** The value waiting in the limiter's line, while `isParked`. */
      let parked: T | undefined;
      /** Values handed to the limiter whose run has not settled. */
      let active = 0;
      /** Whether `pump` is on the stack; a nested call leaves the work to it. */
      let isPumping = false;
      /** Whether the source completed. */
      let isSourceDone = false;
      /** Set by the first stop (invariant 4). */
      let isStopped = false;
      /** The source's subscriber, known as soon as the source is subscribed. */
      let upstream: Subscriber<T> | undefined;

      const stop = (): void => {
        isStopped = true;
        controller.abort();
        upstream?.unsubscribe();
        // The parked value left the limiter's line with the abort; it is the
        // oldest value that never reached `work`.
        if (isParked) drop(parked as T);
        isParked = false;
        parked = undefined;
        for (const value of queue.clear()) drop(value);
      };
      const fail = (error: unknown): void => {
        if (isStopped) return;
        stop();
        subscriber.error(error);
      };
      const completeIfDone = (): void => {
        if (!isStopped && isSourceDone && active === 0 && queue.length === 0) {
          isStopped = true;
          subscriber.complete();
        }
      };

      const runOne = (value: T): void => {
        isParked = true;
        parked = value;
        active++;
        limiter
          .run(
            (signal) => {
              isParked = false;
              parked = undefined;
              try {
                // Fail fast: a failure stops the subscription before the
                // limiter frees the slot, so no waiting value is admitted
                // into a subscription that already failed.
                return Promise.resolve(work(value, signal)).then(undefined, (error: unknown) => {
                  fail(error);
                  throw error;
                });
              } catch (error) {
                fail(error);
                throw error;
              } finally {
                // Admitted: the next value may take its place in line. The
                // work was called first, so calls keep source order (3).
                pump();
              }
            },
            { signal: controller.signal },
          )
          .then(
            (result) => {
              active--;
              if (isStopped) return;
              subscriber.next(result);
              completeIfDone();
            },
            (error: unknown) => {
              active--;
              // After a stop this is the abort of the parked value, or a
              // late failure of work that was told to stop.
              fail(error);
            },
          );
      };

      const pump = (): void => {
        // The limiter may admit synchronously, calling back into `pump`
        // from inside `runOne`; the outer loop carries on instead.
        if (isPumping) return;
        isPumping = true;
        while (!isParked && !isStopped && queue.length > 0) runOne(queue.shift());
        isPumping = false;
      };

      new Observable<T>((target) => {
        upstream = target;
        return source.subscribe(target);
      }).subscribe({
        next(value) {
          if (isStopped) return;
          if (queue.length < capacity) {
            queue.push(value);
            pump();
            return;
          }
          if (overflow === 'drop-newest') {
            drop(value);
          } else if (overflow === 'drop-oldest') {
            drop(queue.shift());
            queue.push(value);
          } else {
            drop(value);
            fail(new BufferOverflowError(capacity));
          }
        },
        error: fail,
        complete() {
          isSourceDone = true;
          completeIfDone();
        },
      });
      return () => {
        if (!isStopped) stop();
      };
    });
}
